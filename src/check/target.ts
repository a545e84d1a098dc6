import type { Profile } from '../catalog/index.ts';

/**
 * What to probe where. A target file (YAML/JSON) gives these paths for any
 * API; statuskit's lab serves its own at WELL_KNOWN_TARGET so `statuskit
 * check http://127.0.0.1:8080` needs no file. A probe whose path is not given
 * is reported as not applicable, never as passed.
 */
export interface TargetDescription {
  /** The profile the API follows (error_code prefix, 441). */
  profile?: Profile;
  /** An existing JSON resource answering GET/HEAD with ETag and Last-Modified, and PUT with If-Match. */
  resource?: string;
  /** A collection taking POST application/json: 201 + Location, 400/411/413/415/422. */
  collection?: string;
  /** A body the collection accepts (201). */
  validBody?: unknown;
  /** A well-formed body the collection rejects with 422. */
  invalidBody?: unknown;
  /** The collection's body limit in bytes (413 probes send more). */
  bodyLimit?: number;
  /** Whether the collection requires Content-Length (411 probe). */
  requiresLength?: boolean;
  /** A route that takes GET (and HEAD, OPTIONS) only: 405 + Allow, 204 + Allow. */
  getOnly?: string;
  /** A representation that honours Range: 206 / 416. */
  blob?: string;
  /** A route that answers a 3xx with Location. */
  redirect?: string;
  /** A route whose handler fails: 500 without leaks. */
  error?: string;
  /** A route that answers only application/json (406 for Accept: image/png). */
  jsonOnly?: string;
  /** A route that waits before answering (504 with a short X-Request-Timeout). */
  slow?: string;
  /** A rate-limited route (429 probe with --load). */
  limited?: string;
  /** A route that needs credentials: without them, 401 + WWW-Authenticate. */
  protected?: string;
  /** A route that is switched off or in maintenance: 503 (Retry-After, when sent, well-formed). */
  unavailable?: string;
  /** A route that takes a WebSocket upgrade (101 probe). */
  websocket?: string;
  /** The longest request target the API takes, in bytes (the 414 probe sends more). @default 16384 */
  uriLimit?: number;
}

/** Where statuskit's lab describes itself. */
export const WELL_KNOWN_TARGET = '/.well-known/statuskit/target';
