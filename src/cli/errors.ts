/** A failure the CLI shell reports on stderr and turns into an exit status. */
export class CliError extends Error {
  override readonly name = 'CliError';
  constructor(
    message: string,
    /** 2: usage or input error; 1: the command ran and found a failure. */
    readonly exitCode = 2,
    /** A follow-up line, e.g. "Did you mean --profile?". */
    readonly hint?: string,
  ) {
    super(message);
  }
}
