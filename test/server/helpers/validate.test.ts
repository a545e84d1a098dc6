import assert from 'node:assert/strict';
import { text } from 'node:stream/consumers';
import { after, before, describe, it } from 'node:test';
import { createValidator, type Schema, validateJson } from '../../../src/server/helpers/validate.ts';
import { helperServer, type Listening, raw, wire } from '../../lab/support/http.ts';

const SCHEMA: Schema = {
  type: 'object',
  required: ['name', 'partitions'],
  additionalProperties: false,
  properties: {
    name: { type: 'string', pattern: '^[a-z][a-z0-9-]*$', minLength: 3, maxLength: 10 },
    partitions: { type: 'integer', minimum: 1, maximum: 50 },
    mode: { type: 'string', enum: ['fast', 'safe'] },
    tags: { type: 'array', maxItems: 2, items: { type: 'string' } },
    'a/b': { type: 'boolean' },
  },
};

describe('createValidator', () => {
  const v = createValidator(SCHEMA);

  it('passes a valid body', () => {
    assert.deepEqual(v.check({ name: 'abc', partitions: 3, mode: 'safe', tags: ['x'] }), []);
  });

  it('names every failing field with a JSON Pointer', () => {
    assert.deepEqual(v.check({ name: 'A', partitions: 1.5, mode: 'slow', tags: ['x', 2], extra: 1, 'a/b': 'yes' }), [
      { field: '/name', problem: 'must be at least 3 characters long' },
      { field: '/partitions', problem: 'must be an integer, not number' },
      { field: '/mode', problem: 'must be one of fast, safe' },
      { field: '/tags/1', problem: 'must be a string, not number' },
      { field: '/a~1b', problem: 'must be boolean, not string' },
      { field: '/extra', problem: 'is not allowed' },
    ]);
    assert.deepEqual(v.check({}), [
      { field: '/name', problem: 'is required' },
      { field: '/partitions', problem: 'is required' },
    ]);
    assert.deepEqual(v.check([]), [{ field: '', problem: 'must be an object, not array' }]);
  });

  it('checks ranges, patterns and sizes', () => {
    assert.deepEqual(v.check({ name: 'ab-Cd', partitions: 51, tags: ['a', 'b', 'c'] }), [
      { field: '/name', problem: 'must match ^[a-z][a-z0-9-]*$' },
      { field: '/partitions', problem: 'must be between 1 and 50' },
      { field: '/tags', problem: 'must have at most 2 items' },
    ]);
  });

  it('throws a 422 StatusError listing the fields', () => {
    assert.throws(
      () => v.assert({ name: 'abc' }),
      (err: unknown) => {
        const e = err as { status: number; details: { fields: unknown[] }; message: string };
        assert.equal(e.status, 422);
        assert.deepEqual(e.details.fields, [{ field: '/partitions', problem: 'is required' }]);
        assert.match(e.message, /\/partitions is required/);
        return true;
      },
    );
  });

  it('refuses a broken schema when compiled, not when used', () => {
    assert.throws(() => createValidator({ type: 'string', pattern: '(' }), /invalid pattern/);
    assert.throws(() => createValidator({ type: 'date' } as unknown as Schema), /unknown type: "date"/);
  });

  it('caps the number of reported fields', () => {
    const many = createValidator({ type: 'array', items: { type: 'string' } }, { maxErrors: 2 });
    assert.equal(many.check([1, 2, 3, 4]).length, 2);
  });
});

describe('validateJson over a socket', () => {
  let srv: Listening;
  const read = validateJson<{ name: string; partitions: number }>(SCHEMA);
  before(async () => {
    srv = await helperServer(async ({ req, res }) => {
      const ctx = { json: async <U>() => JSON.parse(await text(req)) as U };
      const body = await read(ctx);
      res.setHeader('Content-Type', 'application/json');
      res.end(JSON.stringify({ ok: body.name }));
    });
  });
  after(() => srv.close());

  it('answers 422 with the failing fields in the error body', async () => {
    const r = await raw(
      srv.port,
      wire('POST', '/', { 'Content-Type': 'application/json' }, '{"name":"x","partitions":0}'),
    );
    assert.equal(r.status, 422);
    const body = JSON.parse(r.body.toString());
    assert.equal(body.error_code, 'SVC.0422.VALIDATION');
    assert.equal(body.request_id, 'test');
    assert.deepEqual(body.fields, [
      { field: '/name', problem: 'must be at least 3 characters long' },
      { field: '/partitions', problem: 'must be between 1 and 50' },
    ]);
  });

  it('hands a valid body to the handler', async () => {
    const r = await raw(
      srv.port,
      wire('POST', '/', { 'Content-Type': 'application/json' }, '{"name":"abc","partitions":2}'),
    );
    assert.equal(r.status, 200);
    assert.deepEqual(JSON.parse(r.body.toString()), { ok: 'abc' });
  });
});
