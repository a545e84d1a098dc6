import { StatusError } from '../../errors.ts';
import type { Guard, RequestContext } from '../../server/types.ts';
import type { Policies } from './index.ts';

/** Where the limiter's decision on a request is left for the access log and the metrics. */
export const LIMIT_STATE = 'limit';

function noteRefusal(ctx: RequestContext, err: unknown, refused: string): never {
  if (err instanceof StatusError) ctx.state[LIMIT_STATE] = err.status === 429 ? refused : 'unavailable';
  throw err;
}

/**
 * Wraps a limiting guard so its decision is recorded in `ctx.state.limit`:
 * `allowed`, `limited` (rate 429), `shed` (load-shedding 429) or
 * `unavailable` (a fail-closed store's 503). The guard's answers are
 * unchanged; a synchronous guard stays synchronous.
 */
function recordDecision(guard: Guard, refused: 'limited' | 'shed', allowed: boolean): Guard {
  const admit = (ctx: RequestContext): void => {
    if (allowed) ctx.state[LIMIT_STATE] = 'allowed';
  };
  return function decide(ctx: RequestContext): void | Promise<void> {
    let result: void | Promise<void>;
    try {
      result = guard(ctx);
    } catch (err) {
      noteRefusal(ctx, err, refused);
    }
    if (result instanceof Promise) {
      return result.then(
        () => admit(ctx),
        (err: unknown) => noteRefusal(ctx, err, refused),
      );
    }
    admit(ctx);
  };
}

/** The policies' access guards in their order, the limiting ones recording their decisions. */
export function instrumentPolicies(policies: Policies): Guard[] {
  return policies.guards.map((g) => {
    if (g === policies.rate) return recordDecision(g, 'limited', true);
    if (g === policies.shedder?.guard) return recordDecision(g, 'shed', false);
    return g;
  });
}
