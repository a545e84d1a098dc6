import type { IncomingHttpHeaders } from 'node:http';
import { getCode, isErrorCode, type Profile } from '../../catalog/index.ts';
import { type HeaderValues, StatusError } from '../../errors.ts';
import { isJsonType } from './transform.ts';

/** How much of an upstream error body is read to find its message. */
export const ERROR_BODY_LIMIT = 64 * 1024; // 64 KiB

/** Upstream fields that keep their meaning on a normalised error answer. */
const KEPT = [
  'retry-after',
  'www-authenticate',
  'allow',
  'content-range',
  'accept-post',
  'accept-patch',
  'ratelimit',
  'ratelimit-policy',
  // Older generations of the RateLimit fields (drafts -00 to -06, and the X- convention).
  'ratelimit-limit',
  'ratelimit-remaining',
  'ratelimit-reset',
  'x-ratelimit-limit',
  'x-ratelimit-remaining',
  'x-ratelimit-reset',
] as const;

/** Members an upstream error body commonly puts its message in, in order of preference. */
const MESSAGE_FIELDS = ['error_msg', 'message', 'detail', 'error_description', 'title', 'error'] as const;

function messageOf(body: Buffer, contentType: string | undefined): string | undefined {
  if (body.length === 0) return undefined;
  const text = body.toString('utf8');
  if (isJsonType(contentType)) {
    try {
      const doc = JSON.parse(text) as Record<string, unknown>;
      for (const f of MESSAGE_FIELDS) if (typeof doc?.[f] === 'string' && doc[f]) return doc[f] as string;
    } catch {
      return undefined;
    }
    return undefined;
  }
  if (contentType?.toLowerCase().startsWith('text/plain')) return text.split('\n', 1)[0]?.trim() || undefined;
  return undefined;
}

/** Whether a body already is the contract's error body (CONTRACT.md §3) or its problem+json form. */
export function isContractErrorBody(body: Buffer, contentType: string | undefined): boolean {
  if (!isJsonType(contentType)) return false;
  try {
    const doc = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
    return typeof doc?.error_code === 'string' && typeof doc.request_id === 'string';
  } catch {
    return false;
  }
}

/**
 * The contract's error for an upstream 4xx/5xx whose body is not in the
 * contract's format, or undefined when the answer must pass unchanged: the
 * status is not one the profile issues (a 418, or 441 outside `dis`), the
 * body already is a contract body, or the upstream left out a field the
 * status requires (a 429 without Retry-After cannot be made a correct 429
 * by inventing a delay). The upstream's message is kept where one is found;
 * the sub-code `UPSTREAM` says where the error came from.
 */
export function normaliseUpstreamError(
  status: number,
  headers: IncomingHttpHeaders,
  body: Buffer,
  profile: Profile,
  complete: boolean,
): StatusError | undefined {
  if (!isErrorCode(status, profile)) return undefined;
  const contentType = headers['content-type'];
  if (complete && isContractErrorBody(body, contentType)) return undefined;
  const kept: HeaderValues = {};
  for (const name of KEPT) {
    const v = headers[name];
    if (v !== undefined) kept[name] = v;
  }
  const entry = getCode(status);
  for (const rule of entry?.headers ?? []) {
    if (rule.required === 'always' && kept[rule.field.toLowerCase()] === undefined && rule.field !== 'Connection')
      return undefined;
  }
  const found = complete ? messageOf(body, contentType) : undefined;
  const message = found
    ? `The upstream answered ${status}: ${found.slice(0, 300)}`
    : `The upstream answered ${status} ${entry?.reason ?? ''}.`.replace(' .', '.');
  // 408's Connection: close is the front's to send; it closes our side as the contract requires.
  if (status === 408) kept.connection = 'close';
  return new StatusError(status, message, { headers: kept, subcode: 'UPSTREAM' });
}
