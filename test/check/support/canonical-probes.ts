/** The probes of issue 14 (Host, request-target forms and bytes, the path, an empty Transfer-Encoding), for --only. */
export const CANONICAL_PROBES = [
  '400-host',
  '400-asterisk-get',
  '400-target',
  '400-dot-climb',
  '400-percent',
  '400-te-empty',
  '200-absolute-form',
  '200-dot-segments',
  '401-path',
] as const;
