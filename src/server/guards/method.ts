/**
 * method — owns 501 Not Implemented.
 *
 * RFC 9110 §9.1 and §15.6.2: a method the server does not recognise or
 * implement for any resource gets 501 (not 400, not 405). Methods node's
 * parser does not know at all (`BREW`) never reach a guard: ../client-error.ts
 * answers them 501 from the raw request line.
 */
import { StatusError } from '../../errors.ts';
import type { Context } from '../context.ts';
import type { Resolved } from '../options.ts';

export const owns = [501] as const;

export function methodGuard(options: Resolved) {
  const methods = options.methods;
  return function method(ctx: Context): void {
    if (!methods.has(ctx.method)) {
      throw new StatusError(501, `This server does not recognise the method ${ctx.method} for any resource.`);
    }
  };
}
