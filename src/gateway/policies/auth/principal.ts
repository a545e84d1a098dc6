import type { RequestContext } from '../../../server/types.ts';
import type { RatePolicy } from '../limits/gcra.ts';

/** Who a request authenticated as; the auth guard leaves it in `ctx.state.principal`. */
export interface Principal {
  /** How it authenticated. */
  scheme: 'api-key' | 'signature';
  /** A stable, non-secret name: the key's configured id, or the access key. */
  id: string;
  /** A rate policy of its own, overriding the rate guard's default. */
  rate?: RatePolicy;
}

export const PRINCIPAL_STATE = 'principal';

export function principalOf(ctx: RequestContext): Principal | undefined {
  return ctx.state[PRINCIPAL_STATE] as Principal | undefined;
}

/**
 * When the auth guard had to read a signed body to verify it, the bytes are
 * left here (a Buffer): the request stream is spent, and whoever forwards or
 * handles the request must use these bytes instead.
 */
export const SIGNED_BODY_STATE = 'signedBody';
