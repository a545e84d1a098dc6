import { DEFAULT_PROFILE, type Profile } from '../catalog/index.ts';
import { WELL_KNOWN_TARGET } from '../check/target.ts';
import type { Command } from './command.ts';
import { docPath } from './docs.ts';
import { CliError } from './errors.ts';
import { PROFILE_FLAG } from './explain.ts';

const DEFAULT_PORT = 8080;

function parsePort(value: number | undefined): number {
  if (value === undefined) return DEFAULT_PORT;
  if (!Number.isInteger(value) || value < 0 || value > 65_535) {
    throw new CliError(`Invalid --port ${value}: expected a whole number from 0 to 65535 (0 picks a free port).`);
  }
  return value;
}

export const lab: Command = {
  name: 'lab',
  summary: 'run the reference service that produces every code of the contract',
  usage: 'lab [--port <port>] [--host <host>] [--profile <profile>]',
  details: [
    `Every code of the contract answers a real request; ${docPath('lab.md')} lists one per code.`,
    '',
    'Examples:',
    '  statuskit lab',
    '  statuskit lab --port 0 --profile dis',
    '  curl -i http://127.0.0.1:8080/status/429',
  ].join('\n'),
  flags: {
    port: {
      type: 'number',
      description: `TCP port, 0 for any free one (default ${DEFAULT_PORT})`,
      placeholder: '<port>',
    },
    host: { type: 'string', description: 'address to listen on (default 127.0.0.1)', placeholder: '<host>' },
    profile: PROFILE_FLAG,
  },
  async run({ flags, io, stopSignal }) {
    const port = parsePort(flags.port as number | undefined);
    const host = (flags.host as string | undefined) ?? '127.0.0.1';
    const profile = (flags.profile as Profile | undefined) ?? DEFAULT_PROFILE;
    const { startLab } = await import('../lab/index.ts');
    let running: Awaited<ReturnType<typeof startLab>>;
    try {
      running = await startLab({ port, host, profile });
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EADDRINUSE')
        throw new CliError(
          `Port ${port} on ${host} is in use.`,
          2,
          'Pick another with --port, or --port 0 for any free one.',
        );
      if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND' || code === 'EACCES') {
        throw new CliError(`Cannot listen on ${host}:${port} (${code}).`, 2, 'Check --host and --port.');
      }
      throw err;
    }
    io.out(
      [
        `statuskit lab listening on ${running.url} (profile ${profile})`,
        `  try: curl -i ${running.url}/status/429`,
        `  routes: ${running.url}/   target: ${running.url}${WELL_KNOWN_TARGET}`,
        '  stop with Ctrl-C',
        '',
      ].join('\n'),
    );
    const signal = await stopSignal;
    await running.close();
    io.err(`statuskit lab stopped (${signal}).\n`);
    return 0;
  },
};
