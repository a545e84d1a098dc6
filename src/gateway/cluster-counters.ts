import { type Family, merge } from './telemetry/prometheus.ts';

/**
 * Keeps the cluster's counters monotonic (Prometheus counters never go
 * down) across workers that die: the primary remembers each worker's last
 * scraped counters and histograms, and when a worker exits they join the
 * `retired` totals, which every later scrape adds in. A worker that does not
 * answer one scrape in time is counted with its last answer. Gauges describe
 * a live process and leave with it. What a worker counted after its last
 * scrape and before a kill -9 is lost: the primary refreshes every few
 * seconds (REFRESH) so that is little, and the counters still never go back.
 */
export class ClusterCounters {
  readonly #last = new Map<string, Family[]>();
  #retired: Family[] = [];

  /** A worker's answer to a scrape. */
  seen(worker: string, families: Family[]): void {
    this.#last.set(worker, countersOf(families));
  }

  /** The last counters of a live worker that did not answer this scrape. */
  stale(worker: string): Family[] | undefined {
    return this.#last.get(worker);
  }

  /** The worker exited: what it counted stays in the totals. */
  retire(worker: string): void {
    const last = this.#last.get(worker);
    this.#last.delete(worker);
    if (!last) return;
    this.#retired = merge([
      { worker: 'retired', families: this.#retired },
      { worker: 'retired', families: last },
    ]);
  }

  /** What the exited workers counted, summed. */
  get retired(): Family[] {
    return this.#retired;
  }
}

/** How often the primary scrapes its workers on its own, to keep their last counters fresh. */
export const REFRESH = 5_000; // 5 s

function countersOf(families: Family[]): Family[] {
  return families.filter((f) => f.type !== 'gauge');
}
