import cluster, { type Worker } from 'node:cluster';
import type { ProcessData } from './stats.ts';
import type { DataSource } from './view.ts';

/** The dashboard's messages between the cluster primary and its workers (beside ../cluster.ts's own). */
type Message =
  | { statuskit: 'dashboard'; id: number; since: number; until: number; histFrom: number }
  | { statuskit: 'dashboard-data'; id: number; data: ProcessData };

const isMessage = (m: unknown): m is Message =>
  typeof m === 'object' && m !== null && 'statuskit' in m && String((m as Message).statuskit).startsWith('dashboard');

/** How long the primary waits for a worker's seconds before leaving it out of a tick. */
const WAIT = 1_500; // 1.5 s

/**
 * The primary's source: asks every connected worker for its seconds and
 * merges what comes back in time (a worker that is slow or gone is left
 * out of that tick, and its seconds of that tick are missing from the page).
 */
export function workerSource(): DataSource {
  let seq = 0;
  const pending = new Map<number, (data: ProcessData) => void>();
  cluster.on('message', (_worker: Worker, m: unknown) => {
    if (isMessage(m) && m.statuskit === 'dashboard-data') pending.get(m.id)?.(m.data);
  });
  return async (since, until, histFrom) => {
    const workers = Object.values(cluster.workers ?? {}).filter((w): w is Worker => w?.isConnected() === true);
    const replies = await Promise.all(
      workers.map(
        (w) =>
          new Promise<ProcessData | undefined>((resolve) => {
            const id = ++seq;
            const timer = setTimeout(() => {
              pending.delete(id);
              resolve(undefined);
            }, WAIT);
            pending.set(id, (data) => {
              clearTimeout(timer);
              pending.delete(id);
              resolve(data);
            });
            w.send({ statuskit: 'dashboard', id, since, until, histFrom } satisfies Message);
          }),
      ),
    );
    return replies.filter((r) => r !== undefined);
  };
}

/** A worker's side: answers the primary's asks from this process's data. Returns the remover. */
export function answerDashboard(data: (since: number, until: number, histFrom: number) => ProcessData): () => void {
  const onMessage = (m: unknown): void => {
    if (!isMessage(m) || m.statuskit !== 'dashboard') return;
    process.send?.({
      statuskit: 'dashboard-data',
      id: m.id,
      data: data(m.since, m.until, m.histFrom),
    } satisfies Message);
  };
  process.on('message', onMessage);
  return () => process.off('message', onMessage);
}
