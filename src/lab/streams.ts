import { StatusError } from '../errors.ts';
import { strongTagFor } from '../server/helpers/etag.ts';
import type { Schema } from '../server/helpers/validate.ts';

/** What a client sends to create or replace a stream. */
export interface StreamInput {
  name?: string;
  partitions: number;
  retention_hours?: number;
  description?: string;
}

/** A stream as the lab stores it: versioned, with its validators. */
export interface Stream {
  readonly name: string;
  readonly partitions: number;
  readonly retention_hours: number;
  readonly description: string;
  readonly records: readonly unknown[];
  readonly version: number;
  readonly created: number;
  readonly modified: number;
  /** Strong entity tag of the JSON representation. */
  readonly etag: string;
  /** The JSON representation the ETag was computed from (serialises to the same bytes). */
  readonly view: StreamView;
}

export interface StreamView {
  name: string;
  partitions: number;
  retention_hours: number;
  description: string;
  record_count: number;
  version: number;
  created_at: string;
  updated_at: string;
}

/** What a stream name looks like: a lower-case letter, then 2–62 letters, digits or dashes. */
export const STREAM_NAME = '^[a-z][a-z0-9-]{2,62}$';

export const STREAM_SCHEMA: Schema = {
  type: 'object',
  required: ['partitions'],
  additionalProperties: false,
  properties: {
    name: { type: 'string', pattern: STREAM_NAME },
    partitions: { type: 'integer', minimum: 1, maximum: 50 },
    retention_hours: { type: 'integer', minimum: 24, maximum: 168 },
    description: { type: 'string', maxLength: 256 },
  },
};

/**
 * PUT takes what GET gave: the read-only members of the representation are
 * accepted and ignored, so a client can send back the body it read.
 */
export const STREAM_PUT_SCHEMA: Schema = {
  ...STREAM_SCHEMA,
  properties: {
    ...(STREAM_SCHEMA as { properties: Record<string, Schema> }).properties,
    record_count: { type: 'integer' },
    version: { type: 'integer' },
    created_at: { type: 'string' },
    updated_at: { type: 'string' },
  },
};

export const RECORDS_SCHEMA: Schema = {
  type: 'object',
  required: ['records'],
  additionalProperties: false,
  properties: {
    records: {
      type: 'array',
      minItems: 1,
      maxItems: 500,
      items: {
        type: 'object',
        required: ['data'],
        additionalProperties: false,
        properties: { data: { type: 'string', maxLength: 1024 }, partition_key: { type: 'string', maxLength: 256 } },
      },
    },
  },
};

/** Builds a version of a stream, computing its representation and ETag once. */
function version(fields: Omit<Stream, 'etag' | 'view'>): Stream {
  const view: StreamView = {
    name: fields.name,
    partitions: fields.partitions,
    retention_hours: fields.retention_hours,
    description: fields.description,
    record_count: fields.records.length,
    version: fields.version,
    created_at: new Date(fields.created).toISOString(),
    updated_at: new Date(fields.modified).toISOString(),
  };
  return { ...fields, view, etag: strongTagFor(JSON.stringify(view)) };
}

/**
 * The streams of the lab, in memory. Deleting a stream leaves a tombstone so
 * later requests learn it is gone for good (410) rather than unknown (404);
 * every change makes a new version with a new strong ETag.
 */
export class StreamStore {
  readonly #streams = new Map<string, Stream>();
  /** Deleted names, oldest first; at most `max` are remembered (then the oldest is 404 again). */
  readonly #tombstones = new Set<string>();
  #generated = 0;
  /** Records held over every stream. */
  #total = 0;

  constructor(
    private readonly now: () => number,
    private readonly max: number,
    /** Records one stream holds at most (409 past it). */
    private readonly maxRecords = 1000,
    /** Records the whole lab holds at most (409 past it): memory stays bounded whatever is sent. */
    private readonly maxRecordsTotal = 100_000,
  ) {}

  /** Records held over every stream. */
  get totalRecords(): number {
    return this.#total;
  }

  list(): Stream[] {
    return [...this.#streams.values()];
  }

  /** The stream, `gone` for a tombstone, or undefined when the name was never used. */
  find(name: string): Stream | 'gone' | undefined {
    return this.#tombstones.has(name) ? 'gone' : this.#streams.get(name);
  }

  /** The stream, or the 404/410 StatusError explaining why there is none. */
  get(name: string): Stream {
    const found = this.find(name);
    if (found === 'gone') throw gone(name);
    if (!found) throw new StatusError(404, `There is no stream named "${name}".`);
    return found;
  }

  create(input: StreamInput): Stream {
    let name = input.name;
    if (name === undefined) {
      do name = `stream-${++this.#generated}`;
      while (this.find(name) !== undefined);
    }
    const existing = this.find(name);
    // RFC 9110 §15.5.10: creating what exists conflicts with the current state.
    if (existing === 'gone')
      throw new StatusError(409, `The name "${name}" belonged to a deleted stream and cannot be reused.`, {
        subcode: 'EXISTS',
      });
    if (existing) throw new StatusError(409, `A stream named "${name}" already exists.`, { subcode: 'EXISTS' });
    if (this.#streams.size >= this.max)
      throw new StatusError(409, `The lab holds its maximum of ${this.max} streams; delete one first.`, {
        subcode: 'FULL',
      });
    const now = this.now();
    const stream = version({
      name,
      partitions: input.partitions,
      retention_hours: input.retention_hours ?? 24,
      description: input.description ?? '',
      records: [],
      version: 1,
      created: now,
      modified: now,
    });
    this.#streams.set(name, stream);
    return stream;
  }

  /** Replaces the settings of an existing stream (PUT); the name in a body must match the URI. */
  replace(name: string, input: StreamInput): Stream {
    const current = this.get(name);
    if (input.name !== undefined && input.name !== name)
      throw new StatusError(409, `The body names stream "${input.name}" but the URI names "${name}".`, {
        subcode: 'NAME',
      });
    return this.#put({
      ...current,
      partitions: input.partitions,
      retention_hours: input.retention_hours ?? 24,
      description: input.description ?? '',
    });
  }

  /**
   * Appends in place: O(records appended), never a copy of what the stream
   * holds (each version shares the one list; a version's view keeps its own
   * record_count). RFC 9110 §15.5.10: a batch that would pass a limit
   * conflicts with the stream's state — 409, nothing appended.
   */
  append(name: string, records: readonly unknown[]): Stream {
    const current = this.get(name);
    const held = current.records.length;
    if (held + records.length > this.maxRecords)
      throw new StatusError(
        409,
        `The stream "${name}" holds ${held} of its maximum of ${this.maxRecords} records; ${records.length} more do not fit. Reset it first.`,
        { subcode: 'RECORDS_FULL' },
      );
    if (this.#total + records.length > this.maxRecordsTotal)
      throw new StatusError(
        409,
        `The lab holds its maximum of ${this.maxRecordsTotal} records over all streams; reset or delete one first.`,
        { subcode: 'RECORDS_FULL' },
      );
    const list = current.records as unknown[];
    for (const r of records) list.push(r);
    this.#total += records.length;
    return this.#put(current);
  }

  /** Drops every record of the stream, keeping its settings. */
  reset(name: string): Stream {
    const current = this.get(name);
    this.#total -= current.records.length;
    return this.#put({ ...current, records: [] });
  }

  delete(name: string): void {
    const current = this.get(name);
    this.#total -= current.records.length;
    this.#streams.delete(name);
    this.#tombstones.add(name);
    if (this.#tombstones.size > this.max) this.#tombstones.delete(this.#tombstones.values().next().value as string);
  }

  #put(next: Omit<Stream, 'etag' | 'view'>): Stream {
    const stream = version({ ...next, version: next.version + 1, modified: this.now() });
    this.#streams.set(stream.name, stream);
    return stream;
  }
}

/** The 410 of a deleted stream. */
export function gone(name: string): StatusError {
  return new StatusError(410, `The stream "${name}" was deleted for good.`, { subcode: 'DELETED' });
}
