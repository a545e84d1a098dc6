import { StatusError } from '../../errors.ts';
import { checkPreconditions, evaluatePreconditions, type Validators } from '../../server/helpers/conditional.ts';
import { formatHttpDate } from '../../server/helpers/http-date.ts';
import { createValidator, validateJson } from '../../server/helpers/validate.ts';
import { sendEmpty, sendJson } from '../../server/respond.ts';
import type { RequestContext, RouteDef } from '../../server/types.ts';
import { JSON_ONLY, type LabState, tagResponse } from '../state.ts';
import {
  gone,
  RECORDS_SCHEMA,
  STREAM_NAME,
  STREAM_PUT_SCHEMA,
  STREAM_SCHEMA,
  type Stream,
  type StreamInput,
} from '../streams.ts';

const validatorsOf = (s: Stream): Validators => ({ etag: s.etag, lastModified: s.modified });
const headersOf = (s: Stream) => ({ ETag: s.etag, 'Last-Modified': formatHttpDate(s.modified) });
const nameProblem = createValidator({ type: 'string', pattern: STREAM_NAME });

/**
 * Streams, DIS style: a collection taking JSON (201 + Location, 409, 422),
 * and versioned resources with strong ETags (304, 412, 204, then 410).
 */
export function streamRoutes(lab: LabState): RouteDef[] {
  const { streams } = lab;
  const now = lab.options.now;
  const readCreate = validateJson<StreamInput>(STREAM_SCHEMA);
  const readReplace = validateJson<StreamInput>(STREAM_PUT_SCHEMA);
  const readRecords = validateJson<{ records: unknown[] }>(RECORDS_SCHEMA);
  const body = {
    accepts: JSON_ONLY,
    produces: JSON_ONLY,
    requireLength: true,
    bodyLimit: lab.options.bodyLimit,
  } as const;

  /**
   * Evaluates the preconditions of a state-changing request against the
   * stream as it is now: 410 for a tombstone, 412 when one fails (RFC 9110
   * §13.2.2). Returns the stream, or undefined when the name is free.
   */
  function preconditions(ctx: RequestContext, name: string): Stream | undefined {
    const found = streams.find(name);
    if (found === 'gone') throw gone(name);
    const decision = evaluatePreconditions(
      ctx.method,
      ctx.req.headers,
      found ? validatorsOf(found) : { exists: false },
    );
    if (decision.outcome === 'failed') {
      throw new StatusError(412, `${decision.field} does not hold for stream "${name}"; read it again and retry.`, {
        subcode: 'PRECONDITION',
      });
    }
    return found;
  }

  /**
   * The body arrives asynchronously, and another request may change the
   * stream meanwhile: the preconditions are checked before reading it (to
   * refuse early) and again right before the change, in the same tick, so a
   * stale If-Match can never overwrite a newer version (no lost update).
   */
  async function readThenRecheck<T>(ctx: RequestContext, name: string, read: (ctx: RequestContext) => Promise<T>) {
    preconditions(ctx, name);
    const input = await read(ctx);
    return { input, found: preconditions(ctx, name) };
  }

  return [
    {
      path: '/streams',
      ...body,
      methods: {
        GET(ctx) {
          const list = streams.list().map((s) => s.view);
          sendJson(ctx, 200, { streams: list, count: list.length });
        },
        async POST(ctx) {
          const stream = streams.create(await readCreate(ctx));
          // RFC 9110 §15.3.2: Location names the created resource.
          sendJson(ctx, 201, stream.view, { Location: `/streams/${stream.name}`, ...headersOf(stream) });
        },
      },
    },
    {
      path: '/streams/:name',
      ...body,
      methods: {
        GET(ctx) {
          const stream = streams.get(ctx.params.name as string);
          tagResponse(ctx);
          // RFC 9110 §13.2.2: If-None-Match / If-Modified-Since → 304 with the ETag, no content.
          if (checkPreconditions(ctx, validatorsOf(stream), now())) return;
          sendJson(ctx, 200, stream.view, headersOf(stream));
        },
        async PUT(ctx) {
          const name = ctx.params.name as string;
          // `If-None-Match: *` makes a create-only PUT (412 when the stream exists).
          const { input, found } = await readThenRecheck(ctx, name, readReplace);
          if (found) {
            const stream = streams.replace(name, input);
            sendJson(ctx, 200, stream.view, headersOf(stream));
            return;
          }
          const problems = nameProblem.check(name);
          if (problems.length > 0) {
            throw new StatusError(422, `"${name}" is not a valid stream name.`, {
              subcode: 'VALIDATION',
              details: { fields: problems.map((p) => ({ field: '/name', problem: p.problem })) },
            });
          }
          // RFC 9110 §9.3.4: a PUT that creates the resource answers 201.
          const stream = streams.create({ ...input, name });
          sendJson(ctx, 201, stream.view, { Location: `/streams/${name}`, ...headersOf(stream) });
        },
        DELETE(ctx) {
          const name = ctx.params.name as string;
          streams.get(name);
          preconditions(ctx, name);
          streams.delete(name);
          sendEmpty(ctx, 204);
        },
      },
    },
    {
      path: '/streams/:name/records',
      ...body,
      methods: {
        async POST(ctx) {
          const name = ctx.params.name as string;
          streams.get(name);
          const { input } = await readThenRecheck(ctx, name, readRecords);
          const stream = streams.append(name, input.records);
          sendJson(
            ctx,
            200,
            { appended: input.records.length, record_count: stream.records.length },
            headersOf(stream),
          );
        },
      },
    },
    {
      // A body-less action: no Content-Length or media type required.
      path: '/streams/:name/reset',
      produces: JSON_ONLY,
      methods: {
        POST(ctx) {
          const name = ctx.params.name as string;
          streams.get(name);
          preconditions(ctx, name);
          streams.reset(name);
          // RFC 9110 §15.3.6: 205 tells the client to reset its view, and carries no content.
          sendEmpty(ctx, 205);
        },
      },
    },
  ];
}
