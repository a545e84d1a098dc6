// RFC 9110 §5.6.7 asctime-date, e.g. "Sun Nov  6 08:49:37 1994".
const ASCTIME = /^[A-Za-z]{3} [A-Za-z]{3} [ \d]\d \d\d:\d\d:\d\d \d{4}$/;

/**
 * Retry-After as milliseconds from `now` (RFC 9110 §10.2.3: HTTP-date or
 * delay-seconds). Undefined when absent or malformed: a value the client
 * cannot read is treated as no value, so 413/503 are then not retried.
 */
export function retryAfterMs(value: string | null, now: number): number | undefined {
  if (value === null) return undefined;
  const text = value.trim();
  // RFC 9110 §10.2.3: delay-seconds = 1*DIGIT
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  // RFC 9110 §5.6.7: IMF-fixdate, plus the obsolete RFC 850 and asctime forms, which Date.parse reads.
  if (!/^[A-Za-z]{3}/.test(text)) return undefined;
  // asctime carries no zone but means GMT; Date.parse would read it as local time.
  const at = Date.parse(ASCTIME.test(text) ? `${text} GMT` : text);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now);
}
