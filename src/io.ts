/** Where a long-running part (the gateway's launch, its cluster) writes its lines: the CLI passes its own. */
export interface TextOutput {
  /** Writes to standard output (a newline is not added). */
  out(text: string): void;
  /** Writes to standard error. */
  err(text: string): void;
}
