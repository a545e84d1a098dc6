import { expectRefusal, type Probe, pathOf } from '../probe.ts';
import type { TargetDescription } from '../target.ts';

const JSON_ACCEPT = ['Accept', 'application/json'] as const;
/** Answers that keep a protected route closed: bad request, no credentials, not allowed. */
const REFUSALS = [400, 401, 403] as const;
/** For a spelling RFC 3986 makes another path, "no such resource" too: a 404 serves nothing either. */
const REFUSALS_OR_ABSENT = [400, 401, 403, 404] as const;

/** The protected path spelled another way; undefined when this spelling cannot be made of it. */
type Respell = (path: string) => string | undefined;

/** Where the first segment of a path ends (the next "/", or the end). */
const firstEnd = (p: string) => (p.indexOf('/', 1) === -1 ? p.length : p.indexOf('/', 1));

/** The first letter or digit percent-encoded (`/admin` → `/%61dmin`), equivalent by RFC 3986 §6.2.2.2. */
const encodeLetter: Respell = (p) => {
  const at = p.search(/[A-Za-z0-9]/);
  return at === -1 ? undefined : `${p.slice(0, at)}%${p.charCodeAt(at).toString(16)}${p.slice(at + 1)}`;
};

/** The slash after the first segment as %2f (`/admin%2fsecret`); a one-segment path gets its leading one encoded. */
const encodeSlash: Respell = (p) => {
  const at = p.indexOf('/', 1);
  return at === -1 || at === p.length - 1 ? `/%2f${p.slice(1)}` : `${p.slice(0, at)}%2f${p.slice(at + 1)}`;
};

interface Spelling {
  readonly id: string;
  readonly what: string;
  readonly example: string;
  readonly rfc: string;
  /**
   * RFC 3986 makes it another path (an empty segment, %2F as data, a segment
   * parameter), so a 404 is a faithful answer. The other spellings are the
   * protected path itself once normalised (§5.2.4, §6.2.2.2): they must meet its guard.
   */
  readonly distinct: boolean;
  readonly respell: Respell;
}

const SPELLINGS: readonly Spelling[] = [
  // RFC 3986 §5.2.4: removing dot segments gives the protected path itself.
  {
    id: 'dot',
    what: 'a dot segment',
    example: '/x/../admin/secret',
    rfc: 'RFC 3986 §5.2.4',
    distinct: false,
    respell: (p) => `/statuskit/..${p}`,
  },
  {
    id: 'dot-self',
    what: 'a "." segment',
    example: '/./admin/secret',
    rfc: 'RFC 3986 §5.2.4',
    distinct: false,
    respell: (p) => `/.${p}`,
  },
  // RFC 3986 §3.3: "//" holds an empty segment, another path that many routers merge into "/".
  {
    id: 'double-slash',
    what: 'a doubled slash',
    example: '//admin/secret',
    rfc: 'RFC 3986 §3.3',
    distinct: true,
    respell: (p) => `/${p}`,
  },
  {
    id: 'pct-letter',
    what: 'a percent-encoded letter',
    example: '/%61dmin/secret',
    rfc: 'RFC 3986 §6.2.2.2',
    distinct: false,
    respell: encodeLetter,
  },
  // RFC 3986 §2.2: %2F is data, not a delimiter; a decoder that splits on it changes the route.
  {
    id: 'pct-slash',
    what: 'an encoded slash',
    example: '/admin%2fsecret',
    rfc: 'RFC 3986 §2.2',
    distinct: true,
    respell: encodeSlash,
  },
  // RFC 3986 §3.3: ";" is a sub-delim inside a segment; routers that strip "matrix parameters" disagree.
  {
    id: 'semicolon',
    what: 'a ";" parameter',
    example: '/admin;x/secret',
    rfc: 'RFC 3986 §3.3',
    distinct: true,
    respell: (p) => `${p.slice(0, firstEnd(p))};statuskit${p.slice(firstEnd(p))}`,
  },
];

/**
 * The protected route reached by other spellings of its path, without
 * credentials: each must be refused, never served. A front that decides
 * access on one spelling and routes on another lets them through.
 */
export const PROTECTED_PROBES: readonly Probe[] = SPELLINGS.map((s): Probe => {
  const codes = s.distinct ? REFUSALS_OR_ABSENT : REFUSALS;
  return {
    id: `401-path-${s.id}`,
    code: 401,
    title: `the protected path with ${s.what} (${s.example}), without credentials, is answered ${codes.join('/')}, never 2xx`,
    rfc: s.rfc,
    needs: ['protected'],
    applies: (t: TargetDescription) =>
      t.protected !== undefined && s.respell(t.protected) === undefined
        ? `the protected path ${t.protected} has nothing to spell as ${s.what}`
        : undefined,
    run: (ctx) => {
      const target = s.respell(pathOf(ctx, 'protected')) as string;
      return expectRefusal(ctx, { method: 'GET', target, headers: [JSON_ACCEPT] }, codes);
    },
  };
});
