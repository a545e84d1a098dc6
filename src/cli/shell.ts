import { CliError } from './errors.ts';
import { runCli } from './main.ts';

/**
 * A writer for stdout or stderr that survives a closed reader (`statuskit … | head -1`):
 * on EPIPE it stops writing, and the command ends with the status it would have had.
 */
function writer(stream: NodeJS.WriteStream): (text: string) => void {
  let closed = false;
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    closed = true;
  });
  return (text) => {
    if (!closed) stream.write(text);
  };
}

/** The stream for transient progress lines: stderr when it is a terminal, else stdout when that is. */
function terminal(): NodeJS.WriteStream | undefined {
  if (process.stderr.isTTY) return process.stderr;
  if (process.stdout.isTTY) return process.stdout;
  return undefined;
}

/**
 * The outer shell: the only place that reads process.argv, prints errors
 * and sets the exit status.
 */
export async function shell(): Promise<void> {
  const tty = terminal();
  const io = {
    out: writer(process.stdout),
    err: writer(process.stderr),
    ...(tty ? { tty } : {}),
  };
  const stopSignal = new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
  });
  // SIGHUP asks a long-running command to reload (nginx's convention), never to end the process.
  const reloaders: (() => void)[] = [];
  process.on('SIGHUP', () => {
    for (const fn of reloaders) fn();
  });
  try {
    process.exitCode = await runCli(process.argv.slice(2), io, stopSignal, (fn) => reloaders.push(fn));
  } catch (error) {
    if (error instanceof CliError) {
      io.err(`statuskit: ${error.message}\n${error.hint ? `${error.hint}\n` : ''}`);
      process.exitCode = error.exitCode;
    } else {
      io.err(
        `statuskit: unexpected failure: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
      );
      process.exitCode = 70;
    }
  }
}
