import { createHash } from 'node:crypto';
import { compilePolicy, type RatePolicy } from '../limits/gcra.ts';
import { compileRules, type RouteMatcher, type RouteRule } from './routes.ts';

export interface ApiKeyRecord {
  /** The secret the client sends (X-Api-Key or Authorization: Bearer). */
  key: string;
  /** A non-secret name for logs, metrics and rate-limit keys. */
  id: string;
  /** Routes and methods this key may use; absent means all. Anything else is 403. */
  allow?: readonly RouteRule[];
  /** This key's own rate policy. */
  rate?: RatePolicy;
}

export interface AccessKeyRecord {
  /** Sent in the clear as Access=…; also the principal's id. */
  accessKey: string;
  secretKey: string;
  allow?: readonly RouteRule[];
  rate?: RatePolicy;
}

export interface KeyEntry {
  id: string;
  allowed: RouteMatcher | undefined;
  rate: RatePolicy | undefined;
}

/** RFC 6750 §2.1 b64token, which X-Api-Key values follow as well. */
export const API_KEY_SYNTAX = /^[A-Za-z0-9\-._~+/]+=*$/;

const digest = (key: string): string => createHash('sha256').update(key).digest('base64');

/**
 * API keys, looked up by their SHA-256: the lookup's timing depends on the
 * digest, not on how much of a guessed key was right.
 */
export class ApiKeyRegistry {
  readonly #byDigest = new Map<string, KeyEntry>();

  constructor(records: readonly ApiKeyRecord[]) {
    const ids = new Set<string>();
    records.forEach((r, i) => {
      if (typeof r.key !== 'string' || !API_KEY_SYNTAX.test(r.key)) {
        throw new TypeError(`apiKeys[${i}].key: letters, digits and - . _ ~ + / (then = padding) only.`);
      }
      if (typeof r.id !== 'string' || r.id === '') throw new TypeError(`apiKeys[${i}].id: a non-empty name.`);
      if (ids.has(r.id)) throw new TypeError(`apiKeys[${i}].id: "${r.id}" is used twice.`);
      const d = digest(r.key);
      if (this.#byDigest.has(d)) throw new TypeError(`apiKeys[${i}].key: the same key is listed twice.`);
      ids.add(r.id);
      this.#byDigest.set(d, entry(r.id, r.allow, r.rate, `apiKeys[${i}].allow`));
    });
  }

  get size(): number {
    return this.#byDigest.size;
  }

  find(key: string): KeyEntry | undefined {
    return this.#byDigest.get(digest(key));
  }
}

/** Access keys and their secrets, for SDK-HMAC-SHA256. */
export class AccessKeyRegistry {
  readonly #byKey = new Map<string, KeyEntry & { secretKey: string }>();

  constructor(records: readonly AccessKeyRecord[]) {
    records.forEach((r, i) => {
      if (typeof r.accessKey !== 'string' || !/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(r.accessKey)) {
        throw new TypeError(`accessKeys[${i}].accessKey: a token (letters, digits, - . _ ~ …), no spaces or commas.`);
      }
      if (typeof r.secretKey !== 'string' || r.secretKey.length < 16) {
        throw new TypeError(`accessKeys[${i}].secretKey: at least 16 characters.`);
      }
      if (this.#byKey.has(r.accessKey))
        throw new TypeError(`accessKeys[${i}].accessKey: "${r.accessKey}" is listed twice.`);
      this.#byKey.set(r.accessKey, {
        ...entry(r.accessKey, r.allow, r.rate, `accessKeys[${i}].allow`),
        secretKey: r.secretKey,
      });
    });
  }

  get size(): number {
    return this.#byKey.size;
  }

  find(accessKey: string): (KeyEntry & { secretKey: string }) | undefined {
    return this.#byKey.get(accessKey);
  }
}

function entry(
  id: string,
  allow: readonly RouteRule[] | undefined,
  rate: RatePolicy | undefined,
  where: string,
): KeyEntry {
  let allowed: RouteMatcher | undefined;
  try {
    allowed = allow ? compileRules(allow) : undefined;
  } catch (err) {
    throw new TypeError(`${where}${(err as Error).message}`);
  }
  try {
    if (rate) compilePolicy(rate);
  } catch (err) {
    throw new TypeError(`${where.replace(/allow$/, 'rate')}.${(err as Error).message}`);
  }
  return { id, allowed, rate };
}
