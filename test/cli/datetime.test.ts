// --to-datetime is Kafka's strict date: an impossible field is an error, never a rolled-over instant.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseDateTime } from '../../src/ops/offset-reset.js';

test('valid dates, leap days and zones parse to the instant they name', () => {
  assert.equal(parseDateTime('2024-02-29T00:00:00.000'), Date.UTC(2024, 1, 29));
  assert.equal(parseDateTime('2000-02-29T12:30:00.000Z'), Date.UTC(2000, 1, 29, 12, 30));
  assert.equal(parseDateTime('2026-12-31T23:59:59.999+02:00'), Date.UTC(2026, 11, 31, 21, 59, 59, 999));
  assert.equal(parseDateTime('2026-06-01T00:00:00.000-0130'), Date.UTC(2026, 5, 1, 1, 30));
});

test('impossible fields are an Unparseable date', () => {
  for (const bad of [
    '2099-13-45T00:00:00.000',
    '2026-00-10T00:00:00.000',
    '2026-02-30T00:00:00.000',
    '2025-02-29T00:00:00.000',
    '1900-02-29T00:00:00.000',
    '2026-04-31T00:00:00.000',
    '2026-01-01T24:00:00.000',
    '2026-01-01T99:00:00.000',
    '2026-01-01T00:60:00.000',
    '2026-01-01T00:00:60.000',
    '2026-01-01T00:00:00.000+25:00',
    '2026-01-01T00:00:00.000+01:60',
  ]) {
    assert.throws(() => parseDateTime(bad), /Unparseable date/, bad);
  }
});
