/**
 * Draining: once shutdown (or a reload's retirement) begins, a request that
 * still arrives on a kept-alive connection gets 503 + Retry-After and the
 * connection closes. First of the access guards: a draining gateway
 * authenticates nothing and counts nothing against a limit.
 */
import { StatusError } from '../../../errors.ts';
import type { Guard } from '../../../server/types.ts';
import type { Owned } from '../registry.ts';

export const DRAINING = 'DRAINING';

export const owns = [{ code: 503, subcodes: [DRAINING] }] as const satisfies readonly Owned[];

/** `draining()` is read per request; `retryAfter` in seconds, as the header carries it. */
export function createDrainGuard(draining: () => boolean, retryAfter: number): Guard {
  return function refuseWhileDraining(): void {
    if (!draining()) return;
    // RFC 9110 §15.6.4 + §10.2.3: temporary, so Retry-After; RFC 9112 §9.6: close this connection.
    throw new StatusError(503, 'The gateway is shutting down; retry shortly.', {
      headers: { 'retry-after': String(retryAfter), connection: 'close' },
      subcode: DRAINING,
    });
  };
}
