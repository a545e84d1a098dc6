import { readFile, writeFile } from 'node:fs/promises';
import type { Profile } from '../catalog/index.ts';
import { FORMATS, type Format, formatResult, summaryLine } from '../check/report/index.ts';
import { CheckError, runCheck } from '../check/run.ts';
import type { TargetDescription } from '../check/target.ts';
import { loadTargetFile, TargetError } from '../check/target-file.ts';
import type { Command } from './command.ts';
import { CliError } from './errors.ts';
import { PROFILE_FLAG } from './explain.ts';
import { progressLine } from './progress.ts';

export const check: Command = {
  name: 'check',
  summary: 'probe a running HTTP API and report where it issues the contract’s codes right',
  usage:
    'check <url> [--profile P] [--target target.yaml] [--only ids] [--format text|json|junit|html] [--out file] [--timeout ms] [--slow] [--load N] [--http2] [--ca file | --insecure]',
  details: [
    'Probes go over raw sockets to the given origin only. Without --target the paths are read',
    'from the server’s /.well-known/statuskit/target; without either, only the probes that need',
    'no path run, and the rest are reported as not applicable. Exit status: 0 all applicable',
    'probes passed, 1 a probe failed, 2 usage error or unreachable URL.',
    '',
    'Examples:',
    '  statuskit check http://127.0.0.1:8080',
    '  statuskit check http://127.0.0.1:3000 --target api.yaml --format junit --out check.xml',
    '  statuskit check http://127.0.0.1:8080 --only 405,413 --slow',
    '  statuskit check https://127.0.0.1:8443 --http2 --ca cert.pem',
  ].join('\n'),
  flags: {
    profile: PROFILE_FLAG,
    target: {
      type: 'string',
      description: 'target description (YAML or JSON): the paths to probe',
      placeholder: '<file>',
    },
    only: {
      type: 'string',
      description: 'only these probes: ids or code prefixes, comma-separated',
      placeholder: '<ids>',
      multiple: true,
    },
    format: { type: 'string', description: 'output format', placeholder: '<format>', choices: FORMATS },
    out: {
      type: 'string',
      description: 'write the report to this file (the summary still goes to stdout)',
      placeholder: '<file>',
    },
    timeout: { type: 'number', description: 'per-wait timeout in ms (default 2000)', placeholder: '<ms>' },
    slow: { type: 'boolean', description: 'also run the 408 probes (wait for the server’s own timeout)' },
    load: { type: 'number', description: 'also run the 429 probe with at most N requests', placeholder: '<N>' },
    http2: { type: 'boolean', description: 'send the probes over HTTP/2 (HTTP/1-only probes are n/a)' },
    ca: { type: 'string', description: 'https: trust this PEM CA file', placeholder: '<file>' },
    insecure: { type: 'boolean', description: 'https: do not verify the server certificate' },
  },
  async run({ flags, positionals, io }) {
    if (positionals.length !== 1) {
      throw new CliError(
        positionals.length
          ? `check takes one URL, got ${positionals.length}.`
          : 'check needs the URL of a running API.',
        2,
        'Example: statuskit check http://127.0.0.1:8080',
      );
    }
    let target: TargetDescription | undefined;
    if (typeof flags.target === 'string') {
      try {
        target = await loadTargetFile(flags.target);
      } catch (err) {
        if (err instanceof TargetError) throw new CliError(err.message);
        throw err;
      }
    }
    const only = (flags.only as string[] | undefined)?.flatMap((o) => o.split(','));
    let result: Awaited<ReturnType<typeof runCheck>>;
    // On a terminal, one line says which probe is waiting and for how long (--slow waits ~70 s).
    const progress = progressLine(io.tty);
    try {
      result = await runCheck(positionals[0] as string, {
        ...(flags.profile ? { profile: flags.profile as Profile } : {}),
        ...(target ? { target } : {}),
        ...(only ? { only } : {}),
        ...(flags.timeout === undefined ? {} : { timeout: flags.timeout as number }),
        ...(flags.load === undefined ? {} : { load: flags.load as number }),
        slow: flags.slow === true,
        onProgress: progress.onProgress,
        http2: flags.http2 === true,
        insecure: flags.insecure === true,
        ...(typeof flags.ca === 'string' ? { ca: await readCa(flags.ca) } : {}),
      });
    } catch (err) {
      if (err instanceof CheckError) throw new CliError(err.message, 2, err.hint);
      throw err;
    } finally {
      progress.stop();
    }
    const report = formatResult(result, (flags.format as Format | undefined) ?? 'text');
    if (typeof flags.out === 'string') {
      try {
        await writeFile(flags.out, report);
      } catch (err) {
        throw new CliError(`cannot write ${flags.out}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
      }
      io.out(`${summaryLine(result)}\n`);
    } else {
      io.out(report);
    }
    return result.summary.failed > 0 ? 1 : 0;
  },
};

async function readCa(file: string): Promise<Buffer> {
  try {
    return await readFile(file);
  } catch (err) {
    throw new CliError(`cannot read --ca ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, 2);
  }
}
