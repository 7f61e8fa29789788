"""confluent-kafka (librdkafka) transactions: commit, abort, read_committed vs
read_uncommitted, a fenced zombie, and send_offsets_to_transaction.
Usage: confluent_transactions.py BOOTSTRAP TOPIC. Prints one JSON object."""
import json
import sys
import time

from confluent_kafka import Consumer, KafkaError, KafkaException, Producer, TopicPartition

bootstrap, topic = sys.argv[1], sys.argv[2]
out_topic = topic + '.out'
result = {}


def producer(tid):
    p = Producer({'bootstrap.servers': bootstrap, 'transactional.id': tid, 'transaction.timeout.ms': 60000})
    p.init_transactions(30)
    return p


def read_all(t, isolation, expect, group=None):
    c = Consumer({
        'bootstrap.servers': bootstrap,
        'group.id': group or ('reader-%s-%s-%f' % (t, isolation, time.time())),
        'auto.offset.reset': 'earliest',
        'enable.auto.commit': False,
        'isolation.level': isolation,
    })
    c.subscribe([t])
    values = []
    deadline = time.time() + 20
    idle_since = None
    while time.time() < deadline:
        m = c.poll(0.2)
        if m is None:
            if len(values) >= expect:
                idle_since = idle_since or time.time()
                if time.time() - idle_since > 1.0:
                    break
            continue
        idle_since = None
        if m.error():
            if m.error().code() == KafkaError._PARTITION_EOF:
                continue
            raise KafkaException(m.error())
        values.append(m.value().decode())
    c.close()
    return values


p = producer('ck-tx')
p.begin_transaction()
for i in range(5):
    p.produce(topic, key=b'k', value=('c%d' % i).encode())
p.commit_transaction(30)
p.begin_transaction()
for i in range(3):
    p.produce(topic, key=b'k', value=('a%d' % i).encode())
p.flush(10)
p.abort_transaction(30)
p.begin_transaction()
p.produce(topic, key=b'k', value=b'c5')
p.commit_transaction(30)

result['read_committed'] = read_all(topic, 'read_committed', 6)
result['read_uncommitted'] = read_all(topic, 'read_uncommitted', 9)

# A zombie: a second producer with the same id fences the first.
zombie = producer('ck-zombie')
zombie.begin_transaction()
zombie.produce(topic, value=b'zombie')
zombie.flush(10)
successor = producer('ck-zombie')
try:
    zombie.commit_transaction(10)
    result['zombie'] = 'committed'
except KafkaException as e:
    err = e.args[0]
    result['zombie'] = err.name()
    result['zombie_fatal'] = err.fatal()
successor.begin_transaction()
successor.produce(topic, value=b'successor')
successor.commit_transaction(30)
result['after_zombie'] = read_all(topic, 'read_committed', 7)

# Consume-transform-produce with send_offsets_to_transaction.
seed = Producer({'bootstrap.servers': bootstrap})
for i in range(4):
    seed.produce(topic + '.in', value=('in%d' % i).encode())
seed.flush(10)
loop = producer('ck-ctp')
c = Consumer({'bootstrap.servers': bootstrap, 'group.id': 'ck-ctp-group', 'auto.offset.reset': 'earliest',
              'enable.auto.commit': False, 'isolation.level': 'read_committed'})
c.subscribe([topic + '.in'])
done = 0
deadline = time.time() + 30
while done < 4 and time.time() < deadline:
    msgs = c.consume(10, 0.5)
    msgs = [m for m in msgs if not m.error()]
    if not msgs:
        continue
    loop.begin_transaction()
    for m in msgs:
        loop.produce(out_topic, value=m.value().upper())
    loop.send_offsets_to_transaction(c.position(c.assignment()), c.consumer_group_metadata(), 30)
    loop.commit_transaction(30)
    done += len(msgs)
committed = c.committed([TopicPartition(topic + '.in', 0)], 10)
result['ctp_committed_offset'] = committed[0].offset
c.close()
result['ctp_out'] = read_all(out_topic, 'read_committed', 4)
print(json.dumps(result))
