import { PROFILE_IDS, type Profile } from '../catalog/index.ts';
import { loadConfigFile } from '../gateway/config/file.ts';
import { DEFAULTS, type GatewayConfig, LOG_LEVELS, type LogLevel, readGatewayConfig } from '../gateway/config/index.ts';
import { ConfigError } from '../gateway/config/reader.ts';
import { parseTarget } from '../gateway/config/route.ts';
import { ListenError } from '../gateway/gateway.ts';
import { launch } from '../gateway/launch.ts';
import type { FlagValue } from './args.ts';
import type { Command } from './command.ts';
import { docPath } from './docs.ts';
import { CliError } from './errors.ts';

function port(flags: Record<string, FlagValue | undefined>, name: string): number | undefined {
  const v = flags[name];
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 65_535)
    throw new CliError(`--${name} must be a port number from 0 to 65535, got ${String(v)}.`);
  return v;
}

/** The configuration: the file's (validated) or the defaults, with the flags on top. */
export function configFromFlags(flags: Record<string, FlagValue | undefined>): GatewayConfig {
  let config: GatewayConfig;
  const file = flags.config as string | undefined;
  try {
    config = file === undefined ? readGatewayConfig({}).config : loadConfigFile(file);
  } catch (error) {
    if (error instanceof ConfigError)
      throw new CliError(error.message, 2, `See ${docPath('gateway.md')} for every field.`);
    throw error;
  }
  const upstreams = (flags.upstream as string[] | undefined) ?? [];
  if (upstreams.length && config.routes.length)
    throw new CliError(
      `--upstream and the routes of ${file} both say where requests go.`,
      2,
      'Give the targets in the file, or drop its routes.',
    );
  if (upstreams.length) {
    for (const u of upstreams) {
      const url = parseTarget(u);
      if (typeof url === 'string') throw new CliError(`--upstream ${url}`);
    }
    const { config: withRoute } = readGatewayConfig({ routes: [{ path: '/', targets: upstreams }] });
    config = { ...config, routes: withRoute.routes };
  }
  const listenPort = port(flags, 'port');
  const adminPort = port(flags, 'admin-port');
  const host = flags.host as string | undefined;
  return {
    ...config,
    profile: (flags.profile as Profile | undefined) ?? config.profile,
    listen: { ...config.listen, host: host ?? config.listen.host, port: listenPort ?? config.listen.port },
    admin:
      adminPort !== undefined
        ? {
            ...(config.admin || {}),
            host: config.admin ? config.admin.host : (host ?? config.listen.host),
            port: adminPort,
          }
        : config.admin,
    logLevel: flags.quiet ? 'warn' : ((flags['log-level'] as LogLevel | undefined) ?? config.logLevel),
  };
}

/** What `serve --check-config` prints for a valid configuration (as `nginx -t`): no secret values. */
export function checkSummary(config: GatewayConfig, file: string | undefined): string {
  const policies = Object.keys(config.policies).filter((k) => config.policies[k as keyof typeof config.policies]);
  const routes = config.routes.length
    ? config.routes.map((r) => `  ${r.path} → ${r.targets.map((t) => t.href).join(', ')}`)
    : ['  / → the embedded lab'];
  return [
    `${file ?? '(no --config)'}: the configuration is valid.`,
    `listen ${config.listen.host}:${config.listen.port}, admin ${config.admin ? `${config.admin.host}:${config.admin.port}` : 'off'}, profile ${config.profile}`,
    `routes (${config.routes.length || 1}):`,
    ...routes,
    `policies: ${policies.length ? policies.join(', ') : 'none'}`,
  ].join('\n');
}

export const serve: Command = {
  name: 'serve',
  summary: 'the gateway: the contract in front of any HTTP API (the lab by default)',
  usage: `serve [--upstream <url>] [--config <gateway.yaml>] [--port ${DEFAULTS.port}] [--host ${DEFAULTS.host}] [--admin-port ${DEFAULTS.adminPort}] [--profile <p>] [--workers N]`,
  details: [
    'With no --upstream and no routes in --config, the lab is started in this process on a',
    'loopback port and fronted. Access logs are JSON lines on stdout; the banner goes to stderr.',
    'SIGTERM / SIGINT: stop accepting, answer new requests 503 + Retry-After, let in-flight',
    `requests finish (drain.grace in the config, ${DEFAULTS.grace / 1000} s by default), exit 0.`,
    '',
    'Examples:',
    '  statuskit serve',
    '  statuskit serve --upstream http://127.0.0.1:3000 --port 8081',
    '  statuskit serve --config gateway.yaml --workers 4',
    '  statuskit serve --config gateway.yaml --check-config',
  ].join('\n'),
  flags: {
    upstream: {
      type: 'string',
      description: 'the API to front (repeat for several targets, taken in turn)',
      placeholder: '<url>',
      multiple: true,
    },
    config: { type: 'string', description: 'gateway configuration (YAML or JSON)', placeholder: '<file>' },
    port: { type: 'number', description: `port of the gateway (default ${DEFAULTS.port})`, placeholder: '<port>' },
    host: { type: 'string', description: `address to listen on (default ${DEFAULTS.host})`, placeholder: '<host>' },
    'admin-port': {
      type: 'number',
      description: `port of /metrics /healthz /readyz (default ${DEFAULTS.adminPort})`,
      placeholder: '<port>',
    },
    profile: {
      type: 'string',
      description: 'the contract table answers follow',
      placeholder: '<profile>',
      choices: PROFILE_IDS,
    },
    'log-level': {
      type: 'string',
      description: `log level (default ${DEFAULTS.logLevel})`,
      placeholder: '<level>',
      choices: LOG_LEVELS,
    },
    quiet: { type: 'boolean', description: 'no banner, no access log lines (warnings and errors only)' },
    workers: {
      type: 'number',
      description: `processes sharing the port (default ${DEFAULTS.workers})`,
      placeholder: '<N>',
    },
    'check-config': {
      type: 'boolean',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: the config's own reference syntax, not a template.
      description: 'validate the configuration (and its ${env:…} / ${file:…} values), print a summary, exit 0 or 2',
    },
  },
  async run({ flags, io, stopSignal, onReload }) {
    const config = configFromFlags(flags);
    if (flags['check-config']) {
      io.out(checkSummary(config, flags.config as string | undefined));
      return 0;
    }
    const workers = (flags.workers as number | undefined) ?? 1;
    if (!Number.isInteger(workers) || workers < 1 || workers > 256)
      throw new CliError(`--workers must be a whole number from 1 to 256, got ${workers}.`);
    try {
      // SIGHUP: the file is read and validated again (with the flags on top), then swapped in place.
      const reload = onReload ? { on: onReload, config: () => configFromFlags(flags) } : undefined;
      return await launch({ config, workers, banner: !flags.quiet, io, stopSignal, ...(reload ? { reload } : {}) });
    } catch (error) {
      if (error instanceof ListenError || error instanceof ConfigError) throw new CliError(error.message, 2);
      throw error;
    }
  },
};
