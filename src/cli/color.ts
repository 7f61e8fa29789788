/**
 * Colour policy: colour only when writing to a terminal, never when NO_COLOR
 * is set (https://no-color.org: present and not empty), and `--color` /
 * `--no-color` override both. chalk does not look at NO_COLOR itself, so the
 * level is resolved here and assigned to chalk's shared instances.
 */
import chalk, { chalkStderr, supportsColor, supportsColorStderr } from 'chalk'

export type ColorLevel = 0 | 1 | 2 | 3

export interface ColorInputs {
  /** `--color` (true), `--no-color` (false) or neither (undefined). */
  flag?: boolean
  env: Record<string, string | undefined>
  isTTY: boolean
  /** What chalk/supports-color detected for the stream (0 when not a TTY). */
  detected: ColorLevel
}

function levelFromTerminal(env: Record<string, string | undefined>): ColorLevel {
  const colorterm = (env.COLORTERM ?? '').toLowerCase()
  if (colorterm === 'truecolor' || colorterm === '24bit') return 3
  if (/-256(color)?$/i.test(env.TERM ?? '')) return 2
  return 1
}

function forceColor(env: Record<string, string | undefined>): ColorLevel | undefined {
  const value = env.FORCE_COLOR
  if (value === undefined) return undefined
  if (value === '' || value === 'true' || value === '1') return 1
  if (value === '0' || value === 'false') return 0
  if (value === '2') return 2
  if (value === '3') return 3
  return 1
}

export function resolveColorLevel(input: ColorInputs): ColorLevel {
  if (input.flag === false) return 0
  if (input.flag === true) return input.detected > 0 ? input.detected : levelFromTerminal(input.env)
  const noColor = input.env.NO_COLOR
  if (noColor !== undefined && noColor !== '') return 0
  const forced = forceColor(input.env)
  if (forced !== undefined) return forced === 0 ? 0 : Math.max(forced, input.detected) as ColorLevel
  if (!input.isTTY) return 0
  return input.detected > 0 ? input.detected : levelFromTerminal(input.env)
}

function detectedLevel(info: typeof supportsColor): ColorLevel {
  return info === false ? 0 : (info.level as ColorLevel)
}

/** Apply the policy to chalk's stdout and stderr instances; returns the stdout level. */
export function applyColorPolicy(flag?: boolean, env: Record<string, string | undefined> = process.env): ColorLevel {
  const out = resolveColorLevel({
    flag,
    env,
    isTTY: process.stdout.isTTY === true,
    detected: detectedLevel(supportsColor),
  })
  const err = resolveColorLevel({
    flag,
    env,
    isTTY: process.stderr.isTTY === true,
    detected: detectedLevel(supportsColorStderr),
  })
  chalk.level = out
  chalkStderr.level = err
  return out
}
