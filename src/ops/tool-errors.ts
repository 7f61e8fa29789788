/**
 * The two kinds of failure every Kafka tool tells apart, because Kafka's
 * scripts print them differently: a mistake in the arguments or input
 * (UsageError) and an operation that failed on the cluster (CommandError,
 * with one subclass per tool). The runner (src/cli/runner.ts) asks the tool
 * how to word each; `code` is a Kafka error name or a ktool code for --json.
 */
export class UsageError extends Error {
  readonly code: string;
  constructor(message: string, code = 'INVALID_ARGUMENTS') {
    super(message);
    this.name = 'UsageError';
    this.code = code;
  }
}

export class CommandError extends Error {
  readonly code: string;
  constructor(message: string, code: string) {
    super(message);
    this.name = 'CommandError';
    this.code = code;
  }
}
