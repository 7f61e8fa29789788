// The embedded schema registry over HTTP against the real broker: Confluent's REST
// semantics (ids shared and never reused, soft then hard delete, config and modes),
// its error codes as a table, basic auth, and schemas that survive a restart.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startTestBroker, tempDir, type TestBroker } from '../helpers/broker.js';
import { avroRecord, client } from './helpers.js';

const V1 = avroRecord([{ name: 'a', type: 'int' }]);
const V2 = avroRecord([
  { name: 'a', type: 'int' },
  { name: 'b', type: 'string', default: '' },
]);
const V2_NO_DEFAULT = avroRecord([
  { name: 'a', type: 'int' },
  { name: 'b', type: 'string' },
]);

describe('schema registry REST API', () => {
  let broker: TestBroker;
  let api: ReturnType<typeof client>;
  before(async () => {
    broker = await startTestBroker({ 'schema.registry.listeners': 'http://127.0.0.1:0' });
    api = client(broker.schemaRegistryUrl!);
  });
  after(() => broker.destroy());

  test('register, look up, fetch by version, by id, and the raw schema', async () => {
    assert.deepEqual((await api.post('/subjects/orders-value/versions', { schema: V1 })).body, { id: 1 });
    // The same schema again is the same id and no new version.
    assert.deepEqual((await api.post('/subjects/orders-value/versions', { schema: ` ${V1} ` })).body, { id: 1 });
    assert.deepEqual((await api.post('/subjects/orders-value/versions', { schema: V2 })).body, { id: 2 });
    // An equal schema under another subject shares its id.
    assert.deepEqual((await api.post('/subjects/other-value/versions', { schema: V1 })).body, { id: 1 });
    assert.deepEqual((await api.get('/subjects')).body, ['orders-value', 'other-value']);
    assert.deepEqual((await api.get('/subjects/orders-value/versions')).body, [1, 2]);
    const latest = (await api.get('/subjects/orders-value/versions/latest')).body;
    assert.deepEqual(latest, { subject: 'orders-value', version: 2, id: 2, schema: V2 });
    assert.deepEqual((await api.get('/subjects/orders-value/versions/-1')).body, latest);
    assert.equal((await api.get('/subjects/orders-value/versions/1/schema')).body.name, 'R');
    assert.deepEqual((await api.get('/schemas/ids/2')).body, { schema: V2 });
    assert.deepEqual((await api.get('/schemas/ids/1/subjects')).body, ['orders-value', 'other-value']);
    assert.deepEqual((await api.get('/schemas/ids/1/versions')).body, [
      { subject: 'orders-value', version: 1 },
      { subject: 'other-value', version: 1 },
    ]);
    assert.deepEqual((await api.post('/subjects/orders-value', { schema: V1 })).body, {
      subject: 'orders-value',
      version: 1,
      id: 1,
      schema: V1,
    });
    assert.deepEqual((await api.get('/schemas/types')).body.sort(), ['AVRO', 'JSON', 'PROTOBUF']);
  });

  test('JSON and PROTOBUF schemas carry their schemaType', async () => {
    const js = JSON.stringify({ type: 'object', properties: { n: { type: 'integer' } } });
    const { body } = await api.post('/subjects/js-value/versions', { schemaType: 'JSON', schema: js });
    assert.deepEqual((await api.get(`/schemas/ids/${body.id}`)).body, { schemaType: 'JSON', schema: js });
    const proto = 'syntax = "proto3";\npackage t;\nmessage M { int32 a = 1; }\n';
    const p = await api.post('/subjects/pb-value/versions', { schemaType: 'PROTOBUF', schema: proto });
    assert.equal(p.status, 200);
    assert.equal((await api.get('/subjects/pb-value/versions/1')).body.schemaType, 'PROTOBUF');
  });

  test('references: a schema naming another subject version parses, and the referenced version cannot go', async () => {
    const addr = avroRecord([{ name: 'street', type: 'string' }], 'com.acme.Address');
    await api.post('/subjects/address/versions', { schema: addr });
    const person = avroRecord([{ name: 'home', type: 'com.acme.Address' }], 'com.acme.Person');
    const refs = [{ name: 'com.acme.Address', subject: 'address', version: 1 }];
    const { status, body } = await api.post('/subjects/person-value/versions', { schema: person, references: refs });
    assert.equal(status, 200, JSON.stringify(body));
    assert.deepEqual((await api.get(`/schemas/ids/${body.id}`)).body.references, refs);
    assert.deepEqual((await api.get('/subjects/address/versions/1/referencedby')).body, [body.id]);
    const refused = await api.del('/subjects/address/versions/1');
    assert.equal(refused.body.error_code, 42206);
    // Without the reference the named type is unknown: an invalid schema.
    assert.equal((await api.post('/subjects/person2-value/versions', { schema: person })).body.error_code, 42201);
  });

  test('PROTOBUF imports by reference and well-known types; JSON Schema $ref by reference', async () => {
    const other = 'syntax = "proto3";\npackage b;\nmessage O { int32 x = 1; }\n';
    await api.post('/subjects/other-proto/versions', { schemaType: 'PROTOBUF', schema: other });
    const main =
      'syntax = "proto3";\npackage a;\nimport "other.proto";\nimport "google/protobuf/timestamp.proto";\nmessage M { b.O o = 1; google.protobuf.Timestamp at = 2; }\n';
    const refs = [{ name: 'other.proto', subject: 'other-proto', version: 1 }];
    const ok = await api.post('/subjects/main-proto/versions', {
      schemaType: 'PROTOBUF',
      schema: main,
      references: refs,
    });
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
    const missing = await api.post('/subjects/main-proto2/versions', { schemaType: 'PROTOBUF', schema: main });
    assert.equal(missing.body.error_code, 42201);
    const addr = JSON.stringify({ type: 'object', properties: { street: { type: 'string' } } });
    await api.post('/subjects/addr-json/versions', { schemaType: 'JSON', schema: addr });
    const person = JSON.stringify({ type: 'object', properties: { home: { $ref: 'addr.json' } } });
    const j = await api.post('/subjects/person-json/versions', {
      schemaType: 'JSON',
      schema: person,
      references: [{ name: 'addr.json', subject: 'addr-json', version: 1 }],
    });
    assert.equal(j.status, 200, JSON.stringify(j.body));
  });

  test('incompatible schemas are refused with 409 and the compatibility endpoint says why', async () => {
    const r = await api.post('/subjects/orders-value/versions', { schema: V2_NO_DEFAULT.replace('"b"', '"c"') });
    assert.equal(r.status, 409);
    assert.equal(r.body.error_code, 409);
    assert.match(r.body.message, /incompatible with an earlier schema for subject "orders-value"/);
    const t = await api.post('/compatibility/subjects/orders-value/versions/latest?verbose=true', {
      schema: V2_NO_DEFAULT.replace('"b"', '"c"'),
    });
    assert.equal(t.body.is_compatible, false);
    assert.ok(t.body.messages.length > 0);
    assert.deepEqual((await api.post('/compatibility/subjects/orders-value/versions/1', { schema: V2 })).body, {
      is_compatible: true,
    });
  });

  test('compatibility config: global and per subject, and NONE lets anything through', async () => {
    assert.deepEqual((await api.get('/config')).body, { compatibilityLevel: 'BACKWARD' });
    assert.equal((await api.get('/config/orders-value')).body.error_code, 40408);
    assert.deepEqual((await api.get('/config/orders-value?defaultToGlobal=true')).body, {
      compatibilityLevel: 'BACKWARD',
    });
    assert.deepEqual((await api.put('/config/orders-value', { compatibility: 'NONE' })).body, {
      compatibility: 'NONE',
    });
    assert.deepEqual((await api.get('/config/orders-value')).body, { compatibilityLevel: 'NONE' });
    assert.equal((await api.post('/subjects/orders-value/versions', { schema: '"string"' })).status, 200);
    assert.deepEqual((await api.del('/config/orders-value')).body, { compatibilityLevel: 'NONE' });
    assert.deepEqual((await api.put('/config', { compatibility: 'full_transitive' })).body, {
      compatibility: 'FULL_TRANSITIVE',
    });
    assert.deepEqual((await api.put('/config', { compatibility: 'BACKWARD' })).body, { compatibility: 'BACKWARD' });
  });

  test('modes: READONLY refuses registrations, IMPORT keeps given ids', async () => {
    assert.deepEqual((await api.get('/mode')).body, { mode: 'READWRITE' });
    await api.put('/mode/ro-value', { mode: 'READONLY' });
    const r = await api.post('/subjects/ro-value/versions', { schema: V1 });
    assert.equal(r.body.error_code, 42205);
    await api.del('/mode/ro-value');
    assert.equal((await api.get('/mode/ro-value')).body.error_code, 40409);
    assert.deepEqual((await api.put('/mode/imp-value', { mode: 'IMPORT' })).body, { mode: 'IMPORT' });
    const imported = await api.post('/subjects/imp-value/versions', { schema: '"long"', id: 500, version: 7 });
    assert.deepEqual(imported.body, { id: 500 });
    assert.deepEqual((await api.get('/subjects/imp-value/versions')).body, [7]);
    await api.del('/mode/imp-value');
    // The next fresh id comes after the highest one ever seen.
    assert.deepEqual((await api.post('/subjects/after-import/versions', { schema: '"double"' })).body, { id: 501 });
  });

  test('soft delete, then hard delete; a hard-deleted id is never handed out again', async () => {
    const { body } = await api.post('/subjects/gone-value/versions', { schema: '"bytes"' });
    const id = body.id;
    assert.equal((await api.del('/subjects/gone-value/versions/1?permanent=true')).body.error_code, 40407);
    assert.deepEqual((await api.del('/subjects/gone-value')).body, [1]);
    assert.equal((await api.get('/subjects/gone-value/versions')).body.error_code, 40401);
    assert.deepEqual((await api.get('/subjects/gone-value/versions?deleted=true')).body, [1]);
    assert.ok((await api.get('/subjects?deleted=true')).body.includes('gone-value'));
    assert.equal((await api.del('/subjects/gone-value')).body.error_code, 40404);
    // Soft-deleted schemas are still readable by id.
    assert.equal((await api.get(`/schemas/ids/${id}`)).status, 200);
    assert.deepEqual((await api.del('/subjects/gone-value?permanent=true')).body, [1]);
    assert.equal((await api.get(`/schemas/ids/${id}`)).body.error_code, 40403);
    const next = await api.post('/subjects/gone-value/versions', { schema: '"boolean"' });
    assert.ok(next.body.id > id, `${next.body.id} > ${id}`);
  });

  test('each compatibility level refuses what it must and lets through what it may, over HTTP', async () => {
    const addedNoDefault = { old: V1, new: V2_NO_DEFAULT, backward: false, forward: true };
    const removedNoDefault = { old: V2_NO_DEFAULT, new: V1, backward: true, forward: false };
    const levels = [
      'NONE',
      'BACKWARD',
      'BACKWARD_TRANSITIVE',
      'FORWARD',
      'FORWARD_TRANSITIVE',
      'FULL',
      'FULL_TRANSITIVE',
    ];
    for (const level of levels) {
      for (const [i, c] of [addedNoDefault, removedNoDefault].entries()) {
        const subject = `lvl-${level}-${i}`;
        await api.put(`/config/${subject}`, { compatibility: level });
        assert.equal((await api.post(`/subjects/${subject}/versions`, { schema: c.old })).status, 200);
        const want =
          level === 'NONE' ||
          ((!level.startsWith('FORWARD') ? c.backward : true) && (!level.startsWith('BACKWARD') ? c.forward : true));
        const r = await api.post(`/subjects/${subject}/versions`, { schema: c.new });
        assert.equal(r.status, want ? 200 : 409, `${level} ${subject}: ${JSON.stringify(r.body)}`);
      }
    }
  });

  const errorCases: Array<[string, string, string, unknown, number, number]> = [
    ['unknown subject', 'GET', '/subjects/nope/versions', undefined, 404, 40401],
    ['unknown subject version', 'GET', '/subjects/nope/versions/1', undefined, 404, 40401],
    ['unknown version', 'GET', '/subjects/orders-value/versions/99', undefined, 404, 40402],
    ['version 0', 'GET', '/subjects/orders-value/versions/0', undefined, 422, 42202],
    ['version not a number', 'GET', '/subjects/orders-value/versions/abc', undefined, 422, 42202],
    ['version beyond 2^31-1', 'GET', '/subjects/orders-value/versions/2147483648', undefined, 422, 42202],
    ['unknown schema id', 'GET', '/schemas/ids/12345', undefined, 404, 40403],
    ['lookup of an unregistered schema', 'POST', '/subjects/orders-value', { schema: '"float"' }, 404, 40403],
    ['lookup under an unknown subject', 'POST', '/subjects/nope', { schema: '"float"' }, 404, 40401],
    ['invalid Avro', 'POST', '/subjects/bad-value/versions', { schema: '{"type":"record","name":"X"}' }, 422, 42201],
    ['schema not JSON', 'POST', '/subjects/bad-value/versions', { schema: '{oops' }, 422, 42201],
    [
      'invalid protobuf',
      'POST',
      '/subjects/bad-value/versions',
      { schemaType: 'PROTOBUF', schema: 'message {' },
      422,
      42201,
    ],
    [
      'invalid JSON schema',
      'POST',
      '/subjects/bad-value/versions',
      { schemaType: 'JSON', schema: '{"type":"nonsense"}' },
      422,
      42201,
    ],
    ['unknown schema type', 'POST', '/subjects/bad-value/versions', { schemaType: 'XML', schema: '<a/>' }, 422, 42201],
    ['no schema in the body', 'POST', '/subjects/bad-value/versions', {}, 422, 42201],
    ['body not JSON', 'POST', '/subjects/bad-value/versions', '{nope', 400, 400],
    ['bad compatibility level', 'PUT', '/config', { compatibility: 'SIDEWAYS' }, 422, 42203],
    ['bad mode', 'PUT', '/mode', { mode: 'WRITEONLY' }, 422, 42204],
    ['subject without its own config', 'GET', '/config/orders-value', undefined, 404, 40408],
    ['subject without its own mode', 'GET', '/mode/orders-value', undefined, 404, 40409],
    ['hard delete before soft delete', 'DELETE', '/subjects/orders-value?permanent=true', undefined, 404, 40405],
    ['delete an unknown subject', 'DELETE', '/subjects/nope', undefined, 404, 40401],
    ['delete an unknown version', 'DELETE', '/subjects/orders-value/versions/42', undefined, 404, 40402],
    [
      'compatibility against an unknown version',
      'POST',
      '/compatibility/subjects/orders-value/versions/42',
      { schema: V1 },
      404,
      40402,
    ],
    ['unknown path', 'GET', '/no/such/path', undefined, 404, 404],
    ['wrong method', 'PATCH', '/subjects', undefined, 405, 405],
  ];
  for (const [name, method, path, body, status, code] of errorCases) {
    test(`error: ${name} -> ${status} ${code}`, async () => {
      const r = await api.call(method, path, body);
      assert.equal(r.status, status, JSON.stringify(r.body));
      assert.equal(r.body.error_code, code, JSON.stringify(r.body));
      assert.equal(typeof r.body.message, 'string');
    });
  }
});

describe('schema registry storage', () => {
  test('schemas, ids, configs and deletes survive a restart, stored in the compacted _schemas topic', async () => {
    const dataDir = tempDir();
    const props = { 'schema.registry.listeners': 'http://127.0.0.1:0' };
    let broker = await startTestBroker(props, dataDir);
    let api = client(broker.schemaRegistryUrl!);
    await api.post('/subjects/a-value/versions', { schema: V1 });
    await api.post('/subjects/a-value/versions', { schema: V2 });
    await api.post('/subjects/b-value/versions', { schema: '"string"' });
    await api.put('/config/a-value', { compatibility: 'FULL' });
    await api.del('/subjects/b-value');
    await api.del('/subjects/b-value?permanent=true');
    const topic = broker.broker.topic('_schemas');
    assert.equal(topic?.configs['cleanup.policy'], 'compact');
    await broker.close();

    broker = await startTestBroker(props, dataDir);
    api = client(broker.schemaRegistryUrl!);
    try {
      assert.deepEqual((await api.get('/subjects')).body, ['a-value']);
      assert.deepEqual((await api.get('/subjects/a-value/versions/2')).body, {
        subject: 'a-value',
        version: 2,
        id: 2,
        schema: V2,
      });
      assert.deepEqual((await api.get('/config/a-value')).body, { compatibilityLevel: 'FULL' });
      // Id 3 was hard-deleted; the next schema gets 4.
      assert.deepEqual((await api.post('/subjects/c-value/versions', { schema: '"int"' })).body, { id: 4 });
    } finally {
      await broker.destroy();
    }
  });

  test('after compaction removes a hard-deleted schema, its id is still never handed out again', async () => {
    const dataDir = tempDir();
    const props = { 'schema.registry.listeners': 'http://127.0.0.1:0' };
    let broker = await startTestBroker(props, dataDir);
    let api = client(broker.schemaRegistryUrl!);
    await api.post('/subjects/keep-value/versions', { schema: '"int"' });
    const { body } = await api.post('/subjects/top-value/versions', { schema: '"string"' });
    await api.del('/subjects/top-value');
    await api.del('/subjects/top-value?permanent=true');
    const log = broker.broker.topic('_schemas')!.partitions[0].log;
    log.roll();
    await broker.broker.cleanCompactedLogs();
    // The record that carried the id is gone; only its tombstone (and the id floor) remain.
    const left = log
      .read(log.logStartOffset, 1 << 20, {})
      .chunks.map((c) => c.toString('latin1'))
      .join('');
    assert.ok(!left.includes('"id":2'), 'the schema record was compacted away');
    await broker.close();
    broker = await startTestBroker(props, dataDir);
    api = client(broker.schemaRegistryUrl!);
    try {
      assert.deepEqual((await api.post('/subjects/next-value/versions', { schema: '"long"' })).body, {
        id: body.id + 1,
      });
    } finally {
      await broker.destroy();
    }
  });

  test('a broker without schema.registry.listeners in tests, or with schema.registry.enable=false, serves no registry', async () => {
    const b = await startTestBroker({
      'schema.registry.enable': 'false',
      'schema.registry.listeners': 'http://127.0.0.1:0',
    });
    try {
      assert.equal(b.schemaRegistryUrl, undefined);
    } finally {
      await b.destroy();
    }
  });

  test('an explicitly configured registry address that is taken fails the broker start with one message', async () => {
    const first = await startTestBroker({ 'schema.registry.listeners': 'http://127.0.0.1:0' });
    try {
      await assert.rejects(
        startTestBroker({ 'schema.registry.listeners': first.schemaRegistryUrl! }),
        /schema registry cannot listen on 127\.0\.0\.1:\d+: the address is already in use/,
      );
    } finally {
      await first.destroy();
    }
  });
});

describe('schema registry basic auth', () => {
  test('with users configured, requests need their credentials', async () => {
    const b = await startTestBroker({
      'schema.registry.listeners': 'http://127.0.0.1:0',
      'schema.registry.authentication.users': 'alice:s3cret',
    });
    try {
      const anon = await client(b.schemaRegistryUrl!).get('/subjects');
      assert.deepEqual(anon, { status: 401, body: { error_code: 401, message: 'Unauthorized' } });
      const wrong = await client(b.schemaRegistryUrl!, 'alice:nope').get('/subjects');
      assert.equal(wrong.status, 401);
      assert.deepEqual(await client(b.schemaRegistryUrl!, 'alice:s3cret').get('/subjects'), { status: 200, body: [] });
    } finally {
      await b.destroy();
    }
  });
});
