/**
 * Process metrics for /metrics, under the names and meanings of prom-client's
 * `collectDefaultMetrics` (so existing dashboards and alerts work as they
 * are): CPU, memory, file descriptors, start time, event-loop delay, heap
 * spaces, active resources, GC pauses, the Node version. Read at scrape
 * time, except what must be watched between scrapes (event-loop delay and
 * GC, each through one perf_hooks observer started once per process).
 * Every family is per process: with --workers each worker's sample carries
 * its `worker` label (./prometheus.ts merge).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { type IntervalHistogram, monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';
import { getHeapSpaceStatistics } from 'node:v8';
import type { Family, Labels } from './prometheus.ts';

const GC_BUCKETS = [0.001, 0.01, 0.1, 1, 2, 5] as const; // s, as prom-client
const GC_KINDS: Record<number, string> = { 1: 'minor', 2: 'major', 4: 'incremental', 8: 'weakcb' };

interface Watchers {
  delay: IntervalHistogram;
  /** The latest setImmediate lag, s (prom-client's nodejs_eventloop_lag_seconds). */
  lag: number;
  gc: Map<string, { counts: number[]; sum: number; count: number }>;
}

let watchers: Watchers | undefined;

/** Starts the event-loop and GC watchers once per process; they keep no loop alive. */
function watch(): Watchers {
  if (watchers) return watchers;
  const delay = monitorEventLoopDelay({ resolution: 10 }); // 10 ms, as prom-client
  delay.enable();
  const w: Watchers = { delay, lag: 0, gc: new Map() };
  const probe = setInterval(() => {
    const start = process.hrtime.bigint();
    setImmediate(() => {
      w.lag = Number(process.hrtime.bigint() - start) / 1e9;
    });
  }, 1_000); // 1 s
  probe.unref();
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      const detail = (entry as unknown as { detail?: { kind?: number } }).detail;
      const kind = GC_KINDS[detail?.kind ?? 0] ?? 'unknown';
      let h = w.gc.get(kind);
      if (!h) w.gc.set(kind, (h = { counts: GC_BUCKETS.map(() => 0), sum: 0, count: 0 }));
      const s = entry.duration / 1000;
      GC_BUCKETS.forEach((le, i) => {
        if (s <= le) h.counts[i]! += 1;
      });
      h.sum += s;
      h.count++;
    }
  });
  observer.observe({ entryTypes: ['gc'] });
  watchers = w;
  return w;
}

/** /proc/self/status fields in bytes (Linux), as prom-client's osMemoryHeapLinux reads them. */
function procStatus(): Record<string, number> {
  const out: Record<string, number> = {};
  try {
    for (const line of readFileSync('/proc/self/status', 'utf8').split('\n')) {
      const m = /^(VmRSS|VmSize|VmData):\s+(\d+) kB/.exec(line);
      if (m) out[m[1]!] = Number(m[2]) * 1024;
    }
  } catch {}
  return out;
}

function openFds(): number | undefined {
  try {
    return readdirSync('/proc/self/fd').length - 1; // minus the one readdir itself holds
  } catch {
    return undefined;
  }
}

function maxFds(): number | undefined {
  try {
    const m = /Max open files\s+(\d+)/.exec(readFileSync('/proc/self/limits', 'utf8'));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

const gauge = (name: string, help: string, value: number | undefined, labels: Labels = {}): Family[] =>
  value === undefined
    ? []
    : [{ name, help, type: 'gauge', perProcess: true, samples: [{ suffix: '', labels, value }] }];

const counter = (name: string, help: string, value: number): Family => ({
  name,
  help,
  type: 'counter',
  perProcess: true,
  samples: [{ suffix: '', labels: {}, value }],
});

const START = Math.round(Date.now() / 1000 - process.uptime());

/** The process families at this moment. */
export function processFamilies(): Family[] {
  const w = watch();
  const cpu = process.cpuUsage();
  const mem = process.memoryUsage();
  const status = procStatus();
  const d = w.delay;
  const ns = (v: number): number => (Number.isFinite(v) ? v / 1e9 : 0);
  const resources = process.getActiveResourcesInfo();
  const byType = new Map<string, number>();
  for (const r of resources) byType.set(r, (byType.get(r) ?? 0) + 1);
  const [major = '0', minor = '0', patch = '0'] = process.versions.node.split('.');
  const spaces = getHeapSpaceStatistics();
  const space = (s: { space_name: string }) => s.space_name.replace(/_space$/, '');
  const gc: Family = {
    name: 'nodejs_gc_duration_seconds',
    help: 'Garbage collection duration by kind, one of major, minor, incremental or weakcb.',
    type: 'histogram',
    perProcess: true,
    samples: [...w.gc.entries()].flatMap(([kind, h]) => [
      ...GC_BUCKETS.map((le, i) => ({ suffix: '_bucket', labels: { kind, le: String(le) }, value: h.counts[i]! })),
      { suffix: '_bucket', labels: { kind, le: '+Inf' }, value: h.count },
      { suffix: '_sum', labels: { kind }, value: h.sum },
      { suffix: '_count', labels: { kind }, value: h.count },
    ]),
  };
  return [
    counter('process_cpu_user_seconds_total', 'Total user CPU time spent in seconds.', cpu.user / 1e6),
    counter('process_cpu_system_seconds_total', 'Total system CPU time spent in seconds.', cpu.system / 1e6),
    counter(
      'process_cpu_seconds_total',
      'Total user and system CPU time spent in seconds.',
      (cpu.user + cpu.system) / 1e6,
    ),
    ...gauge('process_start_time_seconds', 'Start time of the process since unix epoch in seconds.', START),
    ...gauge('process_resident_memory_bytes', 'Resident memory size in bytes.', status.VmRSS ?? mem.rss),
    ...gauge('process_virtual_memory_bytes', 'Virtual memory size in bytes.', status.VmSize),
    ...gauge('process_heap_bytes', 'Process heap size in bytes.', status.VmData),
    ...gauge('process_open_fds', 'Number of open file descriptors.', openFds()),
    ...gauge('process_max_fds', 'Maximum number of open file descriptors.', maxFds()),
    ...gauge('nodejs_eventloop_lag_seconds', 'Lag of event loop in seconds.', w.lag),
    ...gauge('nodejs_eventloop_lag_min_seconds', 'The minimum recorded event loop delay.', ns(d.min)),
    ...gauge('nodejs_eventloop_lag_max_seconds', 'The maximum recorded event loop delay.', ns(d.max)),
    ...gauge('nodejs_eventloop_lag_mean_seconds', 'The mean of the recorded event loop delays.', ns(d.mean)),
    ...gauge(
      'nodejs_eventloop_lag_stddev_seconds',
      'The standard deviation of the recorded event loop delays.',
      ns(d.stddev),
    ),
    ...gauge(
      'nodejs_eventloop_lag_p50_seconds',
      'The 50th percentile of the recorded event loop delays.',
      ns(d.percentile(50)),
    ),
    ...gauge(
      'nodejs_eventloop_lag_p90_seconds',
      'The 90th percentile of the recorded event loop delays.',
      ns(d.percentile(90)),
    ),
    ...gauge(
      'nodejs_eventloop_lag_p99_seconds',
      'The 99th percentile of the recorded event loop delays.',
      ns(d.percentile(99)),
    ),
    {
      name: 'nodejs_active_resources',
      help: 'Number of active resources that are currently keeping the event loop alive, grouped by async resource type.',
      type: 'gauge',
      perProcess: true,
      samples: [...byType.entries()].map(([type, value]) => ({ suffix: '', labels: { type }, value })),
    },
    ...gauge('nodejs_active_resources_total', 'Total number of active resources.', resources.length),
    ...gauge('nodejs_heap_size_total_bytes', 'Process heap size from Node.js in bytes.', mem.heapTotal),
    ...gauge('nodejs_heap_size_used_bytes', 'Process heap size used from Node.js in bytes.', mem.heapUsed),
    ...gauge('nodejs_external_memory_bytes', 'Node.js external memory size in bytes.', mem.external),
    ...(['total', 'used', 'available'] as const).map(
      (kind): Family => ({
        name: `nodejs_heap_space_size_${kind}_bytes`,
        help: `Process heap space size ${kind} from Node.js in bytes.`,
        type: 'gauge',
        perProcess: true,
        samples: spaces.map((s) => ({
          suffix: '',
          labels: { space: space(s) },
          value: kind === 'total' ? s.space_size : kind === 'used' ? s.space_used_size : s.space_available_size,
        })),
      }),
    ),
    ...gauge('nodejs_version_info', 'Node.js version info.', 1, { version: process.version, major, minor, patch }),
    gc,
  ];
}
