/**
 * Facts about request methods that the client and the gateway both decide on,
 * in one place.
 */

/** RFC 9110 §9.2.1: the safe methods. */
export const SAFE_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE']);

/**
 * RFC 9110 §9.2.2: PUT, DELETE and the safe methods are idempotent: sending
 * one again has the effect of sending it once. Only these are ever repeated
 * (by the client's retries, by the gateway's retry on another target).
 */
export const IDEMPOTENT_METHODS: ReadonlySet<string> = new Set([...SAFE_METHODS, 'PUT', 'DELETE']);
