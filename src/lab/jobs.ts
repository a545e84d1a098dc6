import { StatusError } from '../errors.ts';
import type { Schema } from '../server/helpers/validate.ts';

export const OPERATIONS = ['sum', 'mean', 'min', 'max'] as const;
export type Operation = (typeof OPERATIONS)[number];

export interface JobInput {
  operation: Operation;
  values: number[];
}

export const JOB_SCHEMA: Schema = {
  type: 'object',
  required: ['operation', 'values'],
  additionalProperties: false,
  properties: {
    operation: { type: 'string', enum: OPERATIONS },
    values: { type: 'array', minItems: 1, maxItems: 10_000, items: { type: 'number' } },
  },
};

export interface Job {
  readonly id: string;
  readonly operation: Operation;
  /** How many values it took (the values themselves are not kept: the result is computed at once). */
  readonly count: number;
  readonly value: number;
  readonly submitted: number;
  readonly finishes: number;
}

export interface JobView {
  id: string;
  operation: Operation;
  state: 'running' | 'succeeded';
  submitted_at: string;
  /** Whole percent of the run time elapsed. */
  progress: number;
}

function compute(operation: Operation, values: readonly number[]): number {
  switch (operation) {
    case 'sum':
      return values.reduce((a, b) => a + b, 0);
    case 'mean':
      return values.reduce((a, b) => a + b, 0) / values.length;
    case 'min':
      return Math.min(...values);
    case 'max':
      return Math.max(...values);
  }
}

/**
 * Asynchronous jobs, DLI style. A job's state is derived from the injected
 * clock when it is read, so the lab needs no timers and tests need no sleeps:
 * a job submitted at t runs until t + duration, then has a result.
 */
export class JobQueue {
  readonly #jobs = new Map<string, Job>();
  #next = 0;

  constructor(
    private readonly now: () => number,
    private readonly duration: number,
    private readonly max: number,
  ) {}

  submit(input: JobInput): Job {
    const value = compute(input.operation, input.values);
    // RFC 9110 §15.5.21: the body is well-formed JSON of the right shape, but its values have no
    // finite result (1e308 + 1e308 overflows); JSON has no number to answer with.
    if (!Number.isFinite(value))
      throw new StatusError(422, `The ${input.operation} of these values is not a finite number.`, {
        subcode: 'VALIDATION',
        details: { fields: [{ field: '/values', problem: `has no finite ${input.operation}` }] },
      });
    const submitted = this.now();
    const job: Job = {
      id: `job-${++this.#next}`,
      operation: input.operation,
      count: input.values.length,
      value,
      submitted,
      finishes: submitted + this.duration,
    };
    // Maps iterate in insertion order: the first key is the oldest job.
    if (this.#jobs.size >= this.max) this.#jobs.delete(this.#jobs.keys().next().value as string);
    this.#jobs.set(job.id, job);
    return job;
  }

  get(id: string): Job {
    const job = this.#jobs.get(id);
    if (!job) throw new StatusError(404, `There is no job "${id}" (jobs are kept for the last ${this.max} submitted).`);
    return job;
  }

  done(job: Job): boolean {
    return this.now() >= job.finishes;
  }

  /** Milliseconds until the job finishes (0 when done). */
  remaining(job: Job): number {
    return Math.max(0, job.finishes - this.now());
  }

  view(job: Job): JobView {
    const elapsed = this.now() - job.submitted;
    return {
      id: job.id,
      operation: job.operation,
      state: this.done(job) ? 'succeeded' : 'running',
      submitted_at: new Date(job.submitted).toISOString(),
      progress: Math.min(100, Math.floor((elapsed / this.duration) * 100)),
    };
  }

  /** The result of a finished job; 404 while it is still running (the result does not exist yet). */
  result(id: string): { id: string; operation: Operation; count: number; value: number } {
    const job = this.get(id);
    if (!this.done(job))
      throw new StatusError(404, `Job "${id}" is still running; its result does not exist yet. Poll /jobs/${id}.`, {
        subcode: 'RUNNING',
      });
    return { id, operation: job.operation, count: job.count, value: job.value };
  }
}
