import { randomBytes } from 'node:crypto';
import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import { StatusError } from '../../errors.ts';
import { parseEntityTag, strongMatch } from './etag.ts';
import { parseHttpDate, toHttpSeconds } from './http-date.ts';

/** An inclusive byte range, as Content-Range writes it. */
export interface ByteRange {
  readonly start: number;
  readonly end: number;
}

/** What a Range request gets (RFC 9110 §14). */
export type RangeDecision =
  | { readonly kind: 'full' }
  | { readonly kind: 'partial'; readonly ranges: readonly ByteRange[] }
  | { readonly kind: 'unsatisfiable' };

export interface RangeOptions {
  /** Most ranges served in one multipart answer; more and the Range is ignored. @default 16 */
  maxRanges?: number;
}

const FULL: RangeDecision = Object.freeze({ kind: 'full' });
const UNSATISFIABLE: RangeDecision = Object.freeze({ kind: 'unsatisfiable' });
const SPEC = /^[\t ]*(?:(\d+)-(\d*)|-(\d+))[\t ]*$/;

/**
 * Parses a `bytes=` ranges-specifier against a representation of `size`
 * bytes. Returns the satisfiable ranges clamped to the size, `unsatisfiable`,
 * or undefined when the header must be ignored (another unit, bad syntax).
 */
export function parseByteRanges(value: string, size: number): ByteRange[] | 'unsatisfiable' | undefined {
  const eq = value.indexOf('=');
  // RFC 9110 §14.2: a range unit the server does not understand is ignored (units are case-insensitive, §14.1).
  if (eq === -1 || value.slice(0, eq).trim().toLowerCase() !== 'bytes') return undefined;
  const ranges: ByteRange[] = [];
  let specs = 0;
  for (const part of value.slice(eq + 1).split(',')) {
    if (part.trim() === '') continue;
    const m = SPEC.exec(part);
    // RFC 9110 §14.2: a server MAY ignore an invalid ranges-specifier; serving the whole is the safe choice.
    if (!m) return undefined;
    specs++;
    if (m[3] !== undefined) {
      // RFC 9110 §14.1.1: a suffix-range is satisfiable when its length is non-zero.
      const suffix = Number(m[3]);
      if (suffix > 0 && size > 0) ranges.push({ start: Math.max(0, size - suffix), end: size - 1 });
      continue;
    }
    const first = Number(m[1]);
    const last = m[2] === '' ? undefined : Number(m[2]);
    // RFC 9110 §14.1.1: last-pos below first-pos makes the whole ranges-specifier invalid.
    if (last !== undefined && last < first) return undefined;
    // RFC 9110 §14.1.1: an int-range is satisfiable when first-pos is below the length; last-pos is clamped.
    if (first < size) ranges.push({ start: first, end: Math.min(last ?? size - 1, size - 1) });
  }
  if (specs === 0) return undefined;
  return ranges.length === 0 ? 'unsatisfiable' : ranges;
}

/** The representation a Range applies to. */
export interface RangeTarget {
  size: number;
  etag?: string | undefined;
  lastModified?: number | undefined;
}

/**
 * RFC 9110 §13.1.5: If-Range holds when its entity tag strongly matches the
 * current one, or its date equals Last-Modified exactly; otherwise the Range
 * is ignored and the whole representation is sent.
 */
function ifRangeHolds(value: string, target: RangeTarget): boolean {
  const trimmed = value.trim();
  if (trimmed.startsWith('"') || trimmed.startsWith('W/')) {
    const tag = parseEntityTag(trimmed);
    const current = target.etag === undefined ? undefined : parseEntityTag(target.etag);
    return tag !== undefined && current !== undefined && strongMatch(tag, current);
  }
  const date = parseHttpDate(trimmed);
  return date !== undefined && target.lastModified !== undefined && date === toHttpSeconds(target.lastModified);
}

/**
 * Decides what a request's Range (and If-Range) gets from a representation.
 * Call it after the preconditions, where the answer would otherwise be 200.
 */
export function evaluateRange(
  method: string,
  headers: IncomingHttpHeaders,
  target: RangeTarget,
  options: RangeOptions = {},
): RangeDecision {
  const range = headers.range;
  // RFC 9110 §14.2: range handling is defined for GET only; other methods ignore Range.
  if (range === undefined || method !== 'GET') return FULL;
  const ifRange = headers['if-range'];
  if (ifRange !== undefined && !ifRangeHolds(String(ifRange), target)) return FULL;
  // RFC 9110 §14.1.1: a zero-length representation satisfies no range a
  // Content-Range could describe; the server may ignore Range (§14.2) and does.
  if (target.size === 0) return FULL;
  const ranges = parseByteRanges(range, target.size);
  if (ranges === undefined) return FULL;
  if (ranges === 'unsatisfiable') return UNSATISFIABLE;
  // RFC 9110 §14.2: a server MAY ignore many or overlapping ranges (a broken
  // client or a denial-of-service attempt); more bytes than the whole shows overlap.
  const max = options.maxRanges ?? 16;
  let total = 0;
  for (const r of ranges) total += r.end - r.start + 1;
  if (ranges.length > max || (ranges.length > 1 && total > target.size)) return FULL;
  return { kind: 'partial', ranges };
}

export interface SendBytesOptions extends RangeOptions {
  /** Content-Type of the representation. @default 'application/octet-stream' */
  contentType?: string;
}

export interface BytesContext {
  readonly req: { readonly method?: string | undefined; readonly headers: IncomingHttpHeaders };
  readonly res: ServerResponse;
}

/**
 * Sends a representation honouring Range: 200 with the whole, 206 with one
 * range or a multipart/byteranges of several, or throws a 416 StatusError
 * carrying `Content-Range: bytes *\/SIZE`. Accept-Ranges is always sent.
 * Validators (ETag, Last-Modified) are the caller's to set before.
 */
export function sendBytes(
  ctx: BytesContext,
  content: Buffer,
  target: RangeTarget,
  options: SendBytesOptions = {},
): void {
  const { res } = ctx;
  const contentType = options.contentType ?? 'application/octet-stream';
  const decision = evaluateRange(ctx.req.method ?? 'GET', ctx.req.headers, target, options);
  // RFC 9110 §14.3: Accept-Ranges advertises range support on any answer.
  res.setHeader('Accept-Ranges', 'bytes');
  if (decision.kind === 'unsatisfiable') {
    // RFC 9110 §15.5.17: a 416 to a byte-range request should carry Content-Range: bytes */length.
    throw new StatusError(416, `No requested range lies within the representation of ${target.size} bytes.`, {
      headers: { 'Content-Range': `bytes */${target.size}`, 'Accept-Ranges': 'bytes' },
    });
  }
  if (decision.kind === 'full') {
    res.statusCode = 200;
    res.setHeader('Content-Type', contentType);
    res.setHeader('Content-Length', content.length);
    res.end(content);
    return;
  }
  res.statusCode = 206;
  const [only] = decision.ranges;
  if (decision.ranges.length === 1 && only) {
    // RFC 9110 §14.4: a single part carries Content-Range with first-last/complete-length.
    res.setHeader('Content-Type', contentType);
    res.setHeader('Content-Range', `bytes ${only.start}-${only.end}/${target.size}`);
    res.setHeader('Content-Length', only.end - only.start + 1);
    res.end(content.subarray(only.start, only.end + 1));
    return;
  }
  // RFC 9110 §14.6: several ranges go in a multipart/byteranges body, each part
  // with its own Content-Type and Content-Range, in the order requested.
  const boundary = randomBytes(12).toString('hex');
  const chunks: Buffer[] = [];
  for (const r of decision.ranges) {
    chunks.push(
      Buffer.from(
        `\r\n--${boundary}\r\nContent-Type: ${contentType}\r\nContent-Range: bytes ${r.start}-${r.end}/${target.size}\r\n\r\n`,
      ),
      content.subarray(r.start, r.end + 1),
    );
  }
  chunks.push(Buffer.from(`\r\n--${boundary}--\r\n`));
  const body = Buffer.concat(chunks);
  res.setHeader('Content-Type', `multipart/byteranges; boundary=${boundary}`);
  res.setHeader('Content-Length', body.length);
  res.end(body);
}
