// Secrets never printed: configs --add-config values of password-like configs (sasl.users,
// PASSWORD-type configs, JAAS configs) are masked in error lines and JSON; server-start --daemon
// hands its overrides to the broker over IPC, so neither the broker's command line
// (/proc/<pid>/cmdline) nor its log holds a secret. Runs the BUILT cli.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { isSecretConfig, shownPairs } from '../../src/ops/configs.js';
import { startTestBroker, type TestBroker } from '../helpers/broker.js';
import { freePort, runCli, sandbox } from './helpers.js';

describe('secrets stay out of configs output', { timeout: 60_000 }, () => {
  let broker: TestBroker;
  before(async () => {
    broker = await startTestBroker();
  });
  after(async () => {
    await broker?.destroy();
  });

  const cases: Array<{ addConfig: string; secrets: string[] }> = [
    { addConfig: 'sasl.users=alice:pw-users-1', secrets: ['pw-users-1'] },
    {
      addConfig: 'sasl.users=[alice:pw-users-2,bob:pw-users-3],ssl.keystore.password=pw-ks-4',
      secrets: ['pw-users-2', 'pw-users-3', 'pw-ks-4'],
    },
    { addConfig: 'listener.name.sasl_plaintext.plain.sasl.users=carol:pw-listener-5', secrets: ['pw-listener-5'] },
    { addConfig: 'sasl.scram.users=dave:pw-scram-6', secrets: ['pw-scram-6'] },
    { addConfig: 'ssl.keystore.certificate.chain=pw-chain-7', secrets: ['pw-chain-7'] },
    {
      addConfig: 'listener.name.x.plain.sasl.jaas.config=[org.Foo required password="pw-jaas-8";]',
      secrets: ['pw-jaas-8'],
    },
  ];

  for (const c of cases) {
    for (const entity of [['--entity-name', '0'], ['--entity-default']]) {
      test(`--add-config '${c.addConfig.split('=')[0]}' on brokers ${entity.join(' ')}: no secret in the error`, async () => {
        const args = [
          'configs',
          '--alter',
          '--entity-type',
          'brokers',
          ...entity,
          '--bootstrap-server',
          broker.bootstrap,
          '--add-config',
          c.addConfig,
        ];
        for (const json of [false, true]) {
          const r = await runCli(json ? [...args, '--json'] : args);
          assert.equal(r.code, 1, r.stderr);
          const out = r.stdout + r.stderr;
          assert.match(out, json ? /"error"/ : /^Error while executing config command with args '--alter .*'/, out);
          for (const s of c.secrets) assert.ok(!out.includes(s), `${s} printed: ${out}`);
        }
      });
    }
  }

  test('which names are secret, and how a set is shown', () => {
    for (const k of [
      'sasl.users',
      'listener.name.l.plain.sasl.users',
      'sasl.scram.users',
      'ssl.key.password',
      'ssl.truststore.certificates',
      'SCRAM-SHA-256',
    ]) {
      assert.ok(isSecretConfig(k), k);
    }
    for (const k of ['retention.ms', 'sasl.enabled.mechanisms', 'ssl.keystore.type', 'cleanup.policy'])
      assert.ok(!isSecretConfig(k), k);
    assert.deepEqual(
      shownPairs([
        ['retention.ms', '1000'],
        ['sasl.users', 'alice:pw'],
        ['SCRAM-SHA-256', 'iterations=8192,password=pw'],
      ]),
      [
        ['retention.ms', '1000'],
        ['sasl.users', '********'],
        ['SCRAM-SHA-256', 'iterations=8192,password=pw'],
      ],
    );
  });
});

describe(
  'server-start --daemon keeps override secrets out of argv and the log',
  { timeout: 60_000, skip: process.platform !== 'linux' },
  () => {
    const box = sandbox('ktool-secret-daemon-');
    after(async () => {
      await runCli(['server-stop'], { env: box.env, timeoutMs: 20_000 });
      box.cleanup();
    });

    test('a running daemon: /proc/<pid>/cmdline and its log name no secret', async () => {
      const dataDir = join(box.dir, 'data');
      const port = await freePort();
      const secret = 'hunter2-daemon-secret';
      const r = await runCli(
        [
          'server-start',
          '--daemon',
          '--override',
          `log.dirs=${dataDir}`,
          '--override',
          `listeners=SASL_PLAINTEXT://127.0.0.1:${port}`,
          '--override',
          'sasl.enabled.mechanisms=PLAIN',
          '--override',
          `sasl.users=alice:${secret},bob:${secret}-2`,
          '--override',
          `ssl.keystore.password=${secret}-3`,
        ],
        { env: box.env },
      );
      assert.equal(r.code, 0, r.stderr);
      const pid = Number(/\(pid (\d+)\)/.exec(r.stdout)![1]);
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      assert.match(cmdline, /--overrides-from-parent/);
      assert.ok(!cmdline.includes(secret), cmdline);
      assert.ok(!cmdline.includes('sasl.users'), 'no override in argv at all');
      const log = readFileSync(`${dataDir}.log`, 'utf8');
      assert.match(log, /ktool broker started/);
      assert.ok(!log.includes(secret), log);
      assert.ok(!(r.stdout + r.stderr).includes(secret));

      // The broker really got the users: alice authenticates, a wrong password does not.
      const props = join(box.dir, 'client.properties');
      const { writeFileSync } = await import('node:fs');
      writeFileSync(
        props,
        `security.protocol=SASL_PLAINTEXT\nsasl.mechanism=PLAIN\nsasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username="alice" password="${secret}";\n`,
      );
      const ok = await runCli(
        ['topics', '--list', '--bootstrap-server', `127.0.0.1:${port}`, '--command-config', props],
        { env: box.env },
      );
      assert.equal(ok.code, 0, ok.stderr);
    });

    test('a daemon that fails to start: neither the error nor the log names the secret', async () => {
      const dataDir = join(box.dir, 'bad');
      const port = await freePort();
      const secret = 'hunter2-failing-secret';
      const r = await runCli(
        [
          'server-start',
          '--daemon',
          '--override',
          `log.dirs=${dataDir}`,
          '--override',
          `listeners=SASL_PLAINTEXT://127.0.0.1:${port}`,
          '--override',
          `sasl.users=alice:${secret},bob`,
        ],
        { env: box.env },
      );
      assert.equal(r.code, 1);
      assert.match(r.stderr, /sasl\.users: entry 2/);
      assert.ok(!(r.stdout + r.stderr).includes(secret), r.stderr);
      if (existsSync(`${dataDir}.log`)) assert.ok(!readFileSync(`${dataDir}.log`, 'utf8').includes(secret));
    });
  },
);
