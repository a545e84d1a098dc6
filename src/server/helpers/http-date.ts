/**
 * HTTP-date (RFC 9110 §5.6.7): senders use IMF-fixdate; recipients must also
 * accept the obsolete RFC 850 and asctime forms. All three are UTC, which
 * Date.parse would not assume for asctime, hence this parser.
 */

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const DAY = '(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)';
const LONG_DAY = '(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)';
const MONTH = `(${MONTHS.join('|')})`;
const TIME = '(\\d{2}):(\\d{2}):(\\d{2})';

// Sun, 06 Nov 1994 08:49:37 GMT
const IMF_FIXDATE = new RegExp(`^${DAY}, (\\d{2}) ${MONTH} (\\d{4}) ${TIME} GMT$`);
// Sunday, 06-Nov-94 08:49:37 GMT
const RFC850 = new RegExp(`^${LONG_DAY}, (\\d{2})-${MONTH}-(\\d{2}) ${TIME} GMT$`);
// Sun Nov  6 08:49:37 1994
const ASCTIME = new RegExp(`^${DAY} ${MONTH} ([ \\d]\\d) ${TIME} (\\d{4})$`);

function utc(year: number, month: string, day: number, h: string, m: string, s: string): number | undefined {
  const hours = Number(h);
  const minutes = Number(m);
  const seconds = Number(s);
  // RFC 9110 §5.6.7 allows second 60 (leap second); the rest must be a real time.
  if (hours > 23 || minutes > 59 || seconds > 60 || day < 1 || day > 31) return undefined;
  const ms = Date.UTC(year, MONTHS.indexOf(month), day, hours, minutes, seconds);
  // Reject dates such as 31 Feb that Date.UTC would roll over into March.
  return new Date(ms).getUTCDate() === day || seconds === 60 ? ms : undefined;
}

/**
 * Parses an HTTP-date into ms since the epoch, or undefined when the value is
 * not one (callers then ignore the field, as RFC 9110 §13.1.3/§13.1.4 require).
 * `now` resolves the two-digit years of RFC 850 dates.
 */
export function parseHttpDate(value: string | undefined, now = Date.now()): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  let m = IMF_FIXDATE.exec(text);
  if (m) return utc(Number(m[3]), m[2] as string, Number(m[1]), m[4] as string, m[5] as string, m[6] as string);
  m = ASCTIME.exec(text);
  if (m)
    return utc(
      Number(m[6]),
      m[1] as string,
      Number((m[2] as string).trim()),
      m[3] as string,
      m[4] as string,
      m[5] as string,
    );
  m = RFC850.exec(text);
  if (m) {
    // RFC 9110 §5.6.7: a two-digit year more than 50 years in the future is the
    // most recent past year with the same last two digits.
    const thisYear = new Date(now).getUTCFullYear();
    let year = Math.floor(thisYear / 100) * 100 + Number(m[3]);
    if (year > thisYear + 50) year -= 100;
    return utc(year, m[2] as string, Number(m[1]), m[4] as string, m[5] as string, m[6] as string);
  }
  return undefined;
}

/** Formats ms since the epoch as IMF-fixdate, the form senders must use (RFC 9110 §5.6.7). */
export function formatHttpDate(ms: number): string {
  return new Date(ms).toUTCString();
}

/** Truncates to whole seconds: HTTP-dates carry no finer precision (RFC 9110 §8.8.2). */
export function toHttpSeconds(ms: number): number {
  return Math.floor(ms / 1000) * 1000;
}
