/**
 * WWW-Authenticate / Proxy-Authenticate values (RFC 9110 §11.6.1, §11.7.1):
 * one challenge per scheme the route accepts, comma-separated in one field.
 */

export type AuthScheme = 'api-key' | 'signature';

/** RFC 6750 §3.1 error codes of the Bearer challenge. */
export type BearerError = 'invalid_request' | 'invalid_token';

const quote = (s: string): string => `"${s.replace(/["\\]/g, '\\$&')}"`;

export function wwwAuthenticate(schemes: readonly AuthScheme[], realm: string, bearerError?: BearerError): string {
  const challenges: string[] = [];
  for (const scheme of schemes) {
    if (scheme === 'api-key') {
      // API keys travel as Bearer tokens (RFC 6750 §2.1) or in X-Api-Key; Bearer is the scheme to name.
      challenges.push(`Bearer realm=${quote(realm)}${bearerError ? `, error=${quote(bearerError)}` : ''}`);
    } else {
      challenges.push(`SDK-HMAC-SHA256 realm=${quote(realm)}`);
    }
  }
  return challenges.join(', ');
}

/** RFC 7617 §2: Basic, with the realm and the charset credentials are decoded in. */
export function basicChallenge(realm: string): string {
  return `Basic realm=${quote(realm)}, charset="UTF-8"`;
}
