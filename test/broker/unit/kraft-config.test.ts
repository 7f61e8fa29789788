// KRaft configuration read as Kafka 3.x reads it, with Kafka's messages for what it refuses.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { BrokerConfig } from '../../../src/broker/config/broker-config.js';
import { kraftConfig, KRaftConfigError, parseVoters } from '../../../src/broker/config/kraft-config.js';

const combined = {
  'process.roles': 'broker,controller',
  'node.id': '1',
  'controller.quorum.voters': '1@localhost:9093,2@localhost:9095,3@localhost:9097',
  'controller.listener.names': 'CONTROLLER',
  listeners: 'PLAINTEXT://:9092,CONTROLLER://:9093',
};

const refuses = (props: Record<string, string>, message: RegExp | string) =>
  assert.throws(
    () => kraftConfig(props),
    (e: unknown) =>
      e instanceof KRaftConfigError && (typeof message === 'string' ? e.message === message : message.test(e.message)),
  );

describe('KRaft config', () => {
  test('no process.roles: the single-node dev broker, listeners as before', () => {
    assert.equal(
      kraftConfig({ 'broker.id': '3', listeners: 'PLAINTEXT://:9093', 'zookeeper.connect': 'localhost:2181' }),
      null,
    );
    assert.deepEqual(
      new BrokerConfig({ listeners: 'PLAINTEXT://127.0.0.1:9092' }).listeners.map((l) => l.name),
      ['PLAINTEXT'],
    );
  });

  test('a combined node: roles, voters, controller listener split from the broker listeners', () => {
    const k = kraftConfig(combined)!;
    assert.deepEqual([...k.roles].sort(), ['broker', 'controller']);
    assert.equal(k.nodeId, 1);
    assert.deepEqual(k.voters, [
      { id: 1, host: 'localhost', port: 9093 },
      { id: 2, host: 'localhost', port: 9095 },
      { id: 3, host: 'localhost', port: 9097 },
    ]);
    assert.deepEqual(k.controllerListeners, [{ name: 'CONTROLLER', protocol: 'PLAINTEXT', host: '', port: 9093 }]);
    assert.deepEqual(
      k.brokerListeners.map((l) => l.name),
      ['PLAINTEXT'],
    );
    assert.equal(k.interBrokerListenerName, 'PLAINTEXT');
    assert.equal(k.electionTimeoutMs, 1000);
    assert.equal(k.fetchTimeoutMs, 2000);
    // The broker role never binds the controller's listener.
    assert.deepEqual(
      new BrokerConfig(combined).listeners.map((l) => l.name),
      ['PLAINTEXT'],
    );
  });

  test('broker.id is the older spelling of node.id; both must agree', () => {
    const { 'node.id': _, ...rest } = combined;
    assert.equal(kraftConfig({ ...rest, 'broker.id': '1' })!.nodeId, 1);
    refuses({ ...combined, 'broker.id': '2' }, 'You must set `node.id` to the same value as `broker.id`.');
    refuses(
      rest,
      'Missing configuration `node.id` which is required when `process.roles` is defined (i.e. when running in KRaft mode).',
    );
  });

  test('roles: unknown and duplicate names are refused', () => {
    refuses(
      { ...combined, 'process.roles': 'broker,zookeeper' },
      "Unknown process role 'zookeeper' (only 'broker' and 'controller' are allowed roles)",
    );
    refuses({ ...combined, 'process.roles': 'broker,broker' }, /^Duplicate role names found in `process.roles`/);
  });

  test('voters: the id@host:port form, and the node among them when it is a controller', () => {
    refuses(
      { ...combined, 'controller.quorum.voters': 'localhost:9093' },
      'Invalid configuration value for controller.quorum.voters. Each entry should be in the form `{id}@{host}:{port}`.',
    );
    refuses(
      { ...combined, 'controller.quorum.voters': 'x@localhost:9093' },
      'Failed to parse voter ID as an integer from x',
    );
    refuses(
      { ...combined, 'controller.quorum.voters': '1@localhost' },
      /^Failed to parse host name from entry 1@localhost/,
    );
    refuses({ ...combined, 'controller.quorum.voters': '' }, /either controller.quorum.bootstrap.servers must contain/);
    refuses(
      { ...combined, 'controller.quorum.voters': '', 'controller.quorum.bootstrap.servers': 'localhost:9093' },
      /a dynamic quorum\) is not supported by ktool yet/,
    );
    refuses(
      { ...combined, 'node.id': '4' },
      "If process.roles contains the 'controller' role, the node id 4 must be included in the set of voters controller.quorum.voters=Set(1, 2, 3)",
    );
    assert.deepEqual(parseVoters('7@[::1]:9093'), [{ id: 7, host: '::1', port: 9093 }]);
  });

  test('controller listener: present in listeners for a controller, absent for a broker-only node', () => {
    refuses(
      { ...combined, 'controller.listener.names': '', listeners: 'PLAINTEXT://:9092' },
      "controller.listener.names must contain at least one value appearing in the 'listeners' configuration when running the KRaft controller role",
    );
    refuses(
      { ...combined, 'controller.listener.names': 'CONTROLLER,OTHER' },
      "controller.listener.names must only contain values appearing in the 'listeners' configuration when running the KRaft controller role",
    );
    const brokerOnly = { ...combined, 'process.roles': 'broker', 'node.id': '4', listeners: 'PLAINTEXT://:9092' };
    assert.deepEqual(kraftConfig(brokerOnly)!.controllerListeners, []);
    refuses({ ...brokerOnly, 'node.id': '1' }, /just the 'broker' role, the node id 1 must not be included/);
    refuses(
      { ...brokerOnly, listeners: 'PLAINTEXT://:9092,CONTROLLER://:9093' },
      /must not contain a value appearing in the 'listeners'/,
    );
    refuses(
      { ...brokerOnly, 'controller.listener.names': '' },
      'controller.listener.names must contain at least one value when running KRaft with just the broker role',
    );
    const controllerOnly = { ...combined, 'process.roles': 'controller', listeners: 'CONTROLLER://:9093' };
    assert.deepEqual(kraftConfig(controllerOnly)!.brokerListeners, []);
    refuses(
      { ...controllerOnly, listeners: 'PLAINTEXT://:9092,CONTROLLER://:9093' },
      'The listeners config must only contain KRaft controller listeners from controller.listener.names when process.roles=controller',
    );
  });

  test('inter.broker.listener.name must name a broker listener', () => {
    const props = {
      ...combined,
      listeners: 'INTERNAL://:9092,CONTROLLER://:9093',
      'listener.security.protocol.map': 'INTERNAL:PLAINTEXT,CONTROLLER:PLAINTEXT',
    };
    refuses(
      props,
      'inter.broker.listener.name must be a listener name defined in advertised.listeners. The valid options based on currently configured listeners are INTERNAL',
    );
    assert.equal(
      kraftConfig({ ...props, 'inter.broker.listener.name': 'INTERNAL' })!.interBrokerListenerName,
      'INTERNAL',
    );
    refuses(
      { ...combined, 'process.roles': 'broker,controller', listeners: 'CONTROLLER://:9093' },
      /at least one broker advertised listener. Perhaps all listeners appear in controller.listener.names/,
    );
  });

  test('an explicit protocol map must name the controller listener', () => {
    assert.throws(
      () => kraftConfig({ ...combined, 'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT' }),
      /no known security protocol/,
    );
  });
});
