/**
 * The keys the front leaves in `ctx.state`, for the handlers after it, the
 * gateway and the logs: one name each, read and written through here.
 */
import type { RequestContext } from './types.ts';

export const STATE = {
  /** The media type `accepts` chose for the answer (./guards/accept.ts). */
  mediaType: 'mediaType',
  /**
   * The error body's sub-code of the answer sent ('' for none; ./respond.ts):
   * the gateway's dashboard tells its own error answers from an upstream's.
   */
  subcode: 'error_subcode',
  /** Which side caused the failure the answer reports (./guards/deadline.ts, the gateway's exchange). */
  fault: 'fault',
} as const;

/** Who a failure is attributed to: the status code, the breaker, the metrics and the log agree on it. */
export type Fault = 'client' | 'upstream';

export function faultOf(ctx: RequestContext): Fault | undefined {
  return ctx.state[STATE.fault] as Fault | undefined;
}

export function setFault(ctx: RequestContext, fault: Fault): void {
  ctx.state[STATE.fault] = fault;
}

/** The media type the accept guard chose, when the route declares `produces`. */
export function mediaTypeChosen(ctx: RequestContext): string | undefined {
  return ctx.state[STATE.mediaType] as string | undefined;
}

/** The sub-code of the error answer sent ('' for none), undefined when no error body went out from the front. */
export function subcodeSent(ctx: RequestContext): string | undefined {
  return ctx.state[STATE.subcode] as string | undefined;
}
