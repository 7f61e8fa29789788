/**
 * The base of every ktool command. It owns the global flags (--json,
 * --verbose, --[no-]color) and turns any failure into one line on stderr
 * (`Error: <message>`), or a JSON error document with --json, plus a
 * non-zero exit status.
 *
 * Startup matters: nothing heavy (kafkajs, ink, the broker) is imported
 * here; commands load those lazily with `await import()`.
 */
import { Command, Errors, Flags, type Interfaces } from '@oclif/core';
import { applyColorPolicy } from './color.js';
import { errorDocument, exitCodeOf, messageOf, stackOf } from './errors.js';

export type CommandFlags<T extends typeof Command> = Interfaces.InferredFlags<
  (typeof BaseCommand)['baseFlags'] & T['flags']
>;
export type CommandArgs<T extends typeof Command> = Interfaces.InferredArgs<T['args']>;

export abstract class BaseCommand<T extends typeof Command> extends Command {
  static override enableJsonFlag = true;

  static override baseFlags = {
    verbose: Flags.boolean({
      description: 'Print more detail (and stack traces on errors).',
      helpGroup: 'GLOBAL',
    }),
    color: Flags.boolean({
      description: 'Colour the output (default: only on a terminal and when NO_COLOR is unset).',
      allowNo: true,
      helpGroup: 'GLOBAL',
    }),
  };

  protected flags!: CommandFlags<T>;
  protected args!: CommandArgs<T>;

  public override async init(): Promise<void> {
    await super.init();
    const ctor = this.ctor as typeof BaseCommand;
    this.argv = singleDashLongFlags(this.argv, longFlagNames(ctor));
    // Colour first, so even a parse error honours NO_COLOR / --no-color.
    applyColorPolicy(this.colorFromArgv());
    const { args, flags } = await this.parse({
      args: ctor.args,
      baseFlags: (super.ctor as typeof BaseCommand).baseFlags,
      enableJsonFlag: ctor.enableJsonFlag,
      flags: ctor.flags,
      strict: ctor.strict,
    });
    this.flags = flags as CommandFlags<T>;
    this.args = args as CommandArgs<T>;
    applyColorPolicy(this.flags.color);
  }

  /** True with --verbose (also before/without a successful parse). */
  protected get verbose(): boolean {
    if (this.flags !== undefined) return this.flags.verbose === true;
    return this.argvHasFlag('--verbose');
  }

  /** Write one line to stderr (suppressed with --json). */
  protected note(line: string): void {
    if (!this.jsonEnabled()) process.stderr.write(`${line}\n`);
  }

  /** Write one line to stderr only with --verbose. */
  protected detail(line: string): void {
    if (this.verbose) this.note(line);
  }

  protected override async catch(err: Errors.CLIError | Error): Promise<never> {
    // this.exit(n) throws ExitError: nothing to print, just the status.
    if (err instanceof Errors.ExitError) throw err;
    const exitCode = exitCodeOf(err);
    if (this.jsonEnabled()) {
      this.logJson(errorDocument(err));
    } else {
      process.stderr.write(`Error: ${messageOf(err)}\n`);
      const stack = stackOf(err);
      if (this.verbose && stack !== undefined) process.stderr.write(`${stack}\n`);
    }
    // Already reported: hand oclif a silent exit with the right status.
    throw new Errors.ExitError(exitCode);
  }

  private argvHasFlag(name: string): boolean {
    const end = this.argv.indexOf('--');
    const idx = this.argv.indexOf(name);
    return idx !== -1 && (end === -1 || idx < end);
  }

  private colorFromArgv(): boolean | undefined {
    const end = this.argv.indexOf('--');
    const before = end === -1 ? this.argv : this.argv.slice(0, end);
    let flag: boolean | undefined;
    for (const arg of before) {
      if (arg === '--color') flag = true;
      else if (arg === '--no-color') flag = false;
    }
    return flag;
  }
}

function longFlagNames(ctor: typeof BaseCommand): Set<string> {
  const names = new Set<string>(['json', 'help']);
  for (const table of [ctor.flags, ctor.baseFlags]) {
    for (const [name, flag] of Object.entries(table ?? {})) {
      names.add(name);
      if ((flag as { allowNo?: boolean }).allowNo) names.add(`no-${name}`);
    }
  }
  return names;
}

/**
 * Kafka's option parser (jopt-simple) takes a single dash before a long option, so
 * `-topic t -list` works with kafka-topics.sh; the seeds type it that way. A
 * multi-letter `-name` becomes `--name` when `name` is one of the command's long
 * flags; anything else (short flags, negative numbers, values) is left alone, and
 * nothing after `--` is touched.
 */
export function singleDashLongFlags(argv: string[], longNames: Set<string>): string[] {
  const end = argv.indexOf('--');
  return argv.map((arg, i) => {
    if (end !== -1 && i >= end) return arg;
    const m = /^-([a-zA-Z][a-zA-Z0-9.-]+)(=.*)?$/.exec(arg);
    if (m === null || !longNames.has(m[1]!)) return arg;
    return `-${arg}`;
  });
}
