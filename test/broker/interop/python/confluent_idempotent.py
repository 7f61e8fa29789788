"""confluent-kafka's idempotent producer sends N keyed records; counts delivery errors."""
import json
import sys

from confluent_kafka import Producer

bootstrap, topic, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
errors = []
delivered = [0]


def on_delivery(err, msg):
    if err is not None:
        errors.append(str(err))
    else:
        delivered[0] += 1


p = Producer({'bootstrap.servers': bootstrap, 'enable.idempotence': True, 'linger.ms': 5})
for i in range(count):
    while True:
        try:
            p.produce(topic, key=b'k%d' % i, value=b'v%d' % i, on_delivery=on_delivery)
            break
        except BufferError:
            p.poll(0.05)
    p.poll(0)
left = p.flush(60)
print(json.dumps({'delivered': delivered[0], 'errors': errors[:5], 'left': left}))
