import type { OutgoingHttpHeaders } from 'node:http';
import { type CodeEntry, type ContractCode, getCode, isErrorCode } from '../catalog/index.ts';
import { type HeaderValues, JSON_TYPE, renderError, StatusError } from '../errors.ts';
import type { Context } from './context.ts';
import { STATE } from './state.ts';
import type { RequestContext } from './types.ts';

/** Headers a status must always carry, by code, from the catalog (never written twice). */
const REQUIRED = new Map<number, readonly string[]>();
function required(entry: CodeEntry): readonly string[] {
  let fields = REQUIRED.get(entry.code);
  if (!fields) {
    fields = entry.headers.filter((h) => h.required === 'always').map((h) => h.field.toLowerCase());
    REQUIRED.set(entry.code, fields);
  }
  return fields;
}

const NONE: readonly string[] = Object.freeze([]);

function missingHeaders(entry: CodeEntry, headers: HeaderValues | undefined): readonly string[] {
  const need = required(entry);
  if (need.length === 0) return NONE;
  const have = new Set(Object.keys(headers ?? {}).map((k) => k.toLowerCase()));
  return need.filter((f) => !have.has(f));
}

/**
 * Checks that a handler may put `status` on the wire as a success or
 * redirect, with the headers the contract requires. Error statuses go
 * through StatusError so they always get the error body.
 */
function assertSendable(status: number, headers: HeaderValues | undefined, withBody: boolean): CodeEntry {
  const entry = getCode(status);
  if (!entry || entry.guidance === 'never-issued') {
    throw new TypeError(`Status ${status} is not one the contract issues.`);
  }
  if (status >= 400) throw new TypeError(`Status ${status} is an error: throw a StatusError (or use sendError).`);
  if (status < 200) throw new TypeError(`Status ${status} is interim: node:http and the front send it.`);
  if (withBody && !entry.body) throw new TypeError(`Status ${status} has no content (RFC 9110 §6.4.1): use sendEmpty.`);
  const missing = missingHeaders(entry, headers);
  if (missing.length) throw new TypeError(`Status ${status} must carry ${missing.join(', ')}.`);
  return entry;
}

/**
 * The header list of an answer as one flat [name, value, …] array: node's
 * writeHead takes it without building a header map (unless the handler set
 * headers before, which it then merges).
 */
function headerList(ctx: RequestContext, headers: HeaderValues | undefined, extra: number): (string | number)[] {
  const list: (string | number)[] = ['x-request-id', ctx.requestId];
  // A guard's fields for the answer (RateLimit …), in the same list: node's writeHead stays on its fast path.
  const fields = (ctx as Context).takeFields();
  if (fields) for (const f of fields) list.push(f);
  if (headers) {
    for (const k in headers) {
      const v = headers[k]!;
      if (typeof v === 'object') for (const item of v) list.push(k, item);
      else list.push(k, v);
    }
  }
  if (extra >= 0) list.push('content-length', extra);
  return list;
}

/** Answers with a JSON body. Only contract codes 2xx/3xx that carry content; required headers checked. */
export function sendJson(ctx: RequestContext, status: number, body: unknown, headers?: HeaderValues): void {
  assertSendable(status, headers, true);
  const res = ctx.res;
  if (res.headersSent) throw new Error('The response was already sent.');
  const text = JSON.stringify(body);
  const list = headerList(ctx, headers, Buffer.byteLength(text));
  list.push('content-type', JSON_TYPE);
  res.writeHead(status, list as unknown as string[]);
  res.end(text);
}

/** Answers without content: 204, 205, 304, or any 2xx/3xx with an empty body; required headers checked. */
export function sendEmpty(ctx: RequestContext, status: number, headers?: HeaderValues): void {
  const entry = assertSendable(status, headers, false);
  const res = ctx.res;
  if (res.headersSent) throw new Error('The response was already sent.');
  // RFC 9110 §8.6: 204 and 304 carry no Content-Length of content; others say 0.
  res.writeHead(status, headerList(ctx, headers, entry.body || status === 205 ? 0 : -1) as unknown as string[]);
  res.end();
}

const INTERNAL_MESSAGE = 'The server failed to complete the request.';

/** Where sendError leaves the error body's sub-code ('' for none) for onResponse (./state.ts). */
export const SUBCODE_STATE = STATE.subcode;

/**
 * Turns anything thrown into the StatusError that goes on the wire: a
 * StatusError as it is, anything else a 500 that says nothing about it.
 * 441 outside `dis`, and an error lacking a header its status requires,
 * are programming errors: the contract's 401 when the 441 carries a
 * WWW-Authenticate challenge (RFC 9110 §15.5.2 needs one), else 500.
 */
export function toWireError(err: unknown, ctx: Context): StatusError {
  if (!(err instanceof StatusError)) {
    ctx.options.onError?.(err, ctx);
    return new StatusError(500, INTERNAL_MESSAGE);
  }
  let e = err;
  if (!isErrorCode(e.status, ctx.profile)) {
    // CONTRACT.md §1: 441 exists only in dis; "other profiles answer 401".
    e = new StatusError(401, e.message, { headers: e.headers, subcode: e.subcode, details: e.details, cause: e });
  }
  const entry = getCode(e.status as ContractCode)!;
  if (missingHeaders(entry, e.headers).length) {
    ctx.options.onError?.(
      new TypeError(`Status ${e.status} must carry ${missingHeaders(entry, e.headers).join(', ')}.`, { cause: err }),
      ctx,
    );
    return new StatusError(500, INTERNAL_MESSAGE);
  }
  return e;
}

/**
 * Answers a request with the profile's error body (problem+json when Accept
 * asks for it) and X-Request-Id. When the response has already started,
 * the only honest move left is to cut the connection.
 */
export function sendError(ctx: RequestContext, err: unknown): void {
  const c = ctx as Context;
  const res = c.res;
  if (res.headersSent || res.destroyed) {
    if (!res.writableEnded) res.destroy();
    return;
  }
  const e = toWireError(err, c);
  c.state[SUBCODE_STATE] = e.subcode ?? '';
  const out = renderError(e, {
    profile: c.profile,
    requestId: c.requestId,
    accept: c.req.headers.accept,
    instance: c.req.url,
  });
  const headers: OutgoingHttpHeaders = {};
  for (const k in e.headers) headers[k.toLowerCase()] = e.headers[k] as string | number | string[];
  headers['content-type'] = out.contentType;
  headers['content-length'] = Buffer.byteLength(out.body);
  headers['x-request-id'] = c.requestId;
  // Drop anything a handler or guard set before failing: the error body stands alone.
  c.takeFields();
  for (const name of res.getHeaderNames()) if (!(name in headers)) res.removeHeader(name);
  res.writeHead(out.status, headers);
  res.end(out.body); // node:http drops the content for HEAD (RFC 9110 §9.3.2).
}
