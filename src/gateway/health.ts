import { Client } from 'undici';
import type { ConfigPath, ConfigReader } from './config-reader.ts';

/** Active health checks of a route's targets (the `healthCheck` of a route). */
export interface HealthCheckConfig {
  /** Path each target is asked with GET, after the target's own path; may carry a query. */
  path: string;
  /** Time from one probe's end to the next one's start, per target, in ms. @default 5000 (5 s) */
  interval: number;
  /** Longest wait for a probe's whole answer, in ms. @default 2000 (2 s) */
  timeout: number;
  /** Consecutive failed probes that take a healthy target out of rotation. @default 2 */
  unhealthyAfter: number;
  /** Consecutive passed probes that bring an unhealthy target back. @default 2 */
  healthyAfter: number;
}

const KEYS = ['path', 'interval', 'timeout', 'unhealthyAfter', 'healthyAfter'] as const;

/** A probe's answer body is read up to this much, then the connection is dropped rather than drained. */
const PROBE_BODY_LIMIT = 64 * 1024; // 64 KiB

/** Validates a route's `healthCheck`; undefined when absent or invalid (the issues are in the reader). */
export function readHealthCheck(r: ConfigReader, value: unknown, path: ConfigPath): HealthCheckConfig | undefined {
  if (value === undefined) return undefined;
  const o = r.object(value, path, KEYS);
  if (!o) return undefined;
  let probePath = r.string(o, 'path', path);
  if (o.path === undefined) probePath = r.fail([...path, 'path'], 'is required: the path to probe, e.g. "/healthz".');
  else if (probePath !== undefined && !/^\/[^\s#]*$/.test(probePath))
    probePath = r.fail(
      [...path, 'path'],
      `must be a path starting with "/" (no spaces, no fragment), got ${JSON.stringify(probePath)}.`,
    );
  const interval = r.duration(o, 'interval', path, 5_000, 10); // 5 s
  const timeout = r.duration(o, 'timeout', path, 2_000, 1); // 2 s
  const unhealthyAfter = r.integer(o, 'unhealthyAfter', path, 2, 1, 1_000);
  const healthyAfter = r.integer(o, 'healthyAfter', path, 2, 1, 1_000);
  if (
    probePath === undefined ||
    interval === undefined ||
    timeout === undefined ||
    unhealthyAfter === undefined ||
    healthyAfter === undefined
  )
    return undefined;
  return { path: probePath, interval, timeout, unhealthyAfter, healthyAfter };
}

/** What a probe needs of its target (./upstream.ts Target). */
export interface Probed {
  readonly url: URL;
  readonly basePath: string;
  healthy: boolean;
}

/**
 * The health checks of one target: a GET of `config.path` every interval,
 * on a connection of its own. Why not the target's pool: under load every
 * pooled connection may be busy, and a probe queued behind slow requests
 * would time out and take a working target out of rotation — the overload
 * would then grow. A probe passes on a 2xx or 3xx
 * answer read to its end within `timeout`; anything else — another status,
 * a refused or reset connection, no answer in time — fails it. After
 * `unhealthyAfter` failures in a row a healthy target is taken out of
 * rotation, after `healthyAfter` passes in a row it comes back; `onChange`
 * hears of each change with the reason. A target starts healthy: traffic
 * flows from the start, and the first probe goes out at once.
 *
 * Probes are the gateway's own requests: they do not pass the front, do not
 * count in the access log or the request metrics, and do not move the
 * circuit breaker, which keeps judging real traffic.
 */
export class HealthProbe {
  readonly #target: Probed;
  readonly #config: HealthCheckConfig;
  readonly #onChange: (reason: string) => void;
  #timer: NodeJS.Timeout | undefined = undefined;
  #abort: AbortController | undefined = undefined;
  #client: Client | undefined = undefined;
  #failures = 0;
  #passes = 0;
  #stopped = true;

  constructor(target: Probed, config: HealthCheckConfig, onChange: (reason: string) => void) {
    this.#target = target;
    this.#config = config;
    this.#onChange = onChange;
  }

  /** Ms between one probe's end and the next one's start. */
  get interval(): number {
    return this.#config.interval;
  }

  start(): void {
    if (!this.#stopped) return;
    this.#stopped = false;
    this.#client = new Client(this.#target.url.origin, {
      pipelining: 1,
      connect: { timeout: this.#config.timeout },
      // Kept open between probes only when they come often; an idle keep-alive is the upstream's to end.
      keepAliveTimeout: Math.min(this.#config.interval + this.#config.timeout, 4_000), // ≤ 4 s
    });
    void this.#probe();
  }

  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#abort?.abort();
    void this.#client?.destroy().catch(() => undefined);
    this.#client = undefined;
  }

  async #probe(): Promise<void> {
    const abort = new AbortController();
    this.#abort = abort;
    const timer = setTimeout(() => abort.abort(), this.#config.timeout).unref();
    let failure: string | undefined;
    try {
      const client = this.#client;
      if (!client) return;
      const { statusCode, body } = await client.request({
        path: this.#target.basePath + this.#config.path,
        method: 'GET',
        headers: { 'user-agent': 'statuskit-health-check' },
        signal: abort.signal,
      });
      await body.dump({ limit: PROBE_BODY_LIMIT, signal: abort.signal });
      if (statusCode >= 400) failure = `answered ${statusCode}`;
    } catch (err) {
      failure = abort.signal.aborted ? `no answer within ${this.#config.timeout} ms` : describeFailure(err);
    } finally {
      clearTimeout(timer);
    }
    if (this.#stopped) return;
    this.#record(failure);
    this.#timer = setTimeout(() => void this.#probe(), this.#config.interval);
    // The probes never hold the process open: serving does.
    this.#timer.unref();
  }

  #record(failure: string | undefined): void {
    const target = this.#target;
    if (failure === undefined) {
      this.#failures = 0;
      if (!target.healthy && ++this.#passes >= this.#config.healthyAfter) {
        target.healthy = true;
        this.#onChange(`${this.#passes} health checks passed in a row`);
      }
      return;
    }
    this.#passes = 0;
    if (target.healthy && ++this.#failures >= this.#config.unhealthyAfter) {
      target.healthy = false;
      this.#onChange(`${this.#failures} health checks failed in a row, the last: ${failure}`);
    }
  }
}

/** A probe's failure in words: undici's message ("other side closed", "connect ECONNREFUSED …"), else the code. */
function describeFailure(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  return e?.message || e?.code || String(err);
}
