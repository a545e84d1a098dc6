import { readFileSync } from 'node:fs';
import { closest } from '../closest.ts';
import { describeFlags, parseArgs } from './args.ts';
import type { Command, CommandIO } from './command.ts';
import { COMMANDS } from './commands.ts';
import { CliError } from './errors.ts';

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

function mainHelp(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((n) => n.length)) + 2;
  return [
    'statuskit — issue and honour the status-code contract of cloud service APIs',
    '',
    'Usage: statuskit <command> [options]',
    '',
    'Commands:',
    ...Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}${c.summary}`),
    '',
    'Options:',
    '  -h, --help     show help (also: statuskit <command> --help)',
    '  -v, --version  print the version',
    '',
  ].join('\n');
}

function commandHelp(cmd: Command): string {
  return [
    `statuskit ${cmd.name} — ${cmd.summary}`,
    '',
    `Usage: statuskit ${cmd.usage}`,
    '',
    'Options:',
    describeFlags(cmd.flags),
    '  -h, --help  show this help',
    ...(cmd.details ? ['', cmd.details] : []),
    '',
  ].join('\n');
}

/**
 * Runs one CLI invocation and returns its exit status. Long-running commands
 * (serve, lab) resolve when `stopSignal` fires and they have shut down.
 */
export async function runCli(
  argv: readonly string[],
  io: CommandIO,
  stopSignal: Promise<NodeJS.Signals>,
  onReload?: (listener: () => void) => void,
): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '-h' || name === '--help' || name === 'help') {
    const topic = name === 'help' ? rest[0] : undefined;
    if (topic && COMMANDS[topic]) {
      io.out(commandHelp(await (COMMANDS[topic] as { load: () => Promise<Command> }).load()));
      return 0;
    }
    io.out(mainHelp());
    return name === undefined ? 2 : 0;
  }
  if (name === '-v' || name === '--version') {
    io.out(`${version()}\n`);
    return 0;
  }
  const entry = COMMANDS[name];
  if (!entry) {
    const guess = closest(name, Object.keys(COMMANDS));
    throw new CliError(
      `Unknown command "${name}".`,
      2,
      guess ? `Did you mean "statuskit ${guess}"?` : 'Run "statuskit --help" for the list of commands.',
    );
  }
  const cmd = await entry.load();
  if (rest.includes('--help') || rest.includes('-h')) {
    io.out(commandHelp(cmd));
    return 0;
  }
  const { flags, positionals } = parseArgs(rest, cmd.flags, cmd.name);
  return cmd.run({ flags, positionals, io, stopSignal, ...(onReload ? { onReload } : {}) });
}
