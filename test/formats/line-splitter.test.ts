import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { LineSplitter, indexOfByte } from '../../src/formats/line-splitter.js';

test('indexOfByte finds the first byte at every alignment, and -1 when it is absent', () => {
  for (let trial = 0; trial < 300; trial++) {
    const buf = randomBytes(1 + (trial % 70));
    const view = new DataView(buf.buffer, buf.byteOffset, buf.length);
    const byte = buf[trial % buf.length]!;
    for (let from = 0; from < Math.min(buf.length, 9); from++) {
      for (const to of [buf.length, Math.max(from, buf.length - 3)]) {
        let expected = buf.subarray(from, to).indexOf(byte);
        if (expected !== -1) expected += from;
        assert.equal(indexOfByte(buf, view, from, to, byte), expected);
      }
    }
  }
  // High bytes: the word test works on signed 32-bit values.
  const high = Buffer.from([0xff, 0xfe, 0x80, 0x81, 0x0a, 0xff, 0xff, 0xff, 0xff, 0x7f]);
  const view = new DataView(high.buffer, high.byteOffset, high.length);
  assert.equal(indexOfByte(high, view, 0, high.length, 0x0a), 4);
  assert.equal(indexOfByte(high, view, 0, high.length, 0x7f), 9);
  assert.equal(indexOfByte(high, view, 5, high.length, 0x80), -1);
});

test('scan and push give the same lines for any chunking, \\r\\n or \\n, with the unterminated last line from end()', () => {
  const text = Buffer.from('first\r\nsecond\n\nfourth line is longer than a word or two\r\nlast, no newline');
  const expected = ['first', 'second', '', 'fourth line is longer than a word or two', 'last, no newline'];
  for (let size = 1; size <= text.length; size++) {
    const scanned: string[] = [];
    const pushed: string[] = [];
    const a = new LineSplitter();
    const b = new LineSplitter();
    for (let at = 0; at < text.length; at += size) {
      const chunk = text.subarray(at, at + size);
      a.scan(chunk, (buf, start, end) => scanned.push(buf.toString('utf8', start, end)) > 0);
      for (const line of b.push(chunk)) pushed.push(line.toString());
    }
    scanned.push(a.end()!.toString());
    pushed.push(b.end()!.toString());
    assert.deepEqual(scanned, expected, `chunks of ${size}`);
    assert.deepEqual(pushed, expected, `chunks of ${size}`);
  }
});

test('a visitor that returns false stops the scan', () => {
  const seen: string[] = [];
  const stopped = !new LineSplitter().scan(Buffer.from('a\nb\nc\n'), (buf, s, e) => {
    seen.push(buf.toString('utf8', s, e));
    return seen.length < 2;
  });
  assert.ok(stopped);
  assert.deepEqual(seen, ['a', 'b']);
});
