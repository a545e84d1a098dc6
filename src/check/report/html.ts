import type { CheckResult, ProbeResult } from '../types.ts';
import { transcript } from './junit.ts';
import { summaryLine } from './text.ts';

function html(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

const STYLE = `
body{font:14px/1.45 system-ui,sans-serif;margin:2rem;color:#1b1f24}
h1{font-size:1.3rem}table{border-collapse:collapse;width:100%}
th,td{text-align:left;padding:.35rem .6rem;border-bottom:1px solid #d8dee4;vertical-align:top}
.pass{color:#116329}.fail{color:#a40e26;font-weight:600}.na{color:#6e7781}
details pre{background:#f6f8fa;padding:.6rem;overflow:auto;white-space:pre-wrap;word-break:break-all}
code{font-size:.95em}`;

function row(p: ProbeResult): string {
  const cls = p.verdict === 'n/a' ? 'na' : p.verdict;
  const detail =
    p.verdict === 'n/a'
      ? ''
      : `<details><summary>checks and exchanges</summary><pre>${html(transcript(p))}</pre></details>`;
  return `<tr><td><code>${html(p.id)}</code></td><td>${p.code}</td><td class="${cls}">${p.verdict}</td><td>${html(p.title)}<br><span class="${cls}">${html(p.reason)}</span>${detail}</td></tr>`;
}

function contractRows(result: CheckResult): string {
  return result.contract
    .map((c) => {
      const cls = c.verdict === 'pass' ? 'pass' : c.verdict === 'fail' ? 'fail' : 'na';
      const ids = c.probes.map((id) => `<code>${html(id)}</code>`).join(' ');
      return `<tr><td>${c.code}</td><td>${html(c.name)}</td><td class="${cls}">${c.verdict}</td><td>${ids}</td></tr>`;
    })
    .join('\n');
}

/** A self-contained HTML page (inline style, no script, no external resource). */
export function formatHtml(result: CheckResult): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>statuskit check ${html(result.url)}</title><style>${STYLE}</style></head>
<body><h1>statuskit check <code>${html(result.url)}</code></h1>
<p>Profile <b>${result.profile}</b> · target: ${result.targetSource} · started ${html(result.startedAt)} · ${result.durationMs} ms</p>
<p><b>${html(summaryLine(result))}</b></p>
<table><thead><tr><th>probe</th><th>code</th><th>verdict</th><th>what, and why</th></tr></thead><tbody>
${result.probes.map(row).join('\n')}
</tbody></table>
<h2>The contract, line by line</h2>
<table><thead><tr><th>code</th><th>name</th><th>verdict</th><th>probes</th></tr></thead><tbody>
${contractRows(result)}
</tbody></table></body></html>
`;
}
