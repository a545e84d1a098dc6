import type { ServerResponse } from 'node:http';
import { guidanceFor, nameIn, PROFILES, type Profile, profileEntries } from '../../../catalog/index.ts';
import type { RequestContext } from '../../../server/types.ts';
import type { DashboardView } from './view.ts';

/** How often every open dashboard gets a snapshot. */
export const TICK = 1_000; // 1 s
/** What EventSource waits before reconnecting (the `retry:` field, WHATWG HTML §9.2.6). */
const RETRY = 2_000; // 2 s
/** A dashboard that stopped reading is dropped once this much waits for it. */
const MAX_BUFFERED = 1024 * 1024; // 1 MiB

/** What a client should do on a code, in words, by the catalog's guidance (CONTRACT.md §5). */
const GUIDANCE_WORDS: Record<string, string> = {
  done: 'done',
  follow: 'follow the redirect',
  fix: 'modify the request',
  'retry-later': 'retry later',
  'retry-after': 'wait for Retry-After',
  'retry-idempotent': 'retry if idempotent',
  'never-issued': 'never issued',
};

export interface CatalogView {
  /** The profile's table name (441 "Authentication Error" under dis). */
  name: string;
  /** The standard reason phrase. */
  reason: string;
  guidance: string;
  action: string;
}

/** The catalog as the page needs it: each code's name under the profile, and its guidance. */
export function catalogFor(profile: Profile): Record<string, CatalogView> {
  const out: Record<string, CatalogView> = {};
  for (const e of profileEntries(profile)) {
    const g = guidanceFor(e.code);
    const r = guidanceFor(e.code, true);
    const words = GUIDANCE_WORDS[g] ?? g;
    out[e.code] = {
      name: nameIn(e, profile),
      reason: e.reason,
      guidance: r !== g ? `${words}; with Retry-After: ${GUIDANCE_WORDS[r] ?? r}` : words,
      action: e.action,
    };
  }
  return out;
}

const event = (name: string, data: unknown): string => `event: ${name}\ndata: ${JSON.stringify(data)}\n\n`;

export interface DashboardStream {
  /** The GET handler of the event stream. */
  handle(ctx: RequestContext): void;
  /** Dashboards connected now. */
  readonly clients: number;
  /** Ends every stream and stops the ticks. */
  close(): void;
}

/**
 * One Server-Sent Events stream for every open dashboard: a snapshot is
 * built once a second (only while one is connected) and the same text
 * written to each. A new dashboard gets `retry:`, the catalog (`meta`), the
 * time line so far (`history`), then the ticks.
 */
export function createDashboardStream(view: DashboardView, profile: Profile, onError: (err: unknown) => void) {
  const clients = new Set<ServerResponse>();
  const meta = event('meta', {
    profile,
    title: PROFILES[profile].title,
    started: Date.now(),
    catalog: catalogFor(profile),
  });
  let timer: NodeJS.Timeout | undefined;
  let last = '';
  let running: Promise<void> | undefined;
  /** Dashboards connected and waiting for their history. */
  let joining = 0;

  const broadcast = (text: string): void => {
    for (const res of clients) {
      // A dashboard that stopped reading gets no more: its buffer stays bounded.
      if (res.writableLength > MAX_BUFFERED) res.destroy();
      else res.write(text);
    }
  };
  const refresh = async (): Promise<void> => {
    const fresh = await view.refresh();
    last = event('tick', view.tick(fresh));
    broadcast(last);
  };
  /** One refresh at a time: a tick that finds the previous one still waiting (a slow worker) joins it. */
  const tick = (): Promise<void> => {
    running ??= refresh()
      .catch(onError)
      .finally(() => {
        running = undefined;
      });
    return running;
  };
  const stopIfIdle = (): void => {
    if (clients.size > 0 || joining > 0) return;
    clearInterval(timer);
    timer = undefined;
  };

  const handle = (ctx: RequestContext): void => {
    const res = ctx.res;
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      'x-request-id': ctx.requestId,
    });
    // RFC 9110 §9.3.2: HEAD gets the head alone; it never joins the stream.
    if (ctx.method === 'HEAD') {
      res.end();
      return;
    }
    res.write(`retry: ${RETRY}\n\n${meta}`);
    res.on('close', () => {
      clients.delete(res);
      stopIfIdle();
    });
    // Idle, the view is stale: refresh it first. A dashboard joins the ticks once it has the history.
    const stale = timer === undefined;
    if (stale) {
      timer = setInterval(() => {
        if (clients.size === 0 && joining === 0) stopIfIdle();
        else void tick();
      }, TICK);
      timer.unref();
    }
    joining++;
    void (stale ? tick() : (running ?? Promise.resolve())).then(() => {
      joining--;
      if (res.destroyed) return stopIfIdle();
      res.write(event('history', view.history()));
      if (last) res.write(last);
      clients.add(res);
    });
  };

  return {
    handle,
    get clients() {
      return clients.size;
    },
    close(): void {
      clearInterval(timer);
      timer = undefined;
      for (const res of clients) res.end();
      clients.clear();
    },
  } satisfies DashboardStream;
}
