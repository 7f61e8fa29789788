"""confluent-kafka's AdminClient: create, list, describe configs, delete."""
import json
import sys

from confluent_kafka.admin import AdminClient, ConfigResource, NewTopic

bootstrap, topic = sys.argv[1], sys.argv[2]
admin = AdminClient({'bootstrap.servers': bootstrap})
out = {}
fs = admin.create_topics([NewTopic(topic, num_partitions=3, replication_factor=1,
                                   config={'retention.ms': '3600000'})], operation_timeout=10)
fs[topic].result(timeout=10)
md = admin.list_topics(timeout=10)
out['listed'] = topic in md.topics
out['partitions'] = len(md.topics[topic].partitions)
res = ConfigResource(ConfigResource.Type.TOPIC, topic)
configs = admin.describe_configs([res])[res].result(timeout=10)
out['retention.ms'] = configs['retention.ms'].value
out['retention.source'] = int(configs['retention.ms'].source)
out['cleanup.policy'] = configs['cleanup.policy'].value
try:
    admin.create_topics([NewTopic(topic, num_partitions=1, replication_factor=1)])[topic].result(timeout=10)
    out['duplicate'] = 'created'
except Exception as e:  # noqa: BLE001 - the error's Kafka name is what we check
    out['duplicate'] = e.args[0].name()
admin.delete_topics([topic], operation_timeout=10)[topic].result(timeout=10)
md = admin.list_topics(timeout=10)
out['after_delete'] = topic in md.topics
print(json.dumps(out))
