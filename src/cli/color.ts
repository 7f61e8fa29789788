/**
 * Colour policy: colour only when writing to a terminal, never when NO_COLOR
 * is set (https://no-color.org: present and not empty), and `--color` /
 * `--no-color` override both. chalk does not look at NO_COLOR itself, so the
 * level is resolved here and assigned to chalk's shared instances.
 */
// chalk is not imported here: it costs ~8 ms of startup and most commands never colour.

export type ColorLevel = 0 | 1 | 2 | 3;

export interface ColorInputs {
  /** `--color` (true), `--no-color` (false) or neither (undefined). */
  flag?: boolean;
  env: Record<string, string | undefined>;
  isTTY: boolean;
  /** What chalk/supports-color detected for the stream (0 when not a TTY). */
  detected: ColorLevel;
}

function levelFromTerminal(env: Record<string, string | undefined>): ColorLevel {
  const colorterm = (env.COLORTERM ?? '').toLowerCase();
  if (colorterm === 'truecolor' || colorterm === '24bit') return 3;
  if (/-256(color)?$/i.test(env.TERM ?? '')) return 2;
  return 1;
}

function forceColor(env: Record<string, string | undefined>): ColorLevel | undefined {
  const value = env.FORCE_COLOR;
  if (value === undefined) return undefined;
  if (value === '' || value === 'true' || value === '1') return 1;
  if (value === '0' || value === 'false') return 0;
  if (value === '2') return 2;
  if (value === '3') return 3;
  return 1;
}

export function resolveColorLevel(input: ColorInputs): ColorLevel {
  if (input.flag === false) return 0;
  if (input.flag === true) return input.detected > 0 ? input.detected : levelFromTerminal(input.env);
  const noColor = input.env.NO_COLOR;
  if (noColor !== undefined && noColor !== '') return 0;
  const forced = forceColor(input.env);
  if (forced !== undefined) return forced === 0 ? 0 : (Math.max(forced, input.detected) as ColorLevel);
  if (!input.isTTY) return 0;
  return input.detected > 0 ? input.detected : levelFromTerminal(input.env);
}

const levels: { out: ColorLevel; err: ColorLevel } = { out: 0, err: 0 };

function detectedLevel(isTTY: boolean, env: Record<string, string | undefined>): ColorLevel {
  return isTTY ? levelFromTerminal(env) : 0;
}

/** Resolve the policy for stdout and stderr; returns the stdout level. Chalk gets it in loadChalk(). */
export function applyColorPolicy(flag?: boolean, env: Record<string, string | undefined> = process.env): ColorLevel {
  const outTTY = process.stdout.isTTY === true;
  const errTTY = process.stderr.isTTY === true;
  levels.out = resolveColorLevel({ flag, env, isTTY: outTTY, detected: detectedLevel(outTTY, env) });
  levels.err = resolveColorLevel({ flag, env, isTTY: errTTY, detected: detectedLevel(errTTY, env) });
  return levels.out;
}

/** The stdout colour level the policy chose (0: no colour). */
export function colorLevel(): ColorLevel {
  return levels.out;
}

/** chalk, loaded on first use, with the policy's levels applied. */
export async function loadChalk(): Promise<typeof import('chalk')> {
  const mod = await import('chalk');
  mod.default.level = levels.out;
  mod.chalkStderr.level = levels.err;
  return mod;
}
