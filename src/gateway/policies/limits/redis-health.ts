import type { RedisClient } from './redis-connection.ts';

/**
 * Whether a shared store's Redis connection is up, as its client's events
 * tell it. A store asks before each call: while the connection is known to
 * be down it fails at once (well under 1 ms) with its `failure: open | closed`
 * policy, instead of sending a command that waits out `commandTimeoutMs`;
 * ioredis keeps reconnecting in the background and the first `ready` makes it
 * up again. Only before the very first connection attempt has an outcome does
 * a call wait for it (at most `timeoutMs`): a gateway that has just started
 * is not "Redis is down".
 */
export class RedisHealth {
  #state: 'connecting' | 'up' | 'down';
  /** Why it is down (the last connection error), for logs and /readyz. */
  reason: string | undefined = undefined;
  readonly #timeoutMs: number;
  #first: Promise<void> | undefined;

  constructor(client: RedisClient, timeoutMs: number) {
    this.#timeoutMs = timeoutMs;
    this.#state = client.status === 'ready' ? 'up' : 'connecting';
    let settle: () => void = () => {};
    this.#first =
      this.#state === 'up'
        ? undefined
        : new Promise<void>((resolve) => {
            settle = resolve;
          });
    const down = (why: string): void => {
      this.#state = 'down';
      this.reason = why;
      settle();
    };
    client.on('ready', () => {
      this.#state = 'up';
      this.reason = undefined;
      settle();
    });
    client.on('error', (err: Error) => {
      if (client.status !== 'ready') down(err.message);
    });
    client.on('close', () => down('the connection closed'));
    client.on('end', () => down('the connection ended'));
  }

  /** Connected now. */
  get up(): boolean {
    return this.#state === 'up';
  }

  /** Known to be unreachable: fail at once. */
  get down(): boolean {
    return this.#state === 'down';
  }

  /** A wait for the first connection attempt's outcome (at most timeoutMs); undefined once there was one. */
  settled(): Promise<void> | undefined {
    const first = this.#first;
    if (first === undefined || this.#state !== 'connecting') {
      this.#first = undefined;
      return undefined;
    }
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, this.#timeoutMs);
    });
    return Promise.race([first, timeout]).finally(() => clearTimeout(timer));
  }
}

/** The error a store fails with while its Redis is known down. */
export function downError(health: RedisHealth): Error {
  return new Error(`Redis is unreachable (${health.reason ?? 'not connected'}); reconnecting in the background.`);
}
