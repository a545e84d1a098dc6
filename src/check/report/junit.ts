import type { CheckResult, ProbeResult } from '../types.ts';
import { summaryLine } from './text.ts';

/** XML 1.0 text: the five predefined entities, and no characters XML cannot carry. */
export function xml(text: string): string {
  return text
    .replace(/[^\x09\x0a\x0d\x20-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]/gu, '\ufffd')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

/** What the probe sent and saw, for the failure's body. */
export function transcript(p: ProbeResult): string {
  const lines: string[] = [];
  for (const c of p.checks) lines.push(`${c.ok ? 'ok  ' : 'FAIL'} ${c.name}: ${c.detail}`);
  for (const e of p.exchanges) {
    lines.push('', '> request', e.request.trimEnd());
    for (const r of [...e.interim, ...(e.response ? [e.response] : [])]) {
      lines.push('< response', r.statusLine, ...r.headers.map(([n, v]) => `${n}: ${v}`));
      if (r.bodyBytes) lines.push('', r.bodyPreview);
    }
    if (e.error) lines.push(`< ${e.error}`);
  }
  return lines.join('\n');
}

function testcase(p: ProbeResult): string {
  const open = `    <testcase classname="contract.${p.code}" name="${xml(`${p.id}: ${p.title}`)}">`;
  if (p.verdict === 'pass') return `${open}</testcase>`;
  if (p.verdict === 'n/a') return `${open}<skipped message="${xml(p.reason)}"/></testcase>`;
  return `${open}\n      <failure message="${xml(p.reason)}" type="contract">${xml(transcript(p))}</failure>\n    </testcase>`;
}

/** JUnit XML for CI: one testcase per probe, not-applicable ones as skipped. */
export function formatJunit(result: CheckResult): string {
  const s = result.summary;
  const total = s.passed + s.failed + s.notApplicable;
  const name = xml(`statuskit check ${result.url} (${result.profile})`);
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="statuskit check" tests="${total}" failures="${s.failed}" skipped="${s.notApplicable}" time="${(result.durationMs / 1000).toFixed(3)}">`,
    `  <testsuite name="${name}" tests="${total}" failures="${s.failed}" skipped="${s.notApplicable}" errors="0" timestamp="${result.startedAt}" time="${(result.durationMs / 1000).toFixed(3)}">`,
    `    <properties><property name="summary" value="${xml(summaryLine(result))}"/></properties>`,
    ...result.probes.map(testcase),
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}
