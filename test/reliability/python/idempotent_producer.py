"""Produces forever with confluent-kafka's idempotent producer (acks=all) and prints the
value of every record the broker acknowledged, one per line, as soon as it is known."""
import sys

from confluent_kafka import Producer

bootstrap, topic, prefix = sys.argv[1], sys.argv[2], sys.argv[3]


def on_delivery(err, msg):
    if err is None:
        sys.stdout.write(msg.value().decode() + '\n')
        sys.stdout.flush()


p = Producer({'bootstrap.servers': bootstrap, 'enable.idempotence': True, 'acks': 'all',
              'linger.ms': 2, 'message.timeout.ms': 30000})
i = 0
while True:
    try:
        p.produce(topic, value=('%s-%d' % (prefix, i)).encode(), partition=0, on_delivery=on_delivery)
        i += 1
    except BufferError:
        pass
    p.poll(0.001 if i % 50 == 0 else 0)
