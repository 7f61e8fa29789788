// Kafka's replication-offset-checkpoint format: what ktool writes reads back the same, and a
// torn or foreign file reads as empty (costing a wait for followers, never a record).
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  checkpointKey,
  formatCheckpoint,
  HighWatermarkCheckpoint,
  parseCheckpoint,
} from '../../../src/broker/cluster/hw-checkpoint.js';
import { nodeFs } from '../../../src/broker/storage/fs-interface.js';

test('the checkpoint text is Kafka’s: version, count, sorted "topic partition offset" lines', () => {
  const text = formatCheckpoint([
    { topic: 'b', partition: 0, offset: 7 },
    { topic: 'a', partition: 10, offset: 5 },
    { topic: 'a', partition: 2, offset: 9 },
  ]);
  assert.equal(text, '0\n3\na 2 9\na 10 5\nb 0 7\n');
  const parsed = parseCheckpoint(text);
  assert.equal(parsed.size, 3);
  assert.equal(parsed.get(checkpointKey('a', 10)), 5);
  assert.equal(parsed.get(checkpointKey('b', 0)), 7);
});

test('torn, foreign or malformed checkpoints read as empty', () => {
  for (const text of ['', '0\n3\na 2 9\n', '1\n1\na 0 1\n', '0\nx\n', '0\n1\na b c\n', '0\n-1\n'])
    assert.equal(parseCheckpoint(text).size, 0, JSON.stringify(text));
});

test('the file is replaced atomically and rewritten only when it changed', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ktool-hwcp-'));
  try {
    const cp = new HighWatermarkCheckpoint(nodeFs, dir);
    assert.equal(cp.read().size, 0, 'no file yet');
    cp.write([{ topic: 't', partition: 0, offset: 42 }]);
    const path = join(dir, 'replication-offset-checkpoint');
    assert.equal(readFileSync(path, 'utf8'), '0\n1\nt 0 42\n');
    writeFileSync(path, 'changed behind its back');
    cp.write([{ topic: 't', partition: 0, offset: 42 }]);
    assert.equal(readFileSync(path, 'utf8'), 'changed behind its back', 'same state, no write');
    cp.write([{ topic: 't', partition: 0, offset: 43 }]);
    assert.equal(new HighWatermarkCheckpoint(nodeFs, dir).read().get(checkpointKey('t', 0)), 43);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
