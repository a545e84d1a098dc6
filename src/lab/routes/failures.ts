import { StatusError } from '../../errors.ts';
import {
  FIELD_GENERATIONS,
  type FieldGeneration,
  QUOTA_EXCEEDED,
  rateLimitHeaderValues,
} from '../../gateway/policies/limits/fields.ts';
import { sendJson } from '../../server/respond.ts';
import type { RouteDef } from '../../server/types.ts';
import { JSON_ONLY, type LabState, queryInt } from '../state.ts';

const MAX_SLOW = 600_000; // 10 min, in ms

/**
 * Routes that fail on purpose: a handler that throws (500), one that takes
 * its time (504 under a short deadline), one in maintenance (503), and one
 * behind a rate limit (429).
 */
export function failureRoutes(lab: LabState): RouteDef[] {
  const { options, limiter } = lab;
  const window = Math.ceil(limiter.windowMs / 1000);
  return [
    {
      path: '/fail',
      methods: {
        GET() {
          // The front's error boundary must answer 500 without any of this text.
          throw new Error('lab: simulated failure reading /var/lib/statuskit/secret.db with password=hunter2');
        },
      },
    },
    {
      path: '/slow',
      produces: JSON_ONLY,
      timeout: options.slowTimeout,
      timeoutQuery: true,
      methods: {
        async GET(ctx) {
          const ms = queryInt(ctx, 'ms', options.slowDelay, 0, MAX_SLOW);
          // Rejects when the deadline passes: the front has answered 504 by then.
          await options.sleep(ms, ctx.signal);
          sendJson(ctx, 200, { waited_ms: ms });
        },
      },
    },
    {
      path: '/maintenance',
      // RFC 9110 §15.6.4: temporary, so Retry-After says when to come back.
      unavailable: {
        retryAfter: options.maintenanceRetryAfter,
        reason: 'The lab’s maintenance route is always down for maintenance.',
      },
      methods: {
        // Reached only if the route is ever taken out of maintenance: the front answers 503 before it.
        GET: (ctx) => sendJson(ctx, 200, { maintenance: false }),
      },
    },
    {
      path: '/limited',
      produces: JSON_ONLY,
      methods: {
        GET(ctx) {
          const generation = fieldsOf(ctx.query.get('fields'), options.rateLimitFields);
          const state = limiter.hit(ctx.req.socket.remoteAddress ?? 'unknown');
          // draft-ietf-httpapi-ratelimit-headers: the policy, and what is left of it (the gateway's formatter).
          const limit = { name: 'lab', limit: limiter.limit, window, remaining: state.remaining, reset: state.reset };
          if (!state.allowed) {
            // RFC 6585 §4: 429 with Retry-After, here the seconds until the window resets.
            throw new StatusError(429, `Rate limit exceeded: ${limiter.limit} requests per ${window} s.`, {
              headers: rateLimitHeaderValues([limit], generation, state.reset, options.now()),
              problem: { ...QUOTA_EXCEEDED, members: { 'violated-policies': ['lab'] } },
            });
          }
          const headers = rateLimitHeaderValues([limit], generation, undefined, options.now());
          sendJson(ctx, 200, { remaining: state.remaining }, headers);
        },
      },
    },
  ];
}

/** `?fields=` chooses the generation of the RateLimit fields per request; the lab's option otherwise. */
function fieldsOf(asked: string | null, fallback: FieldGeneration): FieldGeneration {
  if (asked === null) return fallback;
  if ((FIELD_GENERATIONS as readonly string[]).includes(asked)) return asked as FieldGeneration;
  throw new StatusError(400, `?fields= takes ${FIELD_GENERATIONS.join(', ')}; got "${asked}".`, { subcode: 'QUERY' });
}
