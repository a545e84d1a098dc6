/**
 * expect — owns 100 Continue and 417 Expectation Failed.
 *
 * RFC 9110 §10.1.1: the only expectation defined is 100-continue; a server
 *   that gets any other MAY answer 417 (§15.5.18), which the contract does.
 *   A 100-continue in an HTTP/1.0 request MUST be ignored.
 * The 100 is not sent here: it waits until the request passed every guard
 * and the handler starts reading the body (../body.ts). A request refused
 * before that gets its final answer without its body being read, and
 * node:http closes the connection after it.
 */
import { StatusError } from '../../errors.ts';
import type { Context } from '../context.ts';

export const owns = [100, 417] as const;

export function expectGuard() {
  return function expect(ctx: Context): void {
    const value = ctx.req.headers.expect;
    if (value === undefined) return;
    if (value.trim().toLowerCase() === '100-continue') {
      // HTTP/1.1 and HTTP/2 (RFC 9113 §8.1: 100 is a HEADERS frame before the final one); not HTTP/1.0.
      if (ctx.req.httpVersionMinor >= 1 || ctx.req.httpVersionMajor === 2) ctx.expectContinue = true;
      return;
    }
    throw new StatusError(417, `The expectation "${value}" is not supported; only 100-continue is.`);
  };
}
