import type { Family } from '../prometheus.ts';

/** Counters and gauges of the access policies, as the core's /metrics reads them. */
export interface PolicyStats {
  /** Requests admitted by the load shedder and not yet answered. */
  inFlight: number;
  /** Requests refused by the load shedder. */
  shed: number;
  /** Body bytes reserved in the body budget. */
  bodyBytesInUse: number;
  /** Rate-limit decisions the shared store could not make, by what the request got. */
  storeFailures: { allowed: number; refused: number };
  /** Keys held by the memory store (undefined with Redis). */
  rateKeys: number | undefined;
  /** Memory-store keys dropped while still holding state. */
  rateKeyEvictions: number;
  replayEntries: number;
  replayEvictions: number;
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
    counter('ratelimit_store_failures_total', 'Rate-limit decisions the store could not make, by outcome.', [
      { suffix: '', labels: { outcome: 'allowed' }, value: s.storeFailures.allowed },
      { suffix: '', labels: { outcome: 'refused' }, value: s.storeFailures.refused },
    ]),
    counter('ratelimit_evictions_total', 'Rate-limit keys dropped from the full memory store while holding state.', [
      { suffix: '', labels: {}, value: s.rateKeyEvictions },
    ]),
    gauge('replay_cache_entries', 'Signatures remembered against replay.', s.replayEntries),
    counter('replay_cache_evictions_total', 'Signatures forgotten early because the replay cache was full.', [
      { suffix: '', labels: {}, value: s.replayEvictions },
    ]),
  ];
  if (s.rateKeys !== undefined)
    families.push(gauge('ratelimit_keys', 'Keys held by the memory rate-limit store.', s.rateKeys));
  return families;
}
