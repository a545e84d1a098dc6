/**
 * What an exchange leaves in `ctx.state` for the access log and the
 * dashboard: the target that took the request and when it was sent and
 * answered. The front's own keys (fault, sub-code) are ../../server/state.ts.
 */
import type { RequestContext } from '../../server/types.ts';

export const PROXY_STATE = {
  /** The label of the target the request went to. */
  upstream: 'upstream',
  /** performance.now() when the request was handed to the target. */
  sentAt: 'upstreamSentAt',
  /** performance.now() when the target's head arrived. */
  answeredAt: 'upstreamAnsweredAt',
} as const;

/** The target a forwarded request went to; undefined before one was chosen. */
export function upstreamOf(ctx: RequestContext): string | undefined {
  return ctx.state[PROXY_STATE.upstream] as string | undefined;
}

/** Milliseconds from sending to the target's head, or -1 when it did not answer (or was never asked). */
export function upstreamMs(ctx: RequestContext): number {
  const sent = ctx.state[PROXY_STATE.sentAt] as number | undefined;
  const answered = ctx.state[PROXY_STATE.answeredAt] as number | undefined;
  return sent === undefined || answered === undefined ? -1 : answered - sent;
}
