// A KRaft config Kafka would refuse stops server-start with Kafka's message on one line and exit 1.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { freePort, hasStack, lines, runCli, sandbox } from '../../cli/helpers.js';

const box = sandbox('ktool-kraft-cli-');
after(() => box.cleanup());

describe('server-start with a bad KRaft config', () => {
  const cases: Array<[string, (p: number, c: number) => string[], RegExp]> = [
    [
      'an unknown role',
      (p, c) => [
        'process.roles=broker,zookeeper',
        'node.id=1',
        `controller.quorum.voters=1@127.0.0.1:${c}`,
        'controller.listener.names=CONTROLLER',
        `listeners=PLAINTEXT://127.0.0.1:${p},CONTROLLER://127.0.0.1:${c}`,
      ],
      /^Error: Unknown process role 'zookeeper' \(only 'broker' and 'controller' are allowed roles\)$/,
    ],
    [
      'a controller missing from the voters',
      (p, c) => [
        'process.roles=broker,controller',
        'node.id=4',
        `controller.quorum.voters=1@127.0.0.1:${c}`,
        'controller.listener.names=CONTROLLER',
        `listeners=PLAINTEXT://127.0.0.1:${p},CONTROLLER://127.0.0.1:${c}`,
      ],
      /^Error: If process.roles contains the 'controller' role, the node id 4 must be included in the set of voters controller.quorum.voters=Set\(1\)$/,
    ],
    [
      'voters without ids',
      (p, c) => [
        'process.roles=broker,controller',
        'node.id=1',
        `controller.quorum.voters=127.0.0.1:${c}`,
        'controller.listener.names=CONTROLLER',
        `listeners=PLAINTEXT://127.0.0.1:${p},CONTROLLER://127.0.0.1:${c}`,
      ],
      /^Error: Invalid configuration value for controller.quorum.voters. Each entry should be in the form `\{id\}@\{host\}:\{port\}`.$/,
    ],
    [
      'no node id',
      (p, c) => [
        'process.roles=controller',
        `controller.quorum.voters=1@127.0.0.1:${c}`,
        'controller.listener.names=CONTROLLER',
        `listeners=CONTROLLER://127.0.0.1:${c}`,
      ],
      /^Error: Missing configuration `node.id` which is required when `process.roles` is defined \(i.e. when running in KRaft mode\).$/,
    ],
  ];
  for (const [what, props, message] of cases) {
    test(what, async () => {
      const file = join(box.dir, `${what.replace(/\W+/g, '-')}.properties`);
      writeFileSync(
        file,
        [...props(await freePort(), await freePort()), `log.dirs=${join(box.dir, 'data')}`, ''].join('\n'),
      );
      const r = await runCli(['server-start', file], { env: box.env, timeoutMs: 20_000 });
      assert.equal(r.code, 1);
      assert.equal(hasStack(r.stderr), false, r.stderr);
      assert.deepEqual(lines(r.stderr).length, 1, r.stderr);
      assert.match(lines(r.stderr)[0]!, message);
    });
  }
});
