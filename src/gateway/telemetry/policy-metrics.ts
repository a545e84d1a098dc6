import type { Family } from './prometheus.ts';

/** Counters and gauges of the access policies, as the core's /metrics reads them. */
export interface PolicyStats {
  /** Requests admitted by the load shedder and not yet answered. */
  inFlight: number;
  /** Requests refused by the load shedder. */
  shed: number;
  /** Body bytes reserved in the body budget. */
  bodyBytesInUse: number;
  /** Calls a shared store (`redis`, `redis-replay`) could not answer, by what the request got. */
  storeFailures: { store: string; allowed: number; refused: number }[];
  /** Keys held by the memory store (undefined with Redis). */
  rateKeys: number | undefined;
  /** Memory-store keys dropped while still holding state. */
  rateKeyEvictions: number;
  /** Signatures in the in-process replay cache (undefined with Redis). */
  replayEntries: number | undefined;
  replayEvictions: number;
  /** Failed authentications counted per address, and requests refused (429) for too many. */
  authFailures: { counted: number; limited: number } | undefined;
}

const PREFIX = 'statuskit_gateway_';

const gauge = (name: string, help: string, value: number): Family => ({
  name: PREFIX + name,
  help,
  type: 'gauge',
  perProcess: true,
  samples: [{ suffix: '', labels: {}, value }],
});

const counter = (name: string, help: string, samples: Family['samples']): Family => ({
  name: PREFIX + name,
  help,
  type: 'counter',
  samples,
});

/** The policy metrics in Prometheus form. */
export function policyFamilies(s: PolicyStats): Family[] {
  const families: Family[] = [
    gauge('shed_in_flight', 'Requests admitted by the load shedder and not yet answered.', s.inFlight),
    counter('shed_total', 'Requests refused with 429 by the load shedder.', [
      { suffix: '', labels: {}, value: s.shed },
    ]),
    gauge('body_budget_bytes', 'Request-body bytes reserved in the body budget.', s.bodyBytesInUse),
    counter(
      'policy_store_failures_total',
      'Calls a shared policy store (rate limits, replays) could not answer, by store and outcome.',
      s.storeFailures.flatMap((f) => [
        { suffix: '', labels: { store: f.store, outcome: 'allowed' }, value: f.allowed },
        { suffix: '', labels: { store: f.store, outcome: 'refused' }, value: f.refused },
      ]),
    ),
    counter('ratelimit_evictions_total', 'Rate-limit keys dropped from the full memory store while holding state.', [
      { suffix: '', labels: {}, value: s.rateKeyEvictions },
    ]),
    counter('replay_cache_evictions_total', 'Signatures forgotten early because the replay cache was full.', [
      { suffix: '', labels: {}, value: s.replayEvictions },
    ]),
  ];
  if (s.authFailures !== undefined) {
    families.push(
      counter(
        'auth_failures_total',
        'Failed authentications (counted) and requests refused with 429 for too many (limited).',
        [
          { suffix: '', labels: { outcome: 'counted' }, value: s.authFailures.counted },
          { suffix: '', labels: { outcome: 'limited' }, value: s.authFailures.limited },
        ],
      ),
    );
  }
  if (s.rateKeys !== undefined) {
    families.push(gauge('ratelimit_keys', 'Keys held by the memory rate-limit store.', s.rateKeys));
  }
  if (s.replayEntries !== undefined) {
    families.push(
      gauge('replay_cache_entries', 'Signatures remembered against replay in this process.', s.replayEntries),
    );
  }
  return families;
}
