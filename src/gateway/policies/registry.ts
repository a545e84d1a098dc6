/**
 * The gateway's access guards in contract order, each with the codes and
 * sub-codes it owns and the decision it records. Like the front's registry
 * (../../server/guards/index.ts): to learn why a 429 with `OVERLOAD`
 * happened, open the guard that owns it (./guards/shed.ts).
 *
 * The front runs them between its `route` and `expect` guards
 * (docs/pipeline.md): drain 503 → proxy auth 407 → auth 401/441/403 (and
 * the failed-auth 429) → rate 429 → shed 429 → body budget 413.
 */
import type { ContractCode } from '../../catalog/index.ts';
import { StatusError } from '../../errors.ts';
import type { Guard, RequestContext } from '../../server/types.ts';
import * as auth from './guards/auth.ts';
import * as budget from './guards/body-budget.ts';
import * as drain from './guards/drain.ts';
import * as proxyAuth from './guards/proxy-auth.ts';
import * as rate from './guards/rate.ts';
import * as shed from './guards/shed.ts';

/** A code an access guard issues, with the sub-codes its error body's error_code carries ('' for none). */
export interface Owned {
  readonly code: ContractCode;
  readonly subcodes: readonly string[];
}

/** What a limiting guard decided on a request, as the access log's `limit` field and the metrics read it. */
export type LimitDecision = 'allowed' | 'limited' | 'shed' | 'unavailable';

/** Where the decision is left: `ctx.state[DECISION_STATE]`. */
export const DECISION_STATE = 'limit';

export interface AccessGuardSpec {
  readonly name: 'drain' | 'proxy-auth' | 'auth' | 'rate' | 'shed' | 'budget';
  /** The codes (with sub-codes) this guard, and no other access guard, issues. */
  readonly owns: readonly Owned[];
  /**
   * The decision this guard records, when it limits: `passed` on a request it let through (none
   * when passing says nothing, as with the shedder), `refused` on its 429; a 503 of its store is
   * `unavailable`.
   */
  readonly decides?: { readonly passed?: LimitDecision; readonly refused: LimitDecision };
}

/** Every access guard, in the order the gateway runs them. */
export const ACCESS_GUARDS = [
  { name: 'drain', owns: drain.owns },
  { name: 'proxy-auth', owns: proxyAuth.owns },
  { name: 'auth', owns: auth.owns },
  { name: 'rate', owns: rate.owns, decides: { passed: 'allowed', refused: 'limited' } },
  { name: 'shed', owns: shed.owns, decides: { refused: 'shed' } },
  { name: 'budget', owns: budget.owns },
] as const satisfies readonly AccessGuardSpec[];

export type AccessGuardName = (typeof ACCESS_GUARDS)[number]['name'];

/** The decision a request got, once a limiting guard ran (undefined before, or when none applied). */
export function decisionOf(ctx: RequestContext): LimitDecision | undefined {
  return ctx.state[DECISION_STATE] as LimitDecision | undefined;
}

/**
 * The guard of `spec`, recording its decision in `ctx.state[DECISION_STATE]` when the spec says it
 * decides; the guard's answers are unchanged and a synchronous guard stays synchronous.
 */
export function withDecision(spec: AccessGuardSpec, guard: Guard): Guard {
  const decides = spec.decides;
  if (!decides) return guard;
  const refuse = (ctx: RequestContext, err: unknown): never => {
    if (err instanceof StatusError) ctx.state[DECISION_STATE] = err.status === 429 ? decides.refused : 'unavailable';
    throw err;
  };
  const pass = (ctx: RequestContext): void => {
    if (decides.passed) ctx.state[DECISION_STATE] = decides.passed;
  };
  const decide = function recordDecision(ctx: RequestContext): void | Promise<void> {
    let result: void | Promise<void>;
    try {
      result = guard(ctx);
    } catch (err) {
      return refuse(ctx, err);
    }
    if (result instanceof Promise)
      return result.then(
        () => pass(ctx),
        (err: unknown) => refuse(ctx, err),
      );
    pass(ctx);
  };
  Object.defineProperty(decide, 'name', { value: guard.name });
  return decide;
}
