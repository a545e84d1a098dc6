import type { IncomingHttpHeaders } from 'node:http';
import type { TransformConfig } from '../config/route.ts';

/** `application/json` or any `+json` type (RFC 6839 §3.1), parameters ignored. */
export function isJsonType(contentType: string | undefined): boolean {
  if (!contentType) return false;
  const semi = contentType.indexOf(';');
  const type = (semi === -1 ? contentType : contentType.slice(0, semi)).trim().toLowerCase();
  return type === 'application/json' || (type.startsWith('application/') && type.endsWith('+json'));
}

/** Whether a Cache-Control value carries `no-transform`. */
function noTransform(value: string | string[] | undefined): boolean {
  if (value === undefined) return false;
  return /(?:^|,)\s*no-transform\s*(?:,|$)/i.test(typeof value === 'string' ? value : value.join(','));
}

/**
 * Whether an upstream answer is one the route's transform may change. Only
 * a 200 (RFC 9110 §15.3.4: 203 is "a 200 whose content a transforming proxy
 * modified"), to a request that has content in its answer (not HEAD), in
 * JSON, not content-encoded (we would have to decode it), small enough to
 * hold, and neither side forbade transformation: RFC 9111 §5.2.2.6 and
 * §5.2.1.6 — a proxy MUST NOT transform content marked `no-transform`.
 */
export function mayTransform(
  t: TransformConfig,
  method: string,
  status: number,
  request: IncomingHttpHeaders,
  response: IncomingHttpHeaders,
): boolean {
  if (status !== 200 || method === 'HEAD') return false;
  if (!isJsonType(response['content-type'] as string | undefined)) return false;
  const encoding = response['content-encoding'];
  if (encoding !== undefined && encoding !== 'identity') return false;
  const length = response['content-length'];
  if (length !== undefined && Number(length) > t.maxBody) return false;
  return !noTransform(response['cache-control']) && !noTransform(request['cache-control']);
}

/**
 * Applies a transform to a JSON object body. Returns the new body, or
 * undefined when the body is not a JSON object or the transform changed
 * nothing in it (then the upstream's 200 goes out as it came).
 */
export function applyTransform(body: Buffer, t: TransformConfig): Buffer | undefined {
  let doc: unknown;
  try {
    doc = JSON.parse(body.toString('utf8'));
  } catch {
    return undefined;
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) return undefined;
  const obj = doc as Record<string, unknown>;
  let changed = false;
  for (const [from, to] of Object.entries(t.rename)) {
    if (!Object.hasOwn(obj, from)) continue;
    obj[to] = obj[from];
    delete obj[from];
    changed = true;
  }
  for (const name of t.remove) {
    if (!Object.hasOwn(obj, name)) continue;
    delete obj[name];
    changed = true;
  }
  for (const [name, value] of Object.entries(t.set)) {
    if (Object.hasOwn(obj, name) && JSON.stringify(obj[name]) === JSON.stringify(value)) continue;
    obj[name] = value;
    changed = true;
  }
  return changed ? Buffer.from(JSON.stringify(obj)) : undefined;
}

/**
 * Fields that describe the upstream's exact bytes and so are false for the
 * transformed content: its length, its entity tag (RFC 9110 §8.8.3 — a
 * validator of a representation we no longer send), digests (RFC 9530) and
 * range support over those bytes.
 */
export const STALE_AFTER_TRANSFORM = new Set([
  'content-length',
  'etag',
  'content-md5',
  'digest',
  'content-digest',
  'repr-digest',
  'accept-ranges',
]);

/**
 * The answer for a collected 200 body: 203 with the transformed body, without the fields that
 * described the upstream's bytes (RFC 9110 §15.3.4: a 200 whose content a transforming proxy
 * modified), or the 200 as it came when the transform changed nothing.
 */
export function transformedAnswer(
  body: Buffer,
  t: TransformConfig,
  headers: (string | string[])[],
): { status: number; headers: (string | string[])[]; body: Buffer } {
  const changed = applyTransform(body, t);
  if (!changed) return { status: 200, headers, body };
  const kept: (string | string[])[] = [];
  for (let i = 0; i < headers.length; i += 2)
    if (!STALE_AFTER_TRANSFORM.has(headers[i] as string)) kept.push(headers[i]!, headers[i + 1]!);
  return { status: 203, headers: kept, body: changed };
}
