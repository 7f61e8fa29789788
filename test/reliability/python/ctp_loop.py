"""A consume-transform-produce loop with confluent-kafka: read IN with read_committed,
write 'out-<value>' to OUT and the consumed offsets in the same transaction.
Usage: ctp_loop.py BOOTSTRAP IN OUT GROUP TXID TOTAL BATCH DELAY_MS: at most BATCH records
per transaction, held open DELAY_MS before the commit (so a kill finds one open). Prints the number of input records
committed so far after every transaction; exits 0 once the committed offsets cover
TOTAL records, 3 on any error (the harness starts it again)."""
import sys
import time

from confluent_kafka import Consumer, KafkaException, Producer, TopicPartition

bootstrap, src, dst, group, txid, total, batch, delay_ms = sys.argv[1:9]
total, batch, delay = int(total), int(batch), int(delay_ms) / 1000.0
try:
    producer = Producer({'bootstrap.servers': bootstrap, 'transactional.id': txid, 'transaction.timeout.ms': 10000,
                         'linger.ms': 5, 'message.timeout.ms': 10000})
    producer.init_transactions(20)
    consumer = Consumer({'bootstrap.servers': bootstrap, 'group.id': group, 'auto.offset.reset': 'earliest',
                         'enable.auto.commit': False, 'isolation.level': 'read_committed',
                         'session.timeout.ms': 6000})
    consumer.subscribe([src])
    while True:
        msgs = [m for m in consumer.consume(batch, 0.3) if not m.error()]
        if not msgs:
            committed = sum(max(tp.offset, 0) for tp in consumer.committed(consumer.assignment(), 10)) if consumer.assignment() else 0
            if committed >= total:
                print('done', committed, flush=True)
                sys.exit(0)
            continue
        producer.begin_transaction()
        for m in msgs:
            producer.produce(dst, key=m.key(), value=b'out-' + m.value())
        producer.flush(10)
        time.sleep(delay)
        producer.send_offsets_to_transaction(consumer.position(consumer.assignment()), consumer.consumer_group_metadata(), 20)
        producer.commit_transaction(20)
        print('committed', len(msgs), flush=True)
except KafkaException as e:
    print('error', e, file=sys.stderr, flush=True)
    sys.exit(3)
