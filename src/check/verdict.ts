import {
  type ContractCode,
  errorCodeFor,
  getCode,
  guidanceFor,
  type HeaderRule,
  isErrorCode,
  nameIn,
  type Profile,
} from '../catalog/index.ts';
import type { Check } from './types.ts';
import { hasToken, header, type WireResponse } from './wire/reader.ts';

export interface ExpectOptions {
  /** The request method (HEAD answers carry no body, so no error body either). */
  method: string;
  profile: Profile;
  /** Conditional header rules of the catalog whose condition holds for this request, by field. */
  applies?: readonly string[];
  /** The request asked for problem+json (RFC 9457). */
  problem?: boolean;
  /** The X-Request-Id the request sent, which the answer must echo. */
  requestId?: string;
  /** Bytes that followed a response that may carry none. */
  extraBytes?: number;
  /** Why no response was read (timeout, reset, not HTTP), for the reason line. */
  error?: string;
}

export const ok = (name: string, detail: string): Check => ({ name, ok: true, detail });
export const fail = (name: string, detail: string): Check => ({ name, ok: false, detail });

/** `405 Method Not Allowed`, with the generic profile's name where it differs from the reason phrase. */
export function describeStatus(status: number, profile: Profile): string {
  const entry = getCode(status);
  if (!entry) return `${status} (not a code of the contract)`;
  if (entry.guidance === 'never-issued') return `${status} ${entry.reason} (the contract never issues it)`;
  return `${status} ${nameIn(entry, profile)}`;
}

/** A header rule's fixed form as a pattern: upper-case placeholders (LENGTH, FIRST) stand for numbers. */
function formPattern(form: string): RegExp {
  const escaped = form.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  return new RegExp(`^${escaped.replace(/[A-Z]{2,}/g, '\\d+')}$`, 'i');
}

function headerCheck(res: WireResponse, rule: HeaderRule): Check {
  const value = header(res, rule.field);
  const why = rule.required === 'always' ? 'always required' : `required ${rule.condition ?? 'here'}`;
  if (value === undefined || value === '') return fail(rule.field, `${rule.field} missing (${why})`);
  if (rule.form) {
    const pattern = formPattern(rule.form);
    const fits = /[A-Z]{2,}/.test(rule.form) ? pattern.test(value) : hasToken(value, rule.form);
    if (!fits) return fail(rule.field, `${rule.field}: ${value} is not of the form "${rule.form}"`);
  }
  return ok(rule.field, `${rule.field}: ${value}`);
}

/** RFC 9110 §10.2.3: Retry-After = HTTP-date / delay-seconds. */
export function validRetryAfter(value: string): boolean {
  return (
    /^\d+$/.test(value) ||
    (/^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$/.test(value) && !Number.isNaN(Date.parse(value)))
  );
}

/**
 * What the catalog's guidance for this answer needs in order to be followed:
 * `retry-after` (429; 413 and 503 when they carry it) a Retry-After the client
 * can wait on, `follow` a Location it can go to. Whether those headers must be
 * present is the header rules' business (300 points with Link, not Location).
 */
function guidanceChecks(res: WireResponse): Check[] {
  const retryAfter = header(res, 'retry-after');
  const checks: Check[] = [];
  const guidance = guidanceFor(res.status, retryAfter !== undefined);
  if (guidance === 'retry-after' && retryAfter !== undefined && !validRetryAfter(retryAfter)) {
    checks.push(fail('Retry-After', `Retry-After: ${retryAfter} is neither delay-seconds nor an HTTP-date`));
  }
  const location = header(res, 'location');
  if (guidance === 'follow' && location !== undefined && !validReference(location)) {
    checks.push(fail('Location', `a ${res.status} is followed, but Location: ${location} is not a URI reference`));
  }
  return checks;
}

/** RFC 9110 §10.2.2: Location = URI-reference (RFC 3986: printable ASCII, the rest percent-encoded). */
function validReference(value: string): boolean {
  if (!/^[\x21-\x7e]+$/.test(value) || /[<>"{}|\\^`]/.test(value)) return false;
  try {
    new URL(value, 'http://statuskit.invalid/');
    return true;
  } catch {
    return false;
  }
}

const LEAKS: readonly (readonly [RegExp, string])[] = [
  [/\n\s+at [^\n]+[:(]/, 'a stack trace'],
  [/(?:^|[\s"'(])(?:\/(?:home|root|usr|var|opt|srv|tmp|app|src|work|Users)\/[^\s"']+)/, 'a file path'],
  [/[A-Za-z]:\\[^\s"']+/, 'a Windows file path'],
  [/\.(?:[cm]?js|ts|tsx):\d+/, 'a source location'],
  [/\b[A-Z]?[A-Za-z]*Error: /, 'an exception text ("…Error: …")'],
  [/node:internal|node_modules/, 'Node internals'],
];

/** Every string inside a parsed JSON value. */
function strings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (typeof value !== 'object' || value === null) return [];
  return Object.values(value).flatMap(strings);
}

/** CONTRACT.md §1, 500: the body never leaks a stack trace or a path. */
export function leakCheck(res: WireResponse): Check {
  const raw = res.body.toString('utf8');
  // A JSON body carries a stack trace as "\n    at …" escapes: scan its decoded strings too.
  let text = raw;
  try {
    text = `${raw}\n${strings(JSON.parse(raw)).join('\n')}`;
  } catch {
    // Not JSON: the raw text is all there is to scan.
  }
  for (const [pattern, what] of LEAKS) {
    const m = pattern.exec(text);
    if (m) return fail('no leaks', `the body leaks ${what}: ${JSON.stringify(m[0].trim().slice(0, 60))}`);
  }
  return ok('no leaks', 'no stack trace, path or exception text in the body');
}

/** CONTRACT.md §3: the uniform error body (or RFC 9457 problem+json when asked), request_id echoed. */
export function errorBodyChecks(res: WireResponse, o: ExpectOptions): Check[] {
  const requestId = header(res, 'x-request-id');
  const idCheck =
    requestId === undefined || requestId === ''
      ? fail('X-Request-Id', 'X-Request-Id missing on an error answer')
      : o.requestId !== undefined && requestId !== o.requestId
        ? fail('X-Request-Id', `X-Request-Id ${requestId} does not echo the id sent (${o.requestId})`)
        : ok('X-Request-Id', `X-Request-Id: ${requestId}`);
  const type = header(res, 'content-type') ?? '';
  const wantType = o.problem ? 'application/problem+json' : 'application/json';
  if (type.split(';')[0]?.trim().toLowerCase() !== wantType) {
    return [fail('error body', `Content-Type is ${type ? `"${type}"` : 'missing'}, expected ${wantType}`), idCheck];
  }
  let body: unknown;
  try {
    body = JSON.parse(res.body.toString('utf8'));
  } catch {
    return [fail('error body', `the ${res.body.length}-byte body is not JSON`), idCheck];
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return [fail('error body', 'the body is JSON but not an object'), idCheck];
  }
  const b = body as Record<string, unknown>;
  const code = errorCodeFor(res.status, o.profile);
  const problems: string[] = [];
  // CONTRACT.md §3: problem+json replaces the error body; its extension members, when sent, still hold.
  const needed = (member: unknown) => !o.problem || member !== undefined;
  if (
    needed(b.error_code) &&
    (typeof b.error_code !== 'string' || (b.error_code !== code && !b.error_code.startsWith(`${code}.`)))
  ) {
    problems.push(`error_code ${JSON.stringify(b.error_code)} is not ${code}[.sub-code]`);
  }
  if (o.problem) {
    if (typeof b.type !== 'string') problems.push('problem "type" missing');
    if (typeof b.title !== 'string') problems.push('problem "title" missing');
    if (b.status !== res.status) problems.push(`problem "status" ${JSON.stringify(b.status)} is not ${res.status}`);
    if (typeof b.detail !== 'string' || b.detail === '') problems.push('problem "detail" missing');
    if (b.instance !== undefined && typeof b.instance !== 'string') problems.push('problem "instance" not a string');
  } else if (typeof b.error_msg !== 'string' || b.error_msg.trim() === '') {
    problems.push('error_msg missing or empty');
  }
  // An RFC 9457 body without request_id leaves the id to X-Request-Id alone.
  if (needed(b.request_id)) {
    if (typeof b.request_id !== 'string' || b.request_id === '') problems.push('request_id missing');
    else if (requestId !== undefined && b.request_id !== requestId) {
      problems.push(`request_id ${b.request_id} differs from X-Request-Id ${requestId}`);
    }
  }
  const shape = o.problem ? 'problem+json' : 'error body';
  return [
    problems.length
      ? fail(shape, problems.join('; '))
      : ok(shape, o.problem ? `type ${String(b.type)}, status ${res.status}` : `error_code ${String(b.error_code)}`),
    idCheck,
  ];
}

/**
 * Everything the catalog says about an answer with `code`: the status, the
 * headers it must carry (always, and conditional ones whose condition
 * `applies`), the forms those headers take, what its guidance needs
 * (Retry-After, Location), whether it may carry content, and for an error
 * the contract's error body. A wrong status is the only check reported then:
 * the rest would describe some other answer.
 */
export function expectCode(res: WireResponse | undefined, code: ContractCode, o: ExpectOptions): Check[] {
  const entry = getCode(code);
  if (!entry) throw new TypeError(`${code} is not a code of the contract`);
  const want = describeStatus(code, o.profile);
  if (!res) return [fail('status', `${o.error ?? 'no answer'} (expected ${want})`)];
  if (res.status !== code) return [fail('status', `expected ${want}, got ${describeStatus(res.status, o.profile)}`)];
  const checks: Check[] = [ok('status', res.statusLine)];
  for (const rule of entry.headers) {
    if (rule.required === 'always' || o.applies?.includes(rule.field)) checks.push(headerCheck(res, rule));
  }
  checks.push(...guidanceChecks(res));
  // RFC 9110 §6.4.1 / §9.3.2: 1xx, 204, 304 and any HEAD answer carry no content.
  if (!entry.body || o.method === 'HEAD') {
    const bytes = res.body.length + (o.extraBytes ?? 0);
    checks.push(
      bytes
        ? fail('no content', `${bytes} bytes of content after a ${code}${o.method === 'HEAD' ? ' to HEAD' : ''}`)
        : ok('no content', 'no content'),
    );
  } else if (isErrorCode(code, o.profile)) {
    checks.push(...errorBodyChecks(res, o));
  }
  if (code >= 500 && o.method !== 'HEAD') checks.push(leakCheck(res));
  return checks;
}
