/** Reads a Server-Sent Events stream with fetch, event by event (WHATWG HTML §9.2.6's field syntax). */
export interface SseEvent {
  event: string;
  data: string;
  retry?: number;
}

export async function openEvents(
  url: string,
  init: RequestInit = {},
): Promise<{ res: Response; next: () => Promise<SseEvent>; close: () => void }> {
  const ac = new AbortController();
  const res = await fetch(url, { ...init, signal: ac.signal });
  const reader = res.body?.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  const next = async (): Promise<SseEvent> => {
    for (;;) {
      const end = buffer.indexOf('\n\n');
      if (end >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const e: SseEvent = { event: 'message', data: '' };
        for (const line of block.split('\n')) {
          const colon = line.indexOf(':');
          const field = colon < 0 ? line : line.slice(0, colon);
          const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
          if (field === 'event') e.event = value;
          else if (field === 'data') e.data += e.data ? `\n${value}` : value;
          else if (field === 'retry') e.retry = Number(value);
        }
        return e;
      }
      const chunk = await reader?.read();
      if (!chunk || chunk.done) throw new Error('The event stream ended.');
      buffer += decoder.decode(chunk.value, { stream: true });
    }
  };
  return { res, next, close: () => ac.abort() };
}

/** The next event named `name` whose parsed data satisfies `check` (at most `limit` events read). */
export async function waitForEvent<T>(
  next: () => Promise<SseEvent>,
  name: string,
  check: (data: T) => boolean,
  limit = 30,
): Promise<T> {
  for (let i = 0; i < limit; i++) {
    const e = await next();
    if (e.event !== name) continue;
    const data = JSON.parse(e.data) as T;
    if (check(data)) return data;
  }
  throw new Error(`No ${name} event matched within ${limit} events.`);
}
