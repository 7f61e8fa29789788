"""Confluent's Python client against ktool's schema registry and dev broker.

  sr_interop.py client URL                      SchemaRegistryClient calls; prints a JSON report
  sr_interop.py produce FORMAT BOOTSTRAP URL TOPIC   JSON objects on stdin, one per line, serialized
  sr_interop.py consume FORMAT BOOTSTRAP URL TOPIC N  N records deserialized, printed as JSON lines

FORMAT is json (JSONSerializer/JSONDeserializer), protobuf (ProtobufSerializer/
ProtobufDeserializer, message class built at run time from ORDER_PROTO below), or avro
(Debian has no fastavro for AvroSerializer: the schema is registered with
SchemaRegistryClient and records are encoded with python3-avro in the wire format).
"""
import io
import json
import struct
import sys

from confluent_kafka import Consumer, Producer
from confluent_kafka.schema_registry import Schema, SchemaRegistryClient
from confluent_kafka.schema_registry.error import SchemaRegistryError
from confluent_kafka.serialization import MessageField, SerializationContext

AVRO_SCHEMA = json.dumps({
    'type': 'record', 'name': 'Order', 'namespace': 'shop',
    'fields': [{'name': 'id', 'type': 'long'}, {'name': 'note', 'type': 'string'}],
})
JSON_SCHEMA = json.dumps({
    '$schema': 'http://json-schema.org/draft-07/schema#', 'title': 'Order', 'type': 'object',
    'properties': {'id': {'type': 'integer'}, 'note': {'type': 'string'}}, 'required': ['id'],
})


def order_class():
    """shop.Order { int64 id = 1; string note = 2; } as a generated-like message class."""
    from google.protobuf import descriptor_pb2, descriptor_pool
    from google.protobuf import message_factory
    fdp = descriptor_pb2.FileDescriptorProto(name='shop/order.proto', package='shop', syntax='proto3')
    msg = fdp.message_type.add(name='Order')
    msg.field.add(name='id', number=1, type=descriptor_pb2.FieldDescriptorProto.TYPE_INT64,
                  label=descriptor_pb2.FieldDescriptorProto.LABEL_OPTIONAL)
    msg.field.add(name='note', number=2, type=descriptor_pb2.FieldDescriptorProto.TYPE_STRING,
                  label=descriptor_pb2.FieldDescriptorProto.LABEL_OPTIONAL)
    pool = descriptor_pool.DescriptorPool()
    fd = pool.Add(fdp)
    desc = pool.FindMessageTypeByName('shop.Order')
    if hasattr(message_factory, 'GetMessageClass'):
        return message_factory.GetMessageClass(desc)
    return message_factory.MessageFactory(pool).GetPrototype(desc)


def client_report(url):
    sr = SchemaRegistryClient({'url': url})
    out = {}
    v1 = Schema(AVRO_SCHEMA, 'AVRO')
    out['id1'] = sr.register_schema('py-value', v1)
    out['id1_again'] = sr.register_schema('py-value', v1)
    out['lookup'] = sr.lookup_schema('py-value', v1).version
    v2 = json.loads(AVRO_SCHEMA)
    v2['fields'].append({'name': 'qty', 'type': 'int', 'default': 1})
    v2s = Schema(json.dumps(v2), 'AVRO')
    out['compatible_v2'] = sr.test_compatibility('py-value', v2s)
    bad = json.loads(AVRO_SCHEMA)
    bad['fields'].append({'name': 'qty', 'type': 'int'})
    out['compatible_bad'] = sr.test_compatibility('py-value', Schema(json.dumps(bad), 'AVRO'))
    try:
        sr.register_schema('py-value', Schema(json.dumps(bad), 'AVRO'))
        out['register_bad'] = 'accepted'
    except SchemaRegistryError as e:
        out['register_bad'] = e.error_code
    out['id2'] = sr.register_schema('py-value', v2s)
    out['versions'] = sr.get_versions('py-value')
    latest = sr.get_latest_version('py-value')
    out['latest'] = [latest.version, latest.schema_id]
    out['schema_by_id'] = json.loads(sr.get_schema(out['id1']).schema_str)['name']
    js = sr.register_schema('py-json', Schema(JSON_SCHEMA, 'JSON'))
    out['json_type'] = sr.get_schema(js).schema_type
    sr.set_compatibility('py-value', 'FULL')
    out['compat_level'] = sr.get_compatibility('py-value')
    out['global_level'] = sr.get_compatibility()
    out['subjects'] = sorted(sr.get_subjects())
    out['deleted_soft'] = sr.delete_subject('py-json')
    out['deleted_hard'] = sr.delete_subject('py-value', permanent=True)
    out['subjects_after'] = sorted(sr.get_subjects())
    try:
        sr.get_versions('py-value')
    except SchemaRegistryError as e:
        out['missing'] = [e.http_status_code, e.error_code]
    print(json.dumps(out))


def serializer(fmt, sr):
    if fmt == 'json':
        from confluent_kafka.schema_registry.json_schema import JSONSerializer
        ser = JSONSerializer(JSON_SCHEMA, sr, lambda obj, ctx: obj)
        return lambda obj, ctx: ser(obj, ctx)
    if fmt == 'protobuf':
        from confluent_kafka.schema_registry.protobuf import ProtobufSerializer
        cls = order_class()
        ser = ProtobufSerializer(cls, sr)
        return lambda obj, ctx: ser(cls(id=int(obj['id']), note=obj.get('note', '')), ctx)
    import avro.io
    import avro.schema
    parse = getattr(avro.schema, 'parse', None) or avro.schema.Parse
    schema = parse(AVRO_SCHEMA)
    schema_id = None

    def encode(obj, ctx):
        nonlocal schema_id
        if schema_id is None:
            schema_id = sr.register_schema(ctx.topic + '-value', Schema(AVRO_SCHEMA, 'AVRO'))
        buf = io.BytesIO()
        buf.write(struct.pack('>bI', 0, schema_id))
        avro.io.DatumWriter(schema).write(obj, avro.io.BinaryEncoder(buf))
        return buf.getvalue()
    return encode


def deserializer(fmt, sr):
    if fmt == 'json':
        from confluent_kafka.schema_registry.json_schema import JSONDeserializer
        de = JSONDeserializer(JSON_SCHEMA, lambda obj, ctx: obj)
        return de
    if fmt == 'protobuf':
        from confluent_kafka.schema_registry.protobuf import ProtobufDeserializer
        de = ProtobufDeserializer(order_class())
        return lambda data, ctx: (lambda m: {'id': m.id, 'note': m.note})(de(data, ctx))
    import avro.io
    import avro.schema
    parse = getattr(avro.schema, 'parse', None) or avro.schema.Parse

    def decode(data, ctx):
        magic, schema_id = struct.unpack('>bI', data[:5])
        if magic != 0:
            raise ValueError('not the schema registry wire format')
        schema = parse(sr.get_schema(schema_id).schema_str)
        return avro.io.DatumReader(schema).read(avro.io.BinaryDecoder(io.BytesIO(data[5:])))
    return decode


def produce(fmt, bootstrap, url, topic):
    sr = SchemaRegistryClient({'url': url})
    ser = serializer(fmt, sr)
    p = Producer({'bootstrap.servers': bootstrap, 'api.version.request': True})
    ctx = SerializationContext(topic, MessageField.VALUE)
    errors = []
    for line in sys.stdin:
        if line.strip():
            p.produce(topic, value=ser(json.loads(line), ctx), on_delivery=lambda err, msg: err and errors.append(str(err)))
    p.flush(30)
    if errors:
        sys.exit('delivery failed: ' + '; '.join(errors))


def consume(fmt, bootstrap, url, topic, n):
    sr = SchemaRegistryClient({'url': url})
    de = deserializer(fmt, sr)
    c = Consumer({'bootstrap.servers': bootstrap, 'group.id': 'sr-interop-' + topic, 'auto.offset.reset': 'earliest',
                  'enable.auto.commit': False})
    c.subscribe([topic])
    ctx = SerializationContext(topic, MessageField.VALUE)
    got = 0
    import time
    deadline = time.time() + 30
    while got < n and time.time() < deadline:
        msg = c.poll(1.0)
        if msg is None or msg.error():
            continue
        print(json.dumps(de(msg.value(), ctx), sort_keys=True))
        got += 1
    c.close()
    if got < n:
        sys.exit('only %d of %d records' % (got, n))


if __name__ == '__main__':
    mode = sys.argv[1]
    if mode == 'client':
        client_report(sys.argv[2])
    elif mode == 'produce':
        produce(*sys.argv[2:6])
    elif mode == 'consume':
        consume(sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5], int(sys.argv[6]))
    else:
        sys.exit('unknown mode ' + mode)
