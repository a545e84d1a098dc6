import { Client } from 'undici';
import type { HealthCheckConfig } from '../config/health-check.ts';

/** A probe's answer body is read up to this much, then the connection is dropped rather than drained. */
const PROBE_BODY_LIMIT = 64 * 1024; // 64 KiB

/** What a probe needs of its target (./targets.ts Target). */
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
