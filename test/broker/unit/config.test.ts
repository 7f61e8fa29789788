import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { BrokerConfig, parseListeners } from '../../../src/broker/config/broker-config.js';
import { ConfigSource } from '../../../src/broker/config/config-defs.js';
import { parseProperties, PropertiesError } from '../../../src/broker/config/properties.js';
import { brokerConfigError, topicConfigError } from '../../../src/broker/config/validate.js';
import { collisionKey, topicNameError } from '../../../src/broker/topic-names.js';

describe('properties files', () => {
  test('Java syntax: separators, comments, continuations, escapes', () => {
    const text = [
      '# comment',
      '! also a comment',
      '',
      'a=1',
      'b : 2',
      'c 3',
      '  d=  spaced value  ',
      'long=first \\',
      '     second',
      'esc=tab\\there\\u0041',
      'key\\=with\\:seps=v',
      'empty=',
      'a=override',
    ].join('\n');
    assert.deepEqual(parseProperties(text), {
      a: 'override',
      b: '2',
      c: '3',
      d: 'spaced value  ',
      long: 'first second',
      esc: 'tab\thereA',
      'key=with:seps': 'v',
      empty: '',
    });
  });

  test('CRLF line endings and a trailing backslash at end of file', () => {
    assert.deepEqual(parseProperties('x=1\r\ny=2\\'), { x: '1', y: '2' });
  });

  test('malformed input names the line', () => {
    assert.throws(
      () => parseProperties('ok=1\n=novalue'),
      (e: unknown) => e instanceof PropertiesError && e.line === 2 && /line 2/.test(e.message),
    );
    assert.throws(
      () => parseProperties('a=\\u12'),
      (e: unknown) => e instanceof PropertiesError && e.line === 1,
    );
  });
});

describe('broker config', () => {
  test('listeners parse with protocol map; bad ones are rejected', () => {
    assert.deepEqual(parseListeners('PLAINTEXT://127.0.0.1:9092,EXTERNAL://:9093', { EXTERNAL: 'SASL_SSL' }), [
      { name: 'PLAINTEXT', protocol: 'PLAINTEXT', host: '127.0.0.1', port: 9092 },
      { name: 'EXTERNAL', protocol: 'SASL_SSL', host: '', port: 9093 },
    ]);
    assert.throws(() => parseListeners('localhost:9092'), /NAME:\/\/host:port/);
    assert.throws(() => parseListeners('FOO://h:1'), /security protocol/);
  });

  test('topic configs resolve through overrides, dynamic, static, default', () => {
    const c = new BrokerConfig(
      { 'log.retention.hours': '24', 'log.segment.bytes': '1000' },
      { 'log.retention.bytes': '99' },
    );
    const byName = Object.fromEntries(c.topicConfigs({ 'cleanup.policy': 'compact' }).map((r) => [r.name, r]));
    assert.deepEqual(
      [byName['retention.ms'].value, byName['retention.ms'].source],
      ['86400000', ConfigSource.STATIC_BROKER_CONFIG],
    );
    assert.deepEqual(
      [byName['retention.bytes'].value, byName['retention.bytes'].source],
      ['99', ConfigSource.DYNAMIC_BROKER_CONFIG],
    );
    assert.deepEqual(
      [byName['cleanup.policy'].value, byName['cleanup.policy'].source],
      ['compact', ConfigSource.DYNAMIC_TOPIC_CONFIG],
    );
    assert.deepEqual(
      [byName['max.message.bytes'].value, byName['max.message.bytes'].source],
      ['1048588', ConfigSource.DEFAULT_CONFIG],
    );
    assert.equal(c.topicValue('segment.bytes', {}), '1000');
    assert.equal(c.nodeId, 0);
    assert.equal(new BrokerConfig({ 'broker.id': '3' }).nodeId, 3);
  });

  test('config values are checked like Kafka checks them', () => {
    assert.equal(topicConfigError('retention.ms', '-1'), null);
    assert.equal(
      topicConfigError('retention.ms', 'x'),
      'Invalid value x for configuration retention.ms: Not a number of type LONG',
    );
    assert.equal(topicConfigError('cleanup.policy', 'delete,compact'), null);
    assert.match(topicConfigError('cleanup.policy', 'shred')!, /String must be one of: delete, compact/);
    assert.equal(topicConfigError('nope', '1'), 'Unknown topic config name: nope');
    assert.match(topicConfigError('min.insync.replicas', '0')!, /at least 1/);
    assert.equal(brokerConfigError('log.retention.ms', '5'), null);
    assert.equal(brokerConfigError('broker.id', '5')!.error, 'INVALID_REQUEST');
  });
});

describe('topic names', () => {
  test('Kafka legal names and its messages', () => {
    assert.equal(topicNameError('orders.v1_x-y'), null);
    assert.equal(topicNameError(''), "Topic name is illegal, it can't be empty");
    assert.equal(topicNameError('..'), 'Topic name cannot be "." or ".."');
    assert.match(topicNameError('a'.repeat(250))!, /can't be longer than 249 characters/);
    assert.match(topicNameError('a/b')!, /contains a character other than ASCII alphanumerics/);
    assert.equal(collisionKey('a.b'), collisionKey('a_b'));
  });
});
