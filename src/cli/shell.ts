import { CliError } from './errors.ts';
import { runCli } from './main.ts';

/**
 * The outer shell: the only place that reads process.argv, prints errors
 * and sets the exit status.
 */
export async function shell(): Promise<void> {
  const io = {
    out: (text: string) => void process.stdout.write(text),
    err: (text: string) => void process.stderr.write(text),
  };
  const stopSignal = new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
  });
  try {
    process.exitCode = await runCli(process.argv.slice(2), io, stopSignal);
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
