import type { CheckResult, Verdict } from '../types.ts';

const MARK: Record<Verdict, string> = { pass: 'pass', fail: 'FAIL', 'n/a': 'n/a' };
const VERDICT = 'VERDICT';

/** `N passed, N failed, N not applicable`: the summary every format ends with. */
export function summaryLine(result: CheckResult): string {
  const s = result.summary;
  return `${s.passed} passed, ${s.failed} failed, ${s.notApplicable} not applicable`;
}

function clip(text: string, width: number): string {
  const one = text.replace(/\s+/g, ' ');
  return one.length <= width ? one : `${one.slice(0, Math.max(0, width - 1))}…`;
}

/**
 * The terminal table: one row per probe (id, code, verdict, one-line reason),
 * sized to fit one screen of `width` columns, then the summary line.
 */
export function formatText(result: CheckResult, width = 120): string {
  const idWidth = Math.max(2, ...result.probes.map((p) => p.id.length));
  const fixed = idWidth + 2 + 4 + 2 + VERDICT.length + 2;
  const rows = result.probes.map(
    (p) =>
      `${p.id.padEnd(idWidth)}  ${String(p.code).padEnd(4)}  ${MARK[p.verdict].padEnd(VERDICT.length)}  ${clip(p.reason, width - fixed)}`,
  );
  const source = {
    file: 'target file',
    'well-known': 'described by the server',
    none: 'none: path-independent probes only',
  };
  return [
    `statuskit check ${result.url}  ·  profile ${result.profile}  ·  target: ${source[result.targetSource]}`,
    '',
    `${'ID'.padEnd(idWidth)}  CODE  ${VERDICT}  REASON`,
    ...rows,
    '',
    `Contract codes not probed: ${result.contract
      .filter((c) => c.verdict === 'not probed')
      .map((c) => c.code)
      .join(' ')}`,
    summaryLine(result),
    '',
  ].join('\n');
}

/** The whole result as JSON: every request sent and every status line and header observed. */
export function formatJson(result: CheckResult): string {
  return `${JSON.stringify(result, null, 2)}\n`;
}
