// KtoolError: the one error value every layer below the CLI throws for the user. The
// base command turns it into exactly one `Error: <message>` line on stderr (or a JSON
// document with --json) and its exit status.

export interface KtoolErrorOptions {
  /** A short machine-readable code, e.g. `BROKER_RUNNING` or a Kafka error name. */
  code?: string;
  /** Process exit status; 1 unless given. */
  exitCode?: number;
  cause?: unknown;
}

export class KtoolError extends Error {
  readonly code: string;
  readonly exitCode: number;

  constructor(message: string, options: KtoolErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'KtoolError';
    this.code = options.code ?? 'ERROR';
    this.exitCode = options.exitCode ?? 1;
  }
}
