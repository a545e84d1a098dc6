import { validateJson } from '../../server/helpers/validate.ts';
import { sendJson } from '../../server/respond.ts';
import type { RouteDef } from '../../server/types.ts';
import { JOB_SCHEMA, type JobInput } from '../jobs.ts';
import { JSON_ONLY, type LabState } from '../state.ts';

/**
 * Asynchronous jobs, DLI style: POST answers 202 with the status resource in
 * Location; the status resource answers 200 while the job runs and 303 to
 * the result once it is done.
 */
export function jobRoutes(lab: LabState): RouteDef[] {
  const { jobs } = lab;
  const readJob = validateJson<JobInput>(JOB_SCHEMA);
  return [
    {
      path: '/jobs',
      accepts: JSON_ONLY,
      produces: JSON_ONLY,
      requireLength: true,
      bodyLimit: lab.options.bodyLimit,
      methods: {
        async POST(ctx) {
          const job = jobs.submit(await readJob(ctx));
          // RFC 9110 §15.3.3: 202 — accepted, not finished; Location names where to poll.
          sendJson(ctx, 202, jobs.view(job), { Location: `/jobs/${job.id}` });
        },
      },
    },
    {
      path: '/jobs/:id',
      produces: JSON_ONLY,
      methods: {
        GET(ctx) {
          const job = jobs.get(ctx.params.id as string);
          // The status changes while the client polls: no cache may answer for it.
          const headers = { 'Cache-Control': 'no-store' };
          if (jobs.done(job)) {
            // RFC 9110 §15.4.4: 303 — the outcome is another resource, to be read with GET.
            sendJson(ctx, 303, jobs.view(job), { ...headers, Location: `/jobs/${job.id}/result` });
            return;
          }
          // RFC 9110 §10.2.3: Retry-After on a non-error answer says how long to wait before polling again.
          const wait = Math.max(1, Math.ceil(jobs.remaining(job) / 1000));
          sendJson(ctx, 200, jobs.view(job), { ...headers, 'Retry-After': wait });
        },
      },
    },
    {
      path: '/jobs/:id/result',
      produces: JSON_ONLY,
      methods: {
        GET(ctx) {
          sendJson(ctx, 200, jobs.result(ctx.params.id as string));
        },
      },
    },
  ];
}
