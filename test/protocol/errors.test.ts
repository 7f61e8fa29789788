// Kafka's error table and the protocol error classes.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  ErrorCode,
  KafkaError,
  ProtocolError,
  errorMessage,
  errorName,
  isRetriable,
} from '../../src/protocol/index.js';

test('well-known codes', () => {
  assert.equal(ErrorCode.UNKNOWN_SERVER_ERROR, -1);
  assert.equal(ErrorCode.NONE, 0);
  assert.equal(ErrorCode.OFFSET_OUT_OF_RANGE, 1);
  assert.equal(ErrorCode.CORRUPT_MESSAGE, 2);
  assert.equal(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, 3);
  assert.equal(ErrorCode.NOT_LEADER_OR_FOLLOWER, 6);
  assert.equal(ErrorCode.COORDINATOR_NOT_AVAILABLE, 15);
  assert.equal(ErrorCode.REBALANCE_IN_PROGRESS, 27);
  assert.equal(ErrorCode.UNSUPPORTED_VERSION, 35);
  assert.equal(ErrorCode.TOPIC_ALREADY_EXISTS, 36);
  assert.equal(ErrorCode.MEMBER_ID_REQUIRED, 79);
  assert.equal(ErrorCode.UNKNOWN_TOPIC_ID, 100);
  assert.equal(ErrorCode.TRANSACTION_ABORTABLE, 120);
});

test('the table runs from -1 without gaps or duplicates', () => {
  const codes = Object.values(ErrorCode).sort((a, b) => a - b);
  assert.equal(codes[0], -1);
  codes.forEach((code, i) => assert.equal(code, i - 1));
  assert.ok(codes.length >= 121);
  for (const [name, code] of Object.entries(ErrorCode)) assert.equal(errorName(code), name);
});

test('retriable flags', () => {
  for (const name of [
    'CORRUPT_MESSAGE',
    'UNKNOWN_TOPIC_OR_PARTITION',
    'LEADER_NOT_AVAILABLE',
    'NOT_LEADER_OR_FOLLOWER',
    'REQUEST_TIMED_OUT',
    'NOT_COORDINATOR',
    'COORDINATOR_LOAD_IN_PROGRESS',
    'NOT_ENOUGH_REPLICAS',
    'KAFKA_STORAGE_ERROR',
    'FETCH_SESSION_ID_NOT_FOUND',
    'UNKNOWN_TOPIC_ID',
    'THROTTLING_QUOTA_EXCEEDED',
  ] as const) {
    assert.equal(isRetriable(ErrorCode[name]), true, name);
  }
  for (const name of [
    'NONE',
    'UNKNOWN_SERVER_ERROR',
    'OFFSET_OUT_OF_RANGE',
    'TOPIC_ALREADY_EXISTS',
    'UNSUPPORTED_VERSION',
    'REBALANCE_IN_PROGRESS',
    'MEMBER_ID_REQUIRED',
    'INVALID_REPLICATION_FACTOR',
  ] as const) {
    assert.equal(isRetriable(ErrorCode[name]), false, name);
  }
  assert.equal(isRetriable(9999), false);
});

test('unknown codes', () => {
  assert.equal(errorName(9999), 'UNKNOWN_ERROR_CODE_9999');
  assert.match(errorMessage(9999), /9999/);
  assert.ok(errorMessage(ErrorCode.TOPIC_ALREADY_EXISTS).length > 0);
});

test('KafkaError carries the code and name', () => {
  const e = new KafkaError('UNKNOWN_TOPIC_OR_PARTITION');
  assert.ok(e instanceof Error);
  assert.equal(e.code, 3);
  assert.equal(e.errorName, 'UNKNOWN_TOPIC_OR_PARTITION');
  assert.equal(e.retriable, true);
  assert.equal(e.message, errorMessage(3));
  const custom = new KafkaError('INVALID_CONFIG', 'retention.ms must be a number');
  assert.equal(custom.message, 'retention.ms must be a number');
  assert.equal(custom.code, 40);
  const raw = new KafkaError(36);
  assert.equal(raw.errorName, 'TOPIC_ALREADY_EXISTS');
});

test('ProtocolError is a distinct Error', () => {
  const e = new ProtocolError('bad frame');
  assert.ok(e instanceof Error);
  assert.equal(e.name, 'ProtocolError');
  assert.ok(!(e instanceof KafkaError));
});
