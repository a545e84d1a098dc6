/**
 * Request signing `SDK-HMAC-SHA256`, as the API gateways of the contract's
 * clouds define it. Shared by the client (signRequest) and the gateway
 * (verifyRequest); both build the canonical request with the same code.
 *
 * CanonicalRequest = METHOD \n CanonicalURI \n CanonicalQueryString \n
 *                    CanonicalHeaders \n SignedHeaders \n hex(sha256(body))
 * StringToSign     = "SDK-HMAC-SHA256" \n X-Sdk-Date \n hex(sha256(CanonicalRequest))
 * Signature        = hex(HMAC-SHA256(secretKey, StringToSign))
 * Authorization: SDK-HMAC-SHA256 Access=AK, SignedHeaders=host;x-sdk-date, Signature=SIG
 *
 * The verifier reads the path as the client sent it and accepts both canonical forms of it
 * that signers use (src/signing-uri.ts); docs/gateway-limits.md lists where the official Node
 * SDK (`@huaweicloud/huaweicloud-sdk-core` AKSKSigner) differs from this code.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { canonicalQueryString, canonicalUri, requestTarget, verifiableUris } from './signing-uri.ts';

export {
  canonicalQueryString,
  canonicalUri,
  nodeSdkCanonicalUri,
  uriEncode,
  verifiableUris,
} from './signing-uri.ts';

export const SIGNING_ALGORITHM = 'SDK-HMAC-SHA256';
export const SDK_DATE_HEADER = 'X-Sdk-Date';
/** Carries `UNSIGNED-PAYLOAD` when the body is not part of the signature (streamed bodies). */
export const CONTENT_SHA256_HEADER = 'X-Sdk-Content-Sha256';
export const UNSIGNED_PAYLOAD = 'UNSIGNED-PAYLOAD';
/** Headers every signature must cover: the target host and the signing date. */
export const REQUIRED_SIGNED_HEADERS: readonly string[] = ['host', 'x-sdk-date'];
/** Accepted distance between X-Sdk-Date and the verifier's clock. */
export const DEFAULT_SKEW_MS = 15 * 60_000; // 15 min

/** Header bags both sides pass in: fetch Headers, node's IncomingHttpHeaders, or a plain record. */
export type HeaderBag =
  | { get(name: string): string | null }
  | Readonly<Record<string, string | number | readonly string[] | undefined>>;

/** One header's value by case-insensitive name; repeated fields are joined with ", " (RFC 9110 §5.3). */
export function headerValue(headers: HeaderBag | undefined, name: string): string | undefined {
  if (!headers) return undefined;
  if (typeof (headers as { get?: unknown }).get === 'function') {
    return (headers as { get(name: string): string | null }).get(name) ?? undefined;
  }
  const record = headers as Readonly<Record<string, string | number | readonly string[] | undefined>>;
  const lower = name.toLowerCase();
  let value = record[lower];
  if (value === undefined) {
    for (const key of Object.keys(record)) if (key.toLowerCase() === lower) value = record[key];
  }
  if (value === undefined) return undefined;
  return typeof value === 'object' ? value.join(', ') : String(value);
}

/** RFC 9110 §5.6.2 token. */
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

export const sha256Hex = (data: string | Uint8Array): string => createHash('sha256').update(data).digest('hex');

/** `YYYYMMDDTHHMMSSZ` in UTC. */
export function formatSdkDate(date: Date): string {
  return `${date.toISOString().slice(0, 19).replace(/[-:]/g, '')}Z`;
}

const SDK_DATE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;

/** Parses `YYYYMMDDTHHMMSSZ`; undefined unless it names a real instant. */
export function parseSdkDate(value: string): Date | undefined {
  const m = SDK_DATE.exec(value);
  if (!m) return undefined;
  const [y, mo, d, h, mi, s] = m.slice(1).map(Number) as [number, number, number, number, number, number];
  const ms = Date.UTC(y, mo - 1, d, h, mi, s);
  const date = new Date(ms);
  // Date.UTC rolls 20240230 over to March; a real date round-trips.
  return formatSdkDate(date) === value ? date : undefined;
}

export interface CanonicalInput {
  method: string;
  /**
   * Absolute URL, or the request target as received (`/path?query`): its path is used as
   * written, the bytes the client signed (`requestTarget`).
   */
  url: string | URL;
  headers: HeaderBag;
  /** Lowercase header names, sorted. */
  signedHeaders: readonly string[];
  /** hex(sha256(body)), or UNSIGNED-PAYLOAD. */
  payloadHash: string;
  /** The CanonicalURI to use. @default canonicalUri(path) (form 1) */
  uri?: string;
}

/** The canonical request; undefined when a signed header is absent from the request. */
export function canonicalRequest(input: CanonicalInput): string | undefined {
  const target = requestTarget(input.url);
  let headers = '';
  for (const name of input.signedHeaders) {
    // An absolute URL supplies Host when the header bag has none (fetch sets it from the URL).
    const value = headerValue(input.headers, name) ?? (name === 'host' ? target.host : undefined);
    if (value === undefined) return undefined;
    headers += `${name}:${value.trim()}\n`;
  }
  return [
    input.method.toUpperCase(),
    input.uri ?? canonicalUri(target.path),
    canonicalQueryString(target.query),
    headers,
    input.signedHeaders.join(';'),
    input.payloadHash,
  ].join('\n');
}

export function stringToSign(sdkDate: string, canonical: string): string {
  return `${SIGNING_ALGORITHM}\n${sdkDate}\n${sha256Hex(canonical)}`;
}

export function signature(secretKey: string, toSign: string): string {
  return createHmac('sha256', secretKey).update(toSign).digest('hex');
}

export interface SignOptions {
  method: string;
  /** The absolute URL the request goes to (its host is signed unless `headers` carry Host). */
  url: string | URL;
  headers?: HeaderBag;
  /** The exact bytes sent; omitted means an empty body. */
  body?: string | Uint8Array;
  /** Sign `UNSIGNED-PAYLOAD` instead of the body (for streamed bodies). @default false */
  unsignedPayload?: boolean;
  accessKey: string;
  secretKey: string;
  /** @default new Date() */
  date?: Date;
  /** More headers to sign besides host and x-sdk-date; they must be present in `headers`. */
  signHeaders?: readonly string[];
}

/** The headers to add to a request so that it carries an SDK-HMAC-SHA256 signature. */
export function signRequest(options: SignOptions): Record<string, string> {
  if (!TOKEN.test(options.accessKey)) throw new TypeError(`Access key "${options.accessKey}" is not a token.`);
  const url = typeof options.url === 'string' ? new URL(options.url) : options.url;
  const sdkDate = formatSdkDate(options.date ?? new Date());
  const added: Record<string, string> = { [SDK_DATE_HEADER]: sdkDate };
  if (options.unsignedPayload) added[CONTENT_SHA256_HEADER] = UNSIGNED_PAYLOAD;
  const names = new Set(REQUIRED_SIGNED_HEADERS);
  if (options.unsignedPayload) names.add(CONTENT_SHA256_HEADER.toLowerCase());
  for (const h of options.signHeaders ?? []) names.add(h.toLowerCase());
  const signedHeaders = [...names].sort();
  const lookup = (name: string): string | undefined => headerValue(added, name) ?? headerValue(options.headers, name);
  const missing = signedHeaders.find((n) => n !== 'host' && lookup(n) === undefined);
  if (missing) throw new TypeError(`Cannot sign header "${missing}": the request does not carry it.`);
  const bag = { get: (name: string) => lookup(name) ?? null };
  const payloadHash = options.unsignedPayload ? UNSIGNED_PAYLOAD : sha256Hex(options.body ?? '');
  const canonical = canonicalRequest({ method: options.method, url, headers: bag, signedHeaders, payloadHash });
  const sig = signature(options.secretKey, stringToSign(sdkDate, canonical as string));
  added.Authorization = `${SIGNING_ALGORITHM} Access=${options.accessKey}, SignedHeaders=${signedHeaders.join(';')}, Signature=${sig}`;
  return added;
}

export interface SignatureCredentials {
  accessKey: string;
  /** Lowercase, sorted, unique. */
  signedHeaders: readonly string[];
  /** 64 lowercase hex digits. */
  signature: string;
}

/** Why credentials were refused: the first two are 401 everywhere; the rest are 441 under `dis`. */
export type SignatureFailure = 'missing' | 'malformed' | 'unknown-key' | 'date-skew' | 'bad-signature';

export type ParseResult =
  | { ok: true; credentials: SignatureCredentials }
  | { ok: false; failure: 'missing' | 'malformed'; message: string };

const HEX64 = /^[0-9a-fA-F]{64}$/;

/**
 * Parses `Authorization: SDK-HMAC-SHA256 Access=…, SignedHeaders=…, Signature=…`.
 * `missing` when the header is absent or names another scheme.
 */
export function parseAuthorization(value: string | undefined): ParseResult {
  const malformed = (message: string): ParseResult => ({ ok: false, failure: 'malformed', message });
  const trimmed = value?.trim() ?? '';
  const space = trimmed.search(/\s/);
  const scheme = space < 0 ? trimmed : trimmed.slice(0, space);
  // RFC 9110 §11.1: the auth-scheme is case-insensitive.
  if (scheme.toUpperCase() !== SIGNING_ALGORITHM) {
    return { ok: false, failure: 'missing', message: `No ${SIGNING_ALGORITHM} Authorization header.` };
  }
  const params = new Map<string, string>();
  for (const part of trimmed.slice(scheme.length).split(',')) {
    const eq = part.indexOf('=');
    if (eq < 0) return malformed(`Authorization parameter "${part.trim()}" has no value.`);
    // RFC 9110 §11.2: auth-param names are case-insensitive.
    const name = part.slice(0, eq).trim().toLowerCase();
    if (params.has(name)) return malformed(`Authorization parameter "${name}" is repeated.`);
    params.set(name, part.slice(eq + 1).trim());
  }
  const accessKey = params.get('access');
  const headerList = params.get('signedheaders');
  const sig = params.get('signature');
  if (!accessKey || !headerList || !sig) {
    return malformed('Authorization must carry Access, SignedHeaders and Signature.');
  }
  if (!TOKEN.test(accessKey)) return malformed('Access is not a valid access key.');
  if (!HEX64.test(sig)) return malformed('Signature must be 64 hex digits.');
  const signedHeaders = headerList.split(';');
  const sorted = [...new Set(signedHeaders)].sort();
  if (signedHeaders.some((h) => !TOKEN.test(h) || h !== h.toLowerCase()) || sorted.join(';') !== headerList) {
    return malformed('SignedHeaders must be lowercase header names, sorted, unique, joined by ";".');
  }
  const absent = REQUIRED_SIGNED_HEADERS.find((h) => !signedHeaders.includes(h));
  if (absent) return malformed(`SignedHeaders must include "${absent}".`);
  return { ok: true, credentials: { accessKey, signedHeaders, signature: sig.toLowerCase() } };
}

export interface VerifyOptions {
  method: string;
  /**
   * The request target as received (origin-form `/path?query`, the raw `req.url`, before any
   * normalisation) or an absolute URL: the signature covers the bytes the client signed.
   */
  url: string | URL;
  headers: HeaderBag;
  /** The received body; omitted means empty. Ignored when `payloadHash` is given. */
  body?: string | Uint8Array;
  /** hex(sha256(body)) when the caller already hashed it. */
  payloadHash?: string;
  /** The secret key of an access key, or undefined when the key is unknown. */
  secretFor: (accessKey: string) => string | undefined;
  /** Epoch ms. @default Date.now() */
  now?: number;
  /** Largest accepted |now − X-Sdk-Date| in ms. @default DEFAULT_SKEW_MS (15 min) */
  skewMs?: number;
}

export type VerifyResult =
  | { ok: true; credentials: SignatureCredentials; date: Date }
  | { ok: false; failure: 'missing' | 'malformed'; message: string }
  | {
      ok: false;
      failure: 'unknown-key' | 'date-skew' | 'bad-signature';
      credentials: SignatureCredentials;
      message: string;
    };

const FORM2_ONLY =
  'A path whose decoded segments still hold percent-escapes is verified only as the Node SDK signs it.';

/** Checks an SDK-HMAC-SHA256 signature; compares signatures in constant time. */
export function verifyRequest(options: VerifyOptions): VerifyResult {
  const parsed = parseAuthorization(headerValue(options.headers, 'authorization'));
  if (!parsed.ok) return parsed;
  const { credentials } = parsed;
  const sdkDate = headerValue(options.headers, SDK_DATE_HEADER);
  if (sdkDate === undefined) return { ok: false, failure: 'malformed', message: `${SDK_DATE_HEADER} is required.` };
  const date = parseSdkDate(sdkDate.trim());
  if (!date) return { ok: false, failure: 'malformed', message: `${SDK_DATE_HEADER} must be YYYYMMDDTHHMMSSZ.` };
  const unsigned = headerValue(options.headers, CONTENT_SHA256_HEADER)?.trim() === UNSIGNED_PAYLOAD;
  if (unsigned && !credentials.signedHeaders.includes(CONTENT_SHA256_HEADER.toLowerCase())) {
    return { ok: false, failure: 'malformed', message: `${CONTENT_SHA256_HEADER} must be signed when present.` };
  }
  const input: CanonicalInput = {
    method: options.method,
    url: options.url,
    headers: options.headers,
    signedHeaders: credentials.signedHeaders,
    payloadHash: unsigned ? UNSIGNED_PAYLOAD : (options.payloadHash ?? sha256Hex(options.body ?? '')),
  };
  if (canonicalRequest(input) === undefined) {
    return { ok: false, failure: 'malformed', message: 'A header named in SignedHeaders is absent.' };
  }
  const secret = options.secretFor(credentials.accessKey);
  if (secret === undefined) {
    return { ok: false, failure: 'unknown-key', credentials, message: 'Unknown access key.' };
  }
  const skew = Math.abs((options.now ?? Date.now()) - date.getTime());
  if (skew > (options.skewMs ?? DEFAULT_SKEW_MS)) {
    return {
      ok: false,
      failure: 'date-skew',
      credentials,
      message: `${SDK_DATE_HEADER} is outside the accepted window.`,
    };
  }
  // One HMAC per canonical form of the path the client may have signed (one, or two when the
  // path holds escapes); each compared in constant time.
  const given = Buffer.from(credentials.signature, 'hex');
  const path = requestTarget(options.url).path;
  const uris = verifiableUris(path);
  let matched = false;
  for (const uri of uris) {
    const canonical = canonicalRequest({ ...input, uri }) as string;
    const expected = Buffer.from(signature(secret, stringToSign(sdkDate.trim(), canonical)), 'hex');
    if (timingSafeEqual(expected, given)) matched = true;
  }
  if (!matched) {
    // Form 1 refused: its signature would also cover the path with one escape level less.
    const hint = uris.includes(canonicalUri(path)) ? '' : ` ${FORM2_ONLY}`;
    const message = `The signature does not match the request.${hint}`;
    return { ok: false, failure: 'bad-signature', credentials, message };
  }
  return { ok: true, credentials, date };
}

/** Whether the credentials were well-formed but failed verification (441 under `dis`). */
export function isVerificationFailure(failure: SignatureFailure): boolean {
  return failure === 'unknown-key' || failure === 'date-skew' || failure === 'bad-signature';
}
