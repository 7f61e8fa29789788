/**
 * A mistake in a command's arguments or input. Each tool's runner prints it the way
 * its Kafka script does (the bare message on stderr, exit 1); `code` is for --json.
 */
export class UsageError extends Error {
  readonly code: string
  constructor(message: string, code = 'INVALID_ARGUMENTS') {
    super(message)
    this.name = 'UsageError'
    this.code = code
  }
}
