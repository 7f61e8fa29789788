// The protocol client: version negotiation, pipelining, timeouts, failures.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { BrokerConnection } from '../../src/client/broker-connection.js';
import { ClusterClient } from '../../src/client/cluster.js';
import { ConnectionError, KafkaError, parseHostPort } from '../../src/client/errors.js';
import { CLIENT_SOFTWARE_VERSION } from '../../src/client/version.js';
import { startTestBroker, type TestBroker } from '../helpers/broker.js';
import { answer, apiVersionsBody, recordRequests } from '../helpers/controls.js';
import { startSilentServer } from '../helpers/secure-proxy.js';
import { freePort, hasStack, lines, ROOT, runCli } from '../cli/helpers.js';

const METADATA = 3;

describe('protocol client: connection', () => {
  let broker: TestBroker;
  before(async () => {
    broker = await startTestBroker();
  });
  after(async () => {
    await broker?.destroy();
  });

  test('negotiates ApiVersions v3 and picks min(broker max, our max)', async () => {
    const conn = await BrokerConnection.open({ host: '127.0.0.1', port: broker.port });
    try {
      assert.equal(conn.apiVersionsVersion, 3);
      assert.deepEqual(conn.versions.get(METADATA), { minVersion: 0, maxVersion: 12 });
      assert.equal(conn.pickVersion(METADATA, 12), 12);
      assert.equal(conn.pickVersion(METADATA, 99), 12);
      assert.equal(conn.pickVersion(METADATA, 4), 4);
      assert.ok(conn.supports(19));
      assert.throws(
        () => conn.pickVersion(76),
        (e: unknown) =>
          e instanceof KafkaError &&
          e.errorName === 'UNSUPPORTED_VERSION' &&
          /does not support ShareGroupHeartbeat/.test(e.message),
      );
    } finally {
      conn.close();
    }
  });

  test('falls back when the broker does not know ApiVersions v3 (v0 error answer)', async () => {
    // A broker that serves ApiVersions up to v2 answers v3 in v0 form with an error and its ranges.
    const fake = await startTestBroker();
    fake.apis.capVersion(18, 2);
    fake.apis.capVersion(METADATA, 9);
    const seen = recordRequests(fake, [18]);
    try {
      const conn = await BrokerConnection.open({ host: '127.0.0.1', port: fake.port });
      assert.equal(conn.apiVersionsVersion, 2);
      assert.deepEqual(
        seen.map((r) => [r.apiKey, r.apiVersion]),
        [
          [18, 3],
          [18, 2],
        ],
      );
      assert.equal(conn.pickVersion(METADATA, 12), 9);
      conn.close();
    } finally {
      await fake.destroy();
    }
  });

  test('falls back to v0 when the error answer lists no ApiVersions range', async () => {
    const fake = await startTestBroker();
    // ApiVersions is not advertised at all; only a v0 request gets a real answer.
    fake.apis.capVersion(18, -1);
    const seen = recordRequests(fake, [18]);
    fake.controls.add(18, (req) =>
      req.apiVersion === 0
        ? {
            respond: apiVersionsBody([
              [18, 0, 0],
              [3, 0, 1],
            ]),
          }
        : undefined,
    );
    try {
      const conn = await BrokerConnection.open({ host: '127.0.0.1', port: fake.port });
      assert.equal(conn.apiVersionsVersion, 0);
      assert.deepEqual(
        seen.map((r) => r.apiVersion),
        [3, 0],
      );
      conn.close();
    } finally {
      await fake.destroy();
    }
  });

  test('ranges that do not overlap are an UNSUPPORTED_VERSION error', async () => {
    const fake = await startTestBroker();
    answer(fake, 18, () =>
      apiVersionsBody([
        [18, 0, 3],
        [19, 5, 7],
      ]),
    );
    try {
      const conn = await BrokerConnection.open({ host: '127.0.0.1', port: fake.port });
      assert.throws(
        () => conn.pickVersion(19, 4),
        (e: unknown) =>
          e instanceof KafkaError &&
          e.errorName === 'UNSUPPORTED_VERSION' &&
          e.message.includes('supports CreateTopics versions 5-7, ktool needs 0-4'),
      );
      conn.close();
    } finally {
      await fake.destroy();
    }
  });

  test('sends the client id and software name/version', async () => {
    const seen = recordRequests(broker, [18]);
    try {
      const conn = await BrokerConnection.open({ host: '127.0.0.1', port: broker.port, clientId: 'my-client' });
      conn.close();
      const req = seen[0]!;
      assert.equal(req.clientId, 'my-client');
      assert.equal(req.body.clientSoftwareName, 'ktool');
      assert.equal(req.body.clientSoftwareVersion, CLIENT_SOFTWARE_VERSION);
    } finally {
      broker.controls.clear();
    }
  });

  test('the client software version matches package.json', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    assert.equal(CLIENT_SOFTWARE_VERSION, pkg.version);
  });

  test('pipelines many requests on one connection and matches responses by correlation id', async () => {
    const client = await ClusterClient.connect({ bootstrap: [broker.bootstrap] });
    try {
      const names = Array.from({ length: 40 }, (_, i) => `pipelined-${i}`);
      const conn = client.bootstrapConnection;
      const pending = names.map((name) => conn.send(METADATA, { topics: [{ name }], allowAutoTopicCreation: false }));
      assert.equal(conn.inFlight, names.length, 'all requests are written before any response is read');
      const responses = await Promise.all(pending);
      responses.forEach((r, i) => {
        assert.equal(r.topics.length, 1);
        assert.equal(r.topics[0].name, names[i]);
        assert.equal(r.topics[0].errorCode, 3); // UNKNOWN_TOPIC_OR_PARTITION
      });
      assert.equal(conn.inFlight, 0);
    } finally {
      client.close();
    }
  });

  test('a request that gets no answer fails after the request timeout, naming the address', async () => {
    const fake = await startTestBroker();
    fake.controls.add(METADATA, () => ({ hold: true }));
    try {
      const client = await ClusterClient.connect({ bootstrap: [fake.bootstrap], requestTimeoutMs: 300 });
      const started = Date.now();
      await assert.rejects(client.refreshMetadata(), (e: unknown) => {
        assert.ok(e instanceof ConnectionError);
        assert.equal(e.code, 'REQUEST_TIMEOUT');
        assert.equal(e.message, `Request Metadata to ${fake.bootstrap} timed out after 300 ms`);
        return true;
      });
      const took = Date.now() - started;
      assert.ok(took >= 290 && took < 2000, `took ${took} ms`);
      assert.ok(client.bootstrapConnection.closed, 'a timed-out connection is closed');
      client.close();
    } finally {
      await fake.destroy();
    }
  });

  test('a server that accepts but never answers fails within the timeout', async () => {
    const silent = await startSilentServer();
    try {
      const started = Date.now();
      await assert.rejects(
        BrokerConnection.open({ host: '127.0.0.1', port: silent.port, requestTimeoutMs: 400 }),
        (e: unknown) => {
          assert.ok(e instanceof ConnectionError);
          assert.equal(e.code, 'REQUEST_TIMEOUT');
          assert.match(
            e.message,
            new RegExp(
              `^Request ApiVersions to ${silent.address} timed out after \\d+ ms \\(is this a Kafka broker\\?\\)$`,
            ),
          );
          return true;
        },
      );
      assert.ok(Date.now() - started < 2000);
    } finally {
      await silent.close();
    }
  });

  test('the connect budget is min(5 s, request timeout)', async () => {
    const silent = await startSilentServer();
    try {
      const started = Date.now();
      await assert.rejects(
        BrokerConnection.open({
          host: '127.0.0.1',
          port: silent.port,
          requestTimeoutMs: 60_000,
          connectTimeoutMs: 300,
        }),
      );
      assert.ok(
        Date.now() - started < 2000,
        'ApiVersions is part of connection set-up and bounded by the connect timeout',
      );
    } finally {
      await silent.close();
    }
  });

  test('a refused connection fails fast with the address and ECONNREFUSED', async () => {
    const port = await freePort();
    const started = Date.now();
    await assert.rejects(ClusterClient.connect({ bootstrap: [`127.0.0.1:${port}`] }), (e: unknown) => {
      assert.ok(e instanceof ConnectionError);
      assert.equal(e.code, 'CONNECT_FAILED');
      assert.equal(e.sysCode, 'ECONNREFUSED');
      assert.equal(e.message, `Cannot connect to 127.0.0.1:${port}: connection refused (ECONNREFUSED)`);
      return true;
    });
    assert.ok(Date.now() - started < 2000);
  });

  test('bootstrap tries each server in order and uses the first that answers', async () => {
    const dead = await freePort();
    const client = await ClusterClient.connect({ bootstrap: [`127.0.0.1:${dead}`, broker.bootstrap] });
    try {
      assert.equal(client.bootstrapConnection.port, broker.port);
    } finally {
      client.close();
    }
    const dead2 = await freePort();
    await assert.rejects(
      ClusterClient.connect({ bootstrap: [`127.0.0.1:${dead}`, `127.0.0.1:${dead2}`] }),
      (e: unknown) => {
        assert.ok(e instanceof ConnectionError);
        assert.equal(
          e.message,
          `Cannot connect to any bootstrap server: 127.0.0.1:${dead}: connection refused (ECONNREFUSED); 127.0.0.1:${dead2}: connection refused (ECONNREFUSED)`,
        );
        return true;
      },
    );
  });

  test('a connection closed with requests in flight fails them', async () => {
    const fake = await startTestBroker();
    fake.controls.add(METADATA, () => ({ drop: true }));
    try {
      const client = await ClusterClient.connect({ bootstrap: [fake.bootstrap] });
      await assert.rejects(client.refreshMetadata(), (e: unknown) => {
        assert.ok(e instanceof ConnectionError);
        assert.equal(e.code, 'CONNECTION_CLOSED');
        assert.match(
          e.message,
          new RegExp(`^Connection to ${fake.bootstrap} closed before a response to Metadata arrived`),
        );
        return true;
      });
      client.close();
    } finally {
      await fake.destroy();
    }
  });

  test('something that is not Kafka (an HTTP server) is a clear error', async () => {
    const http = createServer((s) => {
      s.on('error', () => {});
      s.once('data', () => s.end('HTTP/1.1 400 Bad Request\r\n\r\n'));
    });
    await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
    const port = (http.address() as { port: number }).port;
    try {
      await assert.rejects(BrokerConnection.open({ host: '127.0.0.1', port }), (e: unknown) => {
        assert.ok(e instanceof ConnectionError);
        assert.equal(e.code, 'BAD_RESPONSE');
        assert.match(
          e.message,
          /^Invalid response from 127\.0\.0\.1:\d+: a frame of 1213486160 bytes \(is this a Kafka broker\? check security\.protocol\)$/,
        );
        return true;
      });
    } finally {
      http.close();
    }
  });

  test('metadata, leaderOf, node and controller connections', async () => {
    await broker.broker.createTopic(
      { name: 'client.md', numPartitions: 2, replicationFactor: 1, assignments: [], configs: {} },
      false,
    );
    const client = await ClusterClient.connect({ bootstrap: [broker.bootstrap] });
    try {
      const md = await client.refreshMetadata();
      assert.equal(md.controllerId, broker.broker.nodeId);
      assert.deepEqual([...md.brokers.keys()], [broker.broker.nodeId]);
      const t = md.topics.get('client.md')!;
      assert.equal(t.partitions.length, 2);
      assert.equal(t.topicId.length, 22);
      assert.equal(client.leaderOf('client.md', 1), broker.broker.nodeId);
      assert.equal(client.leaderOf('client.md', 7), undefined);
      assert.equal(client.leaderOf('nope', 0), undefined);
      // The broker advertises the address we bootstrapped with: no second connection.
      assert.equal(await client.connection(broker.broker.nodeId), client.bootstrapConnection);
      assert.equal(await client.connection('controller'), client.bootstrapConnection);
      // A partial refresh keeps the other topics.
      const partial = await client.refreshMetadata(['missing-topic']);
      assert.ok(partial.topics.has('client.md'));
      assert.equal(partial.topics.get('missing-topic')!.errorCode, 3);
      const res = await client.send(
        60,
        { includeClusterAuthorizedOperations: false, endpointType: 1 },
        { node: 'controller' },
      );
      assert.equal(res.errorCode, 0);
    } finally {
      client.close();
    }
    await assert.rejects(client.send(3, {}), /closed/);
  });

  test('bootstrap addresses are validated', () => {
    assert.deepEqual(parseHostPort('localhost:9092'), { host: 'localhost', port: 9092 });
    assert.deepEqual(parseHostPort('[::1]:9093'), { host: '::1', port: 9093 });
    assert.deepEqual(parseHostPort('PLAINTEXT://b1:9092'), { host: 'b1', port: 9092 });
    assert.throws(() => parseHostPort('localhost'), /Invalid url in bootstrap.servers: localhost/);
    assert.throws(() => parseHostPort('h:0'), /Invalid url/);
    assert.throws(() => parseHostPort('h:70000'), /Invalid url/);
  });
});

describe('protocol client: failures through the CLI', () => {
  const env = { KAFKA_BOOTSTRAP_SERVERS: undefined, XDG_CONFIG_HOME: '/nonexistent-ktool-config' };

  test('an unreachable bootstrap server: one line, exit 1, within 5 s, no stack', async () => {
    const port = await freePort();
    const started = Date.now();
    const r = await runCli(['topics', '--list', '--bootstrap-server', `localhost:${port}`], { env });
    assert.ok(Date.now() - started < 5000, `took ${Date.now() - started} ms`);
    assert.equal(r.code, 1);
    assert.equal(r.stdout, '');
    assert.deepEqual(lines(r.stderr), [
      `Error: Cannot connect to localhost:${port}: connection refused (ECONNREFUSED)`,
    ]);
    assert.ok(!hasStack(r.stderr));
  });

  test('a server that never answers: one line naming the address and the timeout', async () => {
    const silent = await startSilentServer();
    const { mkdtempSync, writeFileSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(join(tmpdir(), 'ktool-timeout-'));
    try {
      writeFileSync(join(dir, 'client.properties'), 'request.timeout.ms=700\n');
      const started = Date.now();
      const r = await runCli(
        ['topics', '--list', '--bootstrap-server', silent.address, '--command-config', join(dir, 'client.properties')],
        { env },
      );
      assert.ok(Date.now() - started < 5000);
      assert.equal(r.code, 1);
      assert.deepEqual(lines(r.stderr), [
        `Error: Request ApiVersions to ${silent.address} timed out after 700 ms (is this a Kafka broker?)`,
      ]);
    } finally {
      await silent.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('--json turns a connection failure into an error document', async () => {
    const port = await freePort();
    const r = await runCli(['topics', 'list', '--bootstrap-server', `127.0.0.1:${port}`, '--json'], { env });
    assert.equal(r.code, 1);
    assert.deepEqual(JSON.parse(r.stdout), {
      error: {
        message: `Cannot connect to 127.0.0.1:${port}: connection refused (ECONNREFUSED)`,
        code: 'CONNECT_FAILED',
      },
    });
  });
});
