// The Java semantics every room shares (src/protocol/java-compat.ts), checked against
// what Java itself returns for the same calls.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  javaHashMapOrder,
  javaHashOrder,
  javaIntSetOrder,
  javaSplit,
  nodeHash,
  parseJavaInt,
  parseJavaLong,
  topicPartitionMapOrder,
} from '../../src/protocol/java-compat.js';

describe('Java compatibility', () => {
  test('String.split drops trailing empty strings, so a text of separators splits into nothing', () => {
    assert.deepEqual(javaSplit('a,b,,', ','), ['a', 'b']);
    assert.deepEqual(javaSplit(',a', ','), ['', 'a']);
    assert.deepEqual(javaSplit(',,', ','), []);
    assert.deepEqual(javaSplit('', ','), ['']);
    assert.deepEqual(javaSplit('abc', ','), ['abc']);
    assert.deepEqual(javaSplit('k = v', /\s*=\s*/), ['k', 'v']);
    assert.deepEqual(javaSplit('k=', /\s*=\s*/), ['k']);
  });

  test('Integer.parseInt and Long.parseLong: sign, decimal digits, their ranges, nothing else', () => {
    assert.equal(parseJavaInt('+12'), 12);
    assert.equal(parseJavaInt('-2147483648'), -2147483648);
    assert.equal(parseJavaInt('2147483647'), 2147483647);
    for (const bad of ['2147483648', '-2147483649', '', ' 1', '1.0', '0x1', '1e3', '-'])
      assert.equal(parseJavaInt(bad), undefined, bad);
    assert.equal(parseJavaLong('-9223372036854775808'), -(2n ** 63n));
    assert.equal(parseJavaLong('9223372036854775807'), 2n ** 63n - 1n);
    assert.equal(parseJavaLong('9223372036854775808'), undefined);
    assert.equal(parseJavaLong('12a'), undefined);
  });

  test('HashMap order: a repeated key keeps its first place, keys given distinct are all kept', () => {
    assert.deepEqual(
      javaHashMapOrder(['b', 'a', 'b'], (k) => k),
      ['a', 'b'],
    );
    const tps = [
      { topic: 't', partition: 1 },
      { topic: 't', partition: 0 },
      { topic: 't', partition: 1 },
    ];
    // TopicPartition.hashCode: t-0 is 1077 (bucket 5), t-1 is 1108 (bucket 4).
    assert.deepEqual(
      topicPartitionMapOrder(tps).map((tp) => tp.partition),
      [1, 0],
    );
    // new HashSet<Integer>() of 17, 1, 33: all in bucket 1 of 16, in insertion order.
    assert.deepEqual(javaIntSetOrder([17, 1, 33]), [17, 1, 33]);
    assert.deepEqual(
      javaHashOrder([3, 3], (n) => n),
      [3, 3],
    );
  });

  test('a ninth collision in one bucket of a small table doubles it, as HashMap.treeifyBin does', () => {
    // Ints 0, 16, 32, ... share bucket 0 of 16; the ninth grows the table to 32, splitting the bucket.
    const ids = [0, 16, 32, 48, 64, 80, 96, 112, 128];
    assert.deepEqual(
      javaHashOrder(ids, (n) => n),
      [0, 32, 64, 96, 128, 16, 48, 80, 112],
    );
  });

  test('Node.hashCode covers host, id, port and rack', () => {
    const node = { id: 1, host: 'h', port: 9092, rack: null };
    assert.notEqual(nodeHash(node), nodeHash({ ...node, rack: 'r' }));
    assert.equal(nodeHash(node), nodeHash({ ...node }));
  });
});
