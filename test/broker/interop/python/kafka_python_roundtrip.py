"""kafka-python produces JSON values (as in the seed walkthrough) and reads them back by
partition assignment. Prints one JSON summary line."""
import json
import sys

from kafka import KafkaConsumer, KafkaProducer, TopicPartition

bootstrap, topic, count = sys.argv[1], sys.argv[2], int(sys.argv[3])

producer = KafkaProducer(bootstrap_servers=bootstrap,
                         value_serializer=lambda v: json.dumps(v).encode('utf-8'),
                         key_serializer=lambda k: k.encode('utf-8'))
for i in range(count):
    producer.send(topic, key='k%d' % i, value={'n': i, 'text': 'hello %d' % i})
producer.flush()
producer.close()

consumer = KafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False,
                         consumer_timeout_ms=10000,
                         value_deserializer=lambda v: json.loads(v.decode('utf-8')))
tp = TopicPartition(topic, 0)
consumer.assign([tp])
consumer.seek_to_beginning(tp)
seen = []
for msg in consumer:
    seen.append({'offset': msg.offset, 'key': msg.key.decode('utf-8'), 'n': msg.value['n']})
    if len(seen) == count:
        break
end = consumer.end_offsets([tp])[tp]
consumer.close()
print(json.dumps({'consumed': seen, 'end': end}))
