import { StatusError } from '../../errors.ts';
import { validateJson } from '../../server/helpers/validate.ts';
import { sendJson } from '../../server/respond.ts';
import type { RequestContext, RouteDef } from '../../server/types.ts';
import { JSON_ONLY, type LabState } from '../state.ts';

/** The lab's public demo tokens and what they may do. */
export const LAB_TOKENS: Readonly<Record<string, { role: 'reader' | 'writer' }>> = {
  'lab-reader': { role: 'reader' },
  'lab-writer': { role: 'writer' },
};

const REALM = 'statuskit-lab';
// RFC 6750 §2.1: b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="
const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*)$/i;

/**
 * Who the request is, by its bearer token: 401 + WWW-Authenticate when the
 * credentials are missing or malformed; when they are well-formed but
 * unknown, 441 under `dis` and 401 elsewhere (CONTRACT.md §1).
 */
function authenticate(ctx: RequestContext): 'reader' | 'writer' {
  const header = ctx.req.headers.authorization;
  // RFC 9110 §15.5.2 / RFC 6750 §3: 401 carries the challenge; error= says what was wrong.
  const challenge = (error?: string) => ({
    'WWW-Authenticate': `Bearer realm="${REALM}"${error ? `, error="${error}"` : ''}`,
  });
  if (header === undefined) {
    throw new StatusError(401, 'This route needs a bearer token (try lab-reader).', { headers: challenge() });
  }
  const m = BEARER.exec(header.trim());
  if (!m) {
    throw new StatusError(401, 'The Authorization header is not a well-formed Bearer credential.', {
      headers: challenge('invalid_request'),
      subcode: 'MALFORMED',
    });
  }
  const token = LAB_TOKENS[m[1] as string];
  if (!token) {
    const message = 'The bearer token is well-formed but unknown to the lab.';
    if (ctx.profile === 'dis') throw new StatusError(441, message, { subcode: 'TOKEN' });
    throw new StatusError(401, message, { headers: challenge('invalid_token'), subcode: 'TOKEN' });
  }
  return token.role;
}

/** A small note behind bearer tokens: readers read it (200), only writers replace it (403 otherwise). */
export function privateRoutes(lab: LabState): RouteDef[] {
  let note = { text: 'Only authenticated clients read this.', updated_at: new Date(lab.started).toISOString() };
  const readNote = validateJson<{ text: string }>({
    type: 'object',
    required: ['text'],
    additionalProperties: false,
    properties: { text: { type: 'string', maxLength: 1024 } },
  });
  return [
    {
      path: '/private',
      accepts: JSON_ONLY,
      produces: JSON_ONLY,
      bodyLimit: lab.options.bodyLimit,
      methods: {
        GET(ctx) {
          authenticate(ctx);
          sendJson(ctx, 200, note);
        },
        async PUT(ctx) {
          // RFC 9110 §15.5.4: authenticated, and still not allowed.
          if (authenticate(ctx) !== 'writer')
            throw new StatusError(403, 'A reader token may not change the note; use lab-writer.');
          const { text } = await readNote(ctx);
          note = { text, updated_at: new Date(lab.options.now()).toISOString() };
          sendJson(ctx, 200, note);
        },
      },
    },
  ];
}
