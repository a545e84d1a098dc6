import type { TextOutput } from '../io.ts';
import type { FlagSpecs, FlagValue } from './args.ts';
import type { Terminal } from './progress.ts';

export interface CommandIO extends TextOutput {
  /** A terminal for transient progress lines (stderr, else stdout, when one is a TTY); absent otherwise. */
  tty?: Terminal;
}

export interface CommandInput {
  flags: Record<string, FlagValue | undefined>;
  positionals: string[];
  io: CommandIO;
  /** Resolves when the process is asked to stop (SIGINT/SIGTERM); long-running commands await it. */
  stopSignal: Promise<NodeJS.Signals>;
  /** Registers what to do when the process is asked to reload (SIGHUP). @default never asked */
  onReload?: (listener: () => void) => void;
}

/**
 * A CLI command. `run` returns the exit status or throws a CliError; only the
 * outer shell (main.ts) touches process.argv, prints errors and exits.
 */
export interface Command {
  name: string;
  summary: string;
  /** Usage line(s) after "statuskit", e.g. `explain <code|name> [options]`. */
  usage: string;
  /** Free text after the options on the help page (examples). */
  details?: string;
  flags: FlagSpecs;
  run(input: CommandInput): Promise<number>;
}
