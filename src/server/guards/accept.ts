/**
 * accept — owns 406 Not Acceptable.
 *
 * RFC 9110 §12.5.1 and §15.5.7: when the route can answer only in media
 * types the request's Accept excludes, 406. A missing Accept accepts
 * anything; a range with q=0 excludes (§12.4.2). Applies to routes with
 * `produces`; the chosen type is left in ctx.state (mediaTypeChosen, ../state.ts).
 */
import { StatusError } from '../../errors.ts';
import type { Context } from '../context.ts';
import { STATE } from '../state.ts';
import { rangeCovers } from './media.ts';

export const owns = [406] as const;

interface Range {
  readonly range: string;
  readonly q: number;
}

function parseAccept(header: string): Range[] {
  const out: Range[] = [];
  for (const part of header.split(',')) {
    const [range = '', ...params] = part.split(';');
    let q = 1;
    for (const p of params) {
      const [k, v] = p.split('=');
      if (k?.trim().toLowerCase() === 'q' && v !== undefined) q = Number(v.trim());
    }
    const r = range.trim().toLowerCase();
    if (r) out.push({ range: r, q: Number.isNaN(q) ? 0 : q });
  }
  return out;
}

/** The produced type the Accept header weighs highest, or undefined when it accepts none. */
export function negotiate(header: string, produces: readonly string[]): string | undefined {
  const ranges = parseAccept(header);
  let best: string | undefined;
  let bestQ = 0;
  for (const type of produces) {
    const t = type.toLowerCase();
    // The most specific range decides a type's weight (RFC 9110 §12.5.1).
    let q = -1;
    let specificity = -1;
    for (const r of ranges) {
      if (!rangeCovers(r.range, t)) continue;
      const s = r.range === '*/*' ? 0 : r.range.endsWith('/*') ? 1 : 2;
      if (s > specificity) {
        specificity = s;
        q = r.q;
      }
    }
    if (q > bestQ) {
      best = type;
      bestQ = q;
    }
  }
  return best;
}

export function acceptGuard() {
  return function accept(ctx: Context): void {
    const produces = ctx.route?.produces;
    if (!produces) return;
    const header = ctx.req.headers.accept;
    if (header === undefined || header === '') {
      ctx.state[STATE.mediaType] = produces[0];
      return;
    }
    const chosen = negotiate(header, produces);
    if (chosen === undefined) {
      throw new StatusError(406, `${ctx.path} can answer in ${produces.join(', ')}; the request accepts none of them.`);
    }
    ctx.state[STATE.mediaType] = chosen;
  };
}
