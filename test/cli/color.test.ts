// Colour policy: TTY only, NO_COLOR wins over detection, --[no-]color wins over both.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import chalk from 'chalk';
import { applyColorPolicy, loadChalk, resolveColorLevel } from '../../src/cli/color.js';

describe('colour policy', () => {
  test('a terminal gets the detected level', () => {
    assert.equal(resolveColorLevel({ env: {}, isTTY: true, detected: 2 }), 2);
  });

  test('no colour when not a terminal', () => {
    assert.equal(resolveColorLevel({ env: {}, isTTY: false, detected: 0 }), 0);
  });

  test('NO_COLOR (non-empty) disables colour even on a terminal', () => {
    assert.equal(resolveColorLevel({ env: { NO_COLOR: '1' }, isTTY: true, detected: 3 }), 0);
    assert.equal(resolveColorLevel({ env: { NO_COLOR: 'anything' }, isTTY: true, detected: 1 }), 0);
  });

  test('an empty NO_COLOR is ignored', () => {
    assert.equal(resolveColorLevel({ env: { NO_COLOR: '' }, isTTY: true, detected: 1 }), 1);
  });

  test('--no-color always disables, --color always enables', () => {
    assert.equal(resolveColorLevel({ flag: false, env: {}, isTTY: true, detected: 3 }), 0);
    assert.equal(resolveColorLevel({ flag: true, env: { NO_COLOR: '1' }, isTTY: false, detected: 0 }), 1);
    assert.equal(resolveColorLevel({ flag: true, env: { COLORTERM: 'truecolor' }, isTTY: false, detected: 0 }), 3);
  });

  test('FORCE_COLOR enables colour off a terminal, NO_COLOR still wins', () => {
    assert.equal(resolveColorLevel({ env: { FORCE_COLOR: '1' }, isTTY: false, detected: 1 }), 1);
    assert.equal(resolveColorLevel({ env: { FORCE_COLOR: '0' }, isTTY: true, detected: 2 }), 0);
    assert.equal(resolveColorLevel({ env: { FORCE_COLOR: '1', NO_COLOR: '1' }, isTTY: true, detected: 1 }), 0);
  });

  test('loadChalk applies the policy to chalk, which ignores NO_COLOR on its own', async () => {
    const saved = chalk.level;
    try {
      chalk.level = 3;
      applyColorPolicy(undefined, { NO_COLOR: '1' });
      const loaded = (await loadChalk()).default;
      assert.equal(loaded, chalk);
      assert.equal(chalk.level, 0);
      assert.equal(chalk.red('x'), 'x');
      applyColorPolicy(true, { NO_COLOR: '1' });
      await loadChalk();
      assert.ok(chalk.level > 0);
      assert.notEqual(chalk.red('x'), 'x');
    } finally {
      chalk.level = saved;
    }
  });
});
