"""Throughput of a transactional producer (one commit every COMMIT_EVERY records) next to a
plain idempotent one, in one run, with confluent-kafka (librdkafka), interleaved.
Usage: transactions.py BOOTSTRAP RECORDS RECORD_BYTES COMMIT_EVERY ROUNDS. Prints JSON."""
import json
import statistics
import sys
import time

from confluent_kafka import Producer

bootstrap, n, size, every, rounds = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
value = b'x' * size
common = {'bootstrap.servers': bootstrap, 'linger.ms': 5, 'batch.num.messages': 10000, 'queue.buffering.max.messages': 1000000}


def idempotent(topic):
    p = Producer(dict(common, **{'enable.idempotence': True}))
    start = time.perf_counter()
    for i in range(n):
        while True:
            try:
                p.produce(topic, value)
                break
            except BufferError:
                p.poll(0.01)
    p.flush(120)
    return n / (time.perf_counter() - start)


def transactional(topic, tid):
    p = Producer(dict(common, **{'transactional.id': tid}))
    p.init_transactions(30)
    start = time.perf_counter()
    p.begin_transaction()
    for i in range(n):
        while True:
            try:
                p.produce(topic, value)
                break
            except BufferError:
                p.poll(0.01)
        if (i + 1) % every == 0:
            p.commit_transaction(60)
            if i + 1 < n:
                p.begin_transaction()
    if n % every != 0:
        p.commit_transaction(60)
    return n / (time.perf_counter() - start)


idem, txn = [], []
for r in range(rounds):
    idem.append(idempotent('bench.idem'))
    txn.append(transactional('bench.txn', 'bench-tx-%d' % r))
print(json.dumps({'records': n, 'bytes': size, 'commit_every': every, 'rounds': rounds,
                  'idempotent_rps': round(statistics.median(idem)), 'transactional_rps': round(statistics.median(txn)),
                  'idempotent_all': [round(x) for x in idem], 'transactional_all': [round(x) for x in txn]}))
