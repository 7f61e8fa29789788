"""The seed walkthrough: kafka-python's JSON producer, then a group consumer with
group_id='test-group', auto_offset_reset='earliest' and auto-commit."""
import json
import sys

from kafka import KafkaConsumer, KafkaProducer

bootstrap, topic = sys.argv[1], sys.argv[2]
producer = KafkaProducer(bootstrap_servers=bootstrap, value_serializer=lambda v: json.dumps(v).encode('utf-8'))
for i in range(3):
    producer.send(topic, value={'number': i})
producer.flush()
producer.close()


def consume():
    consumer = KafkaConsumer(topic, bootstrap_servers=bootstrap, group_id='test-group',
                             auto_offset_reset='earliest', enable_auto_commit=True,
                             consumer_timeout_ms=5000,
                             value_deserializer=lambda v: json.loads(v.decode('utf-8')))
    got = [m.value['number'] for m in consumer]
    consumer.close()
    return got


first = consume()
second = consume()  # the group's committed offsets mean nothing is read twice
print(json.dumps({'first': first, 'second': second}))
