// The console tools' line parser and record formatter, against Kafka's literal formats.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { LineFormatError, LineMessageReader, lineReaderOptions } from '../../src/formats/line-reader.js';
import { formatRecord, formatterOptions, type FormattableRecord } from '../../src/formats/record-formatter.js';

const s = (b: Buffer | null) => (b === null ? null : b.toString());

describe('LineMessageReader', () => {
  test('value only by default', () => {
    const r = new LineMessageReader(lineReaderOptions({})).read('a\tb');
    assert.deepEqual([s(r.key), s(r.value), r.headers], [null, 'a\tb', []]);
  });

  test("parse.key with a custom separator, and Kafka's error for a line without it", () => {
    const reader = new LineMessageReader(lineReaderOptions({ 'parse.key': 'true', 'key.separator': ':' }));
    const r = reader.read('user1:hello:world');
    assert.deepEqual([s(r.key), s(r.value)], ['user1', 'hello:world']);
    assert.throws(
      () => reader.read('nokey'),
      (e: unknown) => e instanceof LineFormatError && e.message === "No key separator found on line number 2: 'nokey'",
    );
  });

  test('ignore.error keeps the whole line as the value', () => {
    const r = new LineMessageReader(
      lineReaderOptions({ 'parse.key': 'true', 'key.separator': ':', 'ignore.error': 'true' }),
    ).read('nokey');
    assert.deepEqual([s(r.key), s(r.value)], [null, 'nokey']);
  });

  test('parse.headers with separators and the null marker', () => {
    const reader = new LineMessageReader(
      lineReaderOptions({ 'parse.key': 'true', 'parse.headers': 'true', 'null.marker': '<null>' }),
    );
    const r = reader.read('h1:v1,h2:<null>\tkey\t<null>');
    assert.deepEqual([s(r.key), s(r.value)], ['key', null]);
    assert.deepEqual(
      r.headers.map((h) => [h.key, s(h.value)]),
      [
        ['h1', 'v1'],
        ['h2', null],
      ],
    );
    const nullKey = reader.read('<null>\t<null>\tv');
    assert.deepEqual([s(nullKey.key), s(nullKey.value), nullKey.headers], [null, 'v', []]);
    assert.throws(() => reader.read('h1\tk\tv'), /No header key separator found in pair 'h1' on line number 3/);
    assert.throws(
      () => reader.read('<null>:x\tk\tv'),
      /Header keys should not be equal to the null marker '<null>' as they can't be null/,
    );
    assert.throws(() => reader.read('no-delimiter'), /No headers delimiter found on line number 5: 'no-delimiter'/);
  });

  test("conflicting separators are refused with Kafka's messages", () => {
    assert.throws(
      () => lineReaderOptions({ 'headers.delimiter': ',' }),
      /headers.delimiter and headers.separator may not be equal/,
    );
    assert.throws(
      () => lineReaderOptions({ 'headers.separator': ':' }),
      /headers.separator and headers.key.separator may not be equal/,
    );
    assert.throws(() => lineReaderOptions({ 'null.marker': '\t' }), /null.marker and key.separator may not be equal/);
  });
});

describe('DefaultMessageFormatter', () => {
  const rec: FormattableRecord = {
    partition: 2,
    offset: 41,
    timestamp: 1700000000000,
    timestampType: 0,
    key: Buffer.from('k'),
    value: Buffer.from('v'),
    headers: [],
  };
  const fmt = (props: Record<string, string>, r = rec) => {
    const out: Buffer[] = [];
    formatRecord(r, formatterOptions(props), out);
    return Buffer.concat(out).toString();
  };

  test('value only by default', () => {
    assert.equal(fmt({}), 'v\n');
  });

  test("every field in Kafka's order", () => {
    assert.equal(
      fmt({
        'print.timestamp': 'true',
        'print.partition': 'true',
        'print.offset': 'true',
        'print.headers': 'true',
        'print.key': 'true',
      }),
      'CreateTime:1700000000000\tPartition:2\tOffset:41\tNO_HEADERS\tk\tv\n',
    );
  });

  test('headers, separators and the null literal', () => {
    const r = {
      ...rec,
      key: null,
      value: null,
      timestampType: 1,
      headers: [
        { key: 'a', value: Buffer.from('1') },
        { key: 'b', value: null },
      ],
    };
    assert.equal(
      fmt(
        {
          'print.key': 'true',
          'print.headers': 'true',
          'print.timestamp': 'true',
          'key.separator': ' | ',
          'headers.separator': ';',
          'null.literal': 'NULL',
          'line.separator': '\r\n',
        },
        r,
      ),
      'LogAppendTime:1700000000000 | a:1;b:NULL | NULL | NULL\r\n',
    );
  });

  test('without the value, the last field ends the line', () => {
    assert.equal(fmt({ 'print.key': 'true', 'print.value': 'false' }), 'k\n');
    assert.equal(fmt({ 'print.offset': 'true', 'print.value': 'false' }), 'Offset:41\n');
  });

  test('deserializers', () => {
    const n = Buffer.alloc(8);
    n.writeBigInt64BE(-42n);
    assert.equal(
      fmt({ 'value.deserializer': 'org.apache.kafka.common.serialization.LongDeserializer' }, { ...rec, value: n }),
      '-42\n',
    );
    assert.throws(() => formatterOptions({ 'value.deserializer': 'com.example.Nope' }), /Unknown deserializer/);
  });
});
