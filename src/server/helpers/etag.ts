import { createHash } from 'node:crypto';

/** One parsed entity tag (RFC 9110 §8.8.3): `W/"x"` is weak, `"x"` strong. */
export interface EntityTag {
  readonly weak: boolean;
  /** The opaque-tag including its double quotes. */
  readonly opaque: string;
}

// entity-tag = [ W/ ] DQUOTE *etagc DQUOTE; etagc = %x21 / %x23-7E / obs-text (RFC 9110 §8.8.3)
const TAG = /[\t ]*(W\/)?("[\x21\x23-\x7e\x80-\xff]*")[\t ]*(?:,|$)/y;
const EMPTY_MEMBER = /[\t ]*,/y;

/**
 * Parses an entity tag, or undefined when the text is not exactly one.
 */
export function parseEntityTag(text: string): EntityTag | undefined {
  const list = parseEntityTagList(text);
  return list !== undefined && list !== '*' && list.length === 1 ? list[0] : undefined;
}

/**
 * Parses the value of If-Match / If-None-Match: `*` or a list of entity tags
 * (RFC 9110 §13.1.1, §13.1.2). Empty list members are skipped (RFC 9110 §5.6.1.2).
 * Returns undefined when the value is malformed.
 */
export function parseEntityTagList(value: string): EntityTag[] | '*' | undefined {
  if (value.trim() === '*') return '*';
  const tags: EntityTag[] = [];
  let at = 0;
  while (at < value.length) {
    EMPTY_MEMBER.lastIndex = at;
    if (EMPTY_MEMBER.test(value)) {
      at = EMPTY_MEMBER.lastIndex;
      continue;
    }
    TAG.lastIndex = at;
    const m = TAG.exec(value);
    if (!m) return value.slice(at).trim() === '' && tags.length > 0 ? tags : undefined;
    tags.push({ weak: m[1] !== undefined, opaque: m[2] as string });
    at = TAG.lastIndex;
  }
  return tags.length > 0 ? tags : undefined;
}

/** RFC 9110 §8.8.3.2: strong comparison — both strong and character-for-character equal. */
export function strongMatch(a: EntityTag, b: EntityTag): boolean {
  return !a.weak && !b.weak && a.opaque === b.opaque;
}

/** RFC 9110 §8.8.3.2: weak comparison — the opaque tags are equal, weakness ignored. */
export function weakMatch(a: EntityTag, b: EntityTag): boolean {
  return a.opaque === b.opaque;
}

/**
 * A strong entity tag for bytes: the first 128 bits of their SHA-256,
 * base64url. Equal bytes get equal tags, which makes them strong validators
 * (RFC 9110 §8.8.1).
 */
export function strongTagFor(content: string | Uint8Array): string {
  return `"${createHash('sha256').update(content).digest('base64url').slice(0, 22)}"`;
}
