// One-line error formatting and exit statuses.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { errorDocument, exitCodeOf, messageOf, oneLine } from '../../src/cli/errors.js';
import { KtoolError } from '../../src/errors.js';

describe('error formatting', () => {
  test('oneLine joins lines and strips colour', () => {
    assert.equal(
      oneLine('Nonexistent flag: --x\nSee more help with --help'),
      'Nonexistent flag: --x. See more help with --help',
    );
    assert.equal(oneLine('Missing 1 required arg:\ntopic  the topic'), 'Missing 1 required arg: topic the topic');
    assert.equal(oneLine('\x1b[31mred\x1b[39m'), 'red');
  });

  test('exit codes: exitCode, then oclif exit, then 1', () => {
    assert.equal(exitCodeOf(new KtoolError('x', { exitCode: 3 })), 3);
    assert.equal(exitCodeOf(Object.assign(new Error('x'), { oclif: { exit: 2 } })), 2);
    assert.equal(exitCodeOf(new Error('x')), 1);
    assert.equal(exitCodeOf('a string'), 1);
  });

  test('JSON error document', () => {
    assert.deepEqual(errorDocument(new KtoolError('boom\nmore', { code: 'BROKER_RUNNING' })), {
      error: { message: 'boom. more', code: 'BROKER_RUNNING' },
    });
    assert.deepEqual(errorDocument(new Error('plain')), { error: { message: 'plain', code: 'ERROR' } });
    assert.equal(messageOf(new Error('')), 'unknown error');
    assert.equal(messageOf('thrown string'), 'thrown string');
  });
});
