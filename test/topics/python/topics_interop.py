"""confluent-kafka's AdminClient on topics that ktool manages (and the other way round).

    topics_interop.py BOOTSTRAP check TOPIC            -> {"exists", "partitions", "overrides"}
    topics_interop.py BOOTSTRAP create TOPIC N [k=v..] -> {"created": true}
    topics_interop.py BOOTSTRAP partitions TOPIC TOTAL -> {"total": TOTAL}
    topics_interop.py BOOTSTRAP delete TOPIC           -> {"deleted": true}
"""
import json
import sys

from confluent_kafka.admin import AdminClient, ConfigResource, ConfigSource, NewPartitions, NewTopic

bootstrap, action, topic = sys.argv[1], sys.argv[2], sys.argv[3]
admin = AdminClient({'bootstrap.servers': bootstrap})
out = {}
if action == 'check':
    md = admin.list_topics(timeout=10)
    out['exists'] = topic in md.topics
    if out['exists']:
        out['partitions'] = len(md.topics[topic].partitions)
        res = ConfigResource(ConfigResource.Type.TOPIC, topic)
        configs = admin.describe_configs([res])[res].result(timeout=10)
        out['overrides'] = {name: entry.value for name, entry in configs.items()
                            if entry.source == ConfigSource.DYNAMIC_TOPIC_CONFIG.value}
elif action == 'create':
    partitions = int(sys.argv[4])
    config = dict(kv.split('=', 1) for kv in sys.argv[5:])
    admin.create_topics([NewTopic(topic, num_partitions=partitions, replication_factor=1, config=config)],
                        operation_timeout=10)[topic].result(timeout=10)
    out['created'] = True
elif action == 'partitions':
    total = int(sys.argv[4])
    admin.create_partitions([NewPartitions(topic, total)], operation_timeout=10)[topic].result(timeout=10)
    out['total'] = total
elif action == 'delete':
    admin.delete_topics([topic], operation_timeout=10)[topic].result(timeout=10)
    out['deleted'] = True
print(json.dumps(out, sort_keys=True))
