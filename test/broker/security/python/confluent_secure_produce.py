# Produces N keyed records with confluent-kafka over a secured listener, then reports.
# argv: bootstrap topic count config-json (extra librdkafka properties)
import json
import sys

from confluent_kafka import Producer

bootstrap, topic, count, extra = sys.argv[1], sys.argv[2], int(sys.argv[3]), json.loads(sys.argv[4])
errors = []
delivered = [0]


def on_delivery(err, msg):
    if err is not None:
        errors.append(str(err))
    else:
        delivered[0] += 1


conf = {'bootstrap.servers': bootstrap, 'enable.idempotence': True, 'acks': 'all', 'linger.ms': 5}
conf.update(extra)
p = Producer(conf)
for i in range(count):
    p.produce(topic, key=f'k{i}'.encode(), value=f'v{i}'.encode(), on_delivery=on_delivery)
    p.poll(0)
left = p.flush(30)
print(json.dumps({'delivered': delivered[0], 'errors': errors[:5], 'left': left}))
