/**
 * The Prometheus text exposition format (version 0.0.4), written by hand:
 * metric families as plain data, merged across worker processes, rendered
 * to text. https://prometheus.io/docs/instrumenting/exposition_formats/
 */

export type Labels = Readonly<Record<string, string>>;

export interface Sample {
  /** Suffix of the family name: '' for counters and gauges, `_bucket`, `_sum`, `_count` for histograms. */
  suffix: string;
  labels: Labels;
  value: number;
}

export interface Family {
  name: string;
  help: string;
  type: 'counter' | 'gauge' | 'histogram';
  /** Gauges that describe one process (a breaker of one worker) get a `worker` label when merged. */
  perProcess?: boolean;
  samples: Sample[];
}

export const CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/** Label values escape backslash, double quote and line feed. */
function escapeLabel(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

/** HELP text escapes backslash and line feed. */
function escapeHelp(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

function labelText(labels: Labels): string {
  const keys = Object.keys(labels);
  if (keys.length === 0) return '';
  return `{${keys.map((k) => `${k}="${escapeLabel(labels[k] as string)}"`).join(',')}}`;
}

function valueText(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Number.POSITIVE_INFINITY) return '+Inf';
  if (v === Number.NEGATIVE_INFINITY) return '-Inf';
  return String(v);
}

export function render(families: readonly Family[]): string {
  let out = '';
  for (const f of families) {
    out += `# HELP ${f.name} ${escapeHelp(f.help)}\n# TYPE ${f.name} ${f.type}\n`;
    for (const s of f.samples) out += `${f.name}${s.suffix}${labelText(s.labels)} ${valueText(s.value)}\n`;
  }
  return out;
}

const sampleKey = (s: Sample): string => `${s.suffix}\u0000${JSON.stringify(s.labels)}`;

/**
 * Merges the families of several processes: counters, histograms and
 * ordinary gauges add up; per-process gauges keep one sample per process,
 * told apart by a `worker` label.
 */
export function merge(parts: readonly { worker: string; families: readonly Family[] }[]): Family[] {
  const byName = new Map<string, { family: Family; index: Map<string, Sample> }>();
  for (const { worker, families } of parts) {
    for (const f of families) {
      let entry = byName.get(f.name);
      if (!entry) {
        entry = { family: { ...f, samples: [] }, index: new Map() };
        byName.set(f.name, entry);
      }
      for (const s of f.samples) {
        const sample = f.perProcess ? { ...s, labels: { ...s.labels, worker } } : s;
        const key = sampleKey(sample);
        const have = entry.index.get(key);
        if (have) have.value += sample.value;
        else {
          const copy = { ...sample };
          entry.index.set(key, copy);
          entry.family.samples.push(copy);
        }
      }
    }
  }
  return [...byName.values()].map((e) => e.family);
}

/** Upper bounds of the latency histogram, in seconds. */
export const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30] as const;

/** A histogram with fixed buckets: one array increment per observation. */
export class Histogram {
  /** counts[i]: observations ≤ LATENCY_BUCKETS[i] and above the bucket before (not cumulative). */
  readonly counts = new Float64Array(LATENCY_BUCKETS.length + 1);
  sum = 0;
  count = 0;

  observe(seconds: number): void {
    let i = 0;
    while (i < LATENCY_BUCKETS.length && seconds > (LATENCY_BUCKETS[i] as number)) i++;
    this.counts[i]! += 1;
    this.sum += seconds;
    this.count++;
  }

  /** Samples in exposition order: cumulative buckets, +Inf, sum, count. */
  samples(labels: Labels): Sample[] {
    const out: Sample[] = [];
    let cumulative = 0;
    LATENCY_BUCKETS.forEach((le, i) => {
      cumulative += this.counts[i] as number;
      out.push({ suffix: '_bucket', labels: { ...labels, le: String(le) }, value: cumulative });
    });
    out.push({ suffix: '_bucket', labels: { ...labels, le: '+Inf' }, value: this.count });
    out.push({ suffix: '_sum', labels, value: this.sum });
    out.push({ suffix: '_count', labels, value: this.count });
    return out;
  }
}
