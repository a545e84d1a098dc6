import type { TargetDescription } from '../../src/check/target.ts';

/**
 * The routes every comparison app implements, as the checker's target
 * description. The apps (node.ts, express.ts, fastify.ts) use only what their
 * framework gives by default plus these handlers: the results show what each
 * stack answers out of the box.
 */
export const APP_TARGET: TargetDescription = {
  resource: '/items/1',
  collection: '/items',
  validBody: { name: 'second' },
  invalidBody: { name: 42 },
  bodyLimit: 16 * 1024,
  getOnly: '/ping',
  blob: '/blob',
  redirect: '/old',
  error: '/boom',
  jsonOnly: '/items',
  slow: '/slow',
  protected: '/admin/secret',
};

export const BODY_LIMIT = APP_TARGET.bodyLimit as number;
export const BLOB = Buffer.from('0123456789abcdefghijklmnopqrstuvwxyz');
export const SLOW_MS = 3000; // longer than the checker's 2 s default wait

/** The handlers' shared logic: a JSON item must have a string name. */
export function invalidItem(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null) return 'body must be an object';
  return typeof (body as { name?: unknown }).name === 'string' ? undefined : '"name" must be a string';
}

/** The protected route's check, as such apps write it: a bearer token, else 401 with a challenge. */
export const SECRET = { secret: true };
export const CHALLENGE = { 'WWW-Authenticate': 'Bearer realm="conformance"' };
export const authorized = (authorization: string | undefined): boolean => authorization === 'Bearer conformance';

/** Tells the parent process where the app listens. */
export function announce(port: number): void {
  process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${port}` })}\n`);
}
