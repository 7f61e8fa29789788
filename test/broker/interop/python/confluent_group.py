"""Two confluent-kafka consumers share a group; each commits what it processed."""
import json
import sys
import time

from confluent_kafka import Consumer

bootstrap, topic, group, expected = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
conf = {'bootstrap.servers': bootstrap, 'group.id': group, 'auto.offset.reset': 'earliest',
        'enable.auto.commit': False, 'session.timeout.ms': 6000}
consumers = [Consumer(dict(conf, **{'client.id': 'c%d' % i})) for i in range(2)]
for c in consumers:
    c.subscribe([topic])
seen = {0: [], 1: []}
deadline = time.time() + 60
while sum(len(v) for v in seen.values()) < expected and time.time() < deadline:
    for i, c in enumerate(consumers):
        msg = c.poll(0.1)
        if msg is None or msg.error():
            continue
        seen[i].append(msg.value().decode())
        c.commit(message=msg, asynchronous=False)
for c in consumers:
    c.close()
print(json.dumps({'per_consumer': [len(seen[0]), len(seen[1])], 'values': seen[0] + seen[1]}))
