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

/** The 501 for a method no resource implements; ../client-error.ts answers the parser's with it too. */
export const notImplemented = (method: string): StatusError =>
  new StatusError(501, `This server does not recognise the method ${method} for any resource.`);

export function methodGuard(options: Resolved) {
  const methods = options.methods;
  return function method(ctx: Context): void {
    if (!methods.has(ctx.method)) {
      throw notImplemented(ctx.method);
    }
  };
}
