import { DEFAULT_PROFILE, type Profile } from '../catalog/index.ts';
import { contractCoverage } from './coverage.ts';
import { type RequestSpec, type Sent, send } from './exchange.ts';
import type { Probe, ProbeContext } from './probe.ts';
import { PROBE_IDS, selectProbes } from './probes/index.ts';
import { type TargetDescription, WELL_KNOWN_TARGET } from './target.ts';
import { looksLikeTarget, TargetError, validateTarget } from './target-file.ts';
import type { CheckOptions, CheckProgress, CheckResult, Exchange, ProbeResult } from './types.ts';
import { Connection, WireError, WireTimeout } from './wire/connection.ts';
import { NotOverHttp2, reachHttp2, sendH2 } from './wire/h2.ts';
import { header } from './wire/reader.ts';

/** Why a check could not run at all: a bad argument, an unreachable origin, an unusable target. */
export class CheckError extends Error {
  override readonly name = 'CheckError';
  constructor(
    message: string,
    readonly kind: 'usage' | 'unreachable' | 'target',
    readonly hint?: string,
  ) {
    super(message);
  }
}

interface Resolved {
  url: URL;
  timeout: number;
  slow: boolean;
  slowWait: number;
  load: number;
  concurrency: number;
  maxBytes: number;
  progress: (event: CheckProgress) => void;
  http2: boolean;
  tls?: { ca?: Buffer; rejectUnauthorized?: boolean };
}

const MAX_LOAD = 10_000; // requests: --load is bounded

function resolve(input: string | URL, options: CheckOptions): Resolved {
  let url: URL;
  try {
    url = new URL(input);
  } catch {
    throw new CheckError(`"${String(input)}" is not a URL.`, 'usage', 'Example: statuskit check http://127.0.0.1:8080');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new CheckError(`Only http: and https: URLs can be checked, not ${url.protocol}`, 'usage');
  }
  if ((url.pathname !== '/' && url.pathname !== '') || url.search || url.username) {
    throw new CheckError(
      `Give the origin only (${url.origin}), not a path, query or credentials.`,
      'usage',
      'The paths to probe belong in the target description (--target).',
    );
  }
  const positive = (name: string, n: number | undefined, fallback: number, max = Number.MAX_SAFE_INTEGER) => {
    if (n === undefined) return fallback;
    if (!Number.isInteger(n) || n < 0 || n > max) {
      throw new CheckError(`${name} must be a whole number from 0 to ${max}, got ${n}.`, 'usage');
    }
    return n;
  };
  const timeout = positive('timeout (--timeout)', options.timeout, 2000); // 2 s
  if (timeout === 0) throw new CheckError('timeout (--timeout) must be at least 1 ms.', 'usage');
  return {
    url: new URL(url.origin),
    timeout,
    slow: options.slow ?? false,
    slowWait: positive('slowWait', options.slowWait, 70_000), // 70 s: past Node's 60 s headersTimeout
    load: positive('load (--load)', options.load, 0, MAX_LOAD),
    concurrency: Math.max(1, positive('concurrency', options.concurrency, 16)),
    maxBytes: positive('maxBytes', options.maxBytes, 2_097_152), // 2 MiB
    progress: options.onProgress ?? (() => {}),
    http2: options.http2 ?? false,
    ...(options.insecure ? { tls: { rejectUnauthorized: false } } : options.ca ? { tls: { ca: options.ca } } : {}),
  };
}

/**
 * Fetches the target the server describes at WELL_KNOWN_TARGET; undefined
 * when it serves none (no 200, not JSON, or JSON that is not a description).
 * A description with errors is refused: the server means it, and it is wrong.
 */
async function fetchTarget(r: Resolved): Promise<TargetDescription | undefined> {
  const headers = [['Accept', 'application/json']] as const;
  const { res } = await sendOn(r, { method: 'GET', target: WELL_KNOWN_TARGET, headers });
  if (res?.status !== 200 || !/^application\/json\b/i.test(header(res, 'content-type') ?? '')) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(res.body.toString('utf8'));
  } catch {
    return undefined;
  }
  return looksLikeTarget(value) ? validateTarget(value, `${r.url.origin}${WELL_KNOWN_TARGET}`) : undefined;
}

/** One request over the wire the check speaks: raw HTTP/1.1, or an HTTP/2 stream with --http2. */
const sendOn = (r: Resolved, spec: RequestSpec): Promise<Sent> => (r.http2 ? sendH2 : send)(r.url, spec, r);

function notApplicable(probe: Probe, r: Resolved, target: TargetDescription): string | undefined {
  if (probe.mode === 'slow' && !r.slow) return 'runs only with --slow (waits for the server to time out)';
  if (probe.mode === 'load' && r.load === 0) return 'runs only with --load N (sends up to N requests)';
  const missing = probe.needs?.filter((f) => target[f] === undefined) ?? [];
  if (missing.length) return `the target names no ${missing.map((f) => `"${f}"`).join(', ')}`;
  return probe.applies?.(target);
}

async function runProbe(probe: Probe, r: Resolved, target: TargetDescription, profile: Profile): Promise<ProbeResult> {
  const base = { id: probe.id, code: probe.code, title: probe.title, ...(probe.rfc ? { rfc: probe.rfc } : {}) };
  const why = notApplicable(probe, r, target);
  if (why) return { ...base, verdict: 'n/a', reason: why, checks: [], exchanges: [] };
  r.progress({
    type: 'start',
    ...base,
    ...(probe.mode === 'slow' ? { waitsUpToMs: r.slowWait } : {}),
  });
  const result = await runApplicable(probe, r, target, profile);
  r.progress({ type: 'done', id: probe.id, code: probe.code, verdict: result.verdict });
  return result;
}

async function runApplicable(
  probe: Probe,
  r: Resolved,
  target: TargetDescription,
  profile: Profile,
): Promise<ProbeResult> {
  const base = { id: probe.id, code: probe.code, title: probe.title, ...(probe.rfc ? { rfc: probe.rfc } : {}) };
  const exchanges: Exchange[] = [];
  const ctx: ProbeContext = {
    url: r.url,
    target,
    profile,
    load: r.load,
    slowWait: r.slowWait,
    http2: r.http2,
    record: (exchange) => void exchanges.push(exchange),
    send: async (spec: RequestSpec, record = true) => {
      const sent = await sendOn(r, spec);
      if (record) exchanges.push(sent.exchange);
      return sent;
    },
  };
  let outcome: Awaited<ReturnType<Probe['run']>>;
  try {
    outcome = await probe.run(ctx);
  } catch (err) {
    // --http2: a request HTTP/2 cannot carry makes the probe HTTP/1-only.
    if (err instanceof NotOverHttp2) return { ...base, verdict: 'n/a', reason: err.message, checks: [], exchanges: [] };
    // The origin answered the first connection; one that later refuses is the server's failure.
    if (!(err instanceof WireError || err instanceof WireTimeout)) throw err;
    return {
      ...base,
      verdict: 'fail',
      reason: probe.rfc ? `${probe.rfc}: ${err.message}` : err.message,
      checks: [],
      exchanges,
    };
  }
  const checks = Array.isArray(outcome) ? outcome : outcome.checks;
  const code = Array.isArray(outcome) ? probe.code : outcome.code;
  const failed = checks.filter((c) => !c.ok);
  const said = failed.length
    ? `${(failed[0] as { detail: string }).detail}${failed.length > 1 ? ` (+${failed.length - 1} more)` : ''}`
    : checks.map((c) => c.name).join(', ');
  const reason = probe.rfc ? `${probe.rfc}: ${said}` : said;
  return { ...base, code, verdict: failed.length || checks.length === 0 ? 'fail' : 'pass', reason, checks, exchanges };
}

/** Runs tasks with at most `limit` at once, keeping their order in the result. */
async function pool<T, R>(items: readonly T[], limit: number, task: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await task(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/**
 * Probes a running HTTP API over raw sockets and returns, probe by probe
 * (each tied to a line of the contract), where it issues the contract's codes
 * right and where not. Never prints. Throws CheckError when it cannot run:
 * a bad URL or option, an unreachable origin, an invalid target description.
 */
export async function runCheck(url: string | URL, options: CheckOptions = {}): Promise<CheckResult> {
  const r = resolve(url, options);
  const { probes, unknown } = selectProbes(options.only);
  if (unknown.length) {
    throw new CheckError(
      `No probe matches ${unknown.map((u) => `"${u}"`).join(', ')}.`,
      'usage',
      `Probes: ${PROBE_IDS.join(', ')}`,
    );
  }
  const started = performance.now();
  const startedAt = new Date().toISOString();
  try {
    if (r.http2) await reachHttp2(r.url, r);
    else (await Connection.open(r.url, r)).destroy();
  } catch (err) {
    throw new CheckError(`${r.url.origin} is unreachable: ${(err as Error).message}.`, 'unreachable');
  }
  let target: TargetDescription;
  let targetSource: CheckResult['targetSource'];
  try {
    const fetched = options.target ? undefined : await fetchTarget(r);
    target = options.target ?? fetched ?? {};
    targetSource = options.target ? 'file' : fetched ? 'well-known' : 'none';
  } catch (err) {
    if (err instanceof TargetError) throw new CheckError(err.message, 'target');
    throw err;
  }
  const profile = options.profile ?? target.profile ?? DEFAULT_PROFILE;
  const results = await pool(probes, r.concurrency, (p) => runProbe(p, r, target, profile));
  const count = (v: ProbeResult['verdict']) => results.filter((p) => p.verdict === v).length;
  return {
    url: r.url.origin,
    profile,
    targetSource,
    target,
    startedAt,
    durationMs: Math.round(performance.now() - started),
    probes: results,
    contract: contractCoverage(results, profile),
    summary: { passed: count('pass'), failed: count('fail'), notApplicable: count('n/a') },
  };
}
