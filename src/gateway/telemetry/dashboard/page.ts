/**
 * The dashboard page: one HTML document, its style sheet and its script,
 * served from the admin port itself (no CDN; works offline). The time line
 * is hand-written SVG; everything else is semantic HTML tables.
 */
export { SCRIPT } from './script.ts';

export const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>statuskit gateway dashboard</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/dashboard/app.css">
<script src="/dashboard/app.js" defer></script>
</head>
<body>
<a class="skip" href="#routes">Skip to routes</a>
<header>
  <h1>statuskit gateway <span id="profile"></span></h1>
  <p id="conn" role="status" aria-live="polite">Connecting…</p>
  <p id="summary"></p>
  <button type="button" id="theme" aria-pressed="false">Dark theme</button>
</header>
<main>
  <section aria-labelledby="routes-h" id="routes">
    <h2 id="routes-h">Routes <small>last minute</small></h2>
    <div class="scroll"><table id="route-table">
      <caption>Requests per second (last 5 s), answers by status class, latency percentiles and who failed, per route.</caption>
      <thead><tr>
        <th scope="col">Route</th><th scope="col">req/s</th>
        <th scope="col">2xx</th><th scope="col">3xx</th><th scope="col">4xx</th><th scope="col">5xx</th>
        <th scope="col">p50</th><th scope="col">p95</th><th scope="col">p99</th>
        <th scope="col">Client (4xx)</th><th scope="col">Gateway</th><th scope="col">Upstream</th>
      </tr></thead>
      <tbody></tbody>
    </table></div>
  </section>
  <section aria-labelledby="timeline-h">
    <h2 id="timeline-h">Code mix <small>last 15 minutes, 10 s bars</small></h2>
    <figure>
      <svg id="timeline" viewBox="0 0 900 175" role="img" aria-labelledby="timeline-desc" preserveAspectRatio="none"></svg>
      <div class="axis" aria-hidden="true"><span>−15 min</span><span>−10 min</span><span>−5 min</span><span>now</span></div>
      <figcaption><span id="timeline-desc"></span> <span id="timeline-max"></span></figcaption>
    </figure>
    <ul class="legend">
      <li><span class="swatch c2"></span>2xx</li><li><span class="swatch c3"></span>3xx</li>
      <li><span class="swatch c4"></span>4xx</li><li><span class="swatch c5"></span>5xx</li>
    </ul>
  </section>
  <section aria-labelledby="details-h">
    <h2 id="details-h">Codes, causes and targets <small>per route, last minute</small></h2>
    <div id="route-details"></div>
  </section>
  <section aria-labelledby="errors-h">
    <h2 id="errors-h">Latest error answers</h2>
    <div class="scroll"><table id="error-table">
      <caption>The latest error answers; a request id shows that request's access-log fields.</caption>
      <thead><tr>
        <th scope="col">Time</th><th scope="col">Route</th><th scope="col">Code</th>
        <th scope="col">error_code</th><th scope="col">Request id</th>
      </tr></thead>
      <tbody></tbody>
    </table></div>
    <section id="access" aria-labelledby="access-h" tabindex="-1" hidden>
      <h3 id="access-h">Access line</h3>
      <dl id="access-fields"></dl>
      <button type="button" id="access-close">Close</button>
    </section>
  </section>
</main>
</body>
</html>
`;

export const STYLE = `
:root { --bg: #fff; --fg: #1b1f24; --muted: #57606a; --line: #d0d7de; --card: #f6f8fa;
  --c2: #1a7f37; --c3: #0969da; --c4: #9a6700; --c5: #cf222e; --focus: #0969da; color-scheme: light; }
:root[data-theme="dark"] { --bg: #0d1117; --fg: #e6edf3; --muted: #9198a1; --line: #30363d; --card: #161b22;
  --c2: #3fb950; --c3: #58a6ff; --c4: #d29922; --c5: #f85149; --focus: #58a6ff; color-scheme: dark; }
@media (prefers-color-scheme: dark) {
  :root:not([data-theme="light"]) { --bg: #0d1117; --fg: #e6edf3; --muted: #9198a1; --line: #30363d; --card: #161b22;
    --c2: #3fb950; --c3: #58a6ff; --c4: #d29922; --c5: #f85149; --focus: #58a6ff; color-scheme: dark; }
}
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--fg); font: 15px/1.45 system-ui, sans-serif; }
header { display: flex; flex-wrap: wrap; gap: .5rem 1.25rem; align-items: center; padding: .75rem 1rem;
  border-bottom: 1px solid var(--line); background: var(--card); }
h1 { font-size: 1.2rem; margin: 0; } h1 span { color: var(--muted); font-weight: normal; }
h2 { font-size: 1.05rem; margin: 1.25rem 0 .5rem; } h2 small, h3 small { color: var(--muted); font-weight: normal; }
h3 { font-size: .95rem; margin: 1rem 0 .35rem; }
header p { margin: 0; color: var(--muted); }
#conn.live::before { content: "● "; color: var(--c2); } #conn.down::before { content: "● "; color: var(--c5); }
main { padding: 0 1rem 2rem; max-width: 1400px; margin: 0 auto; }
button { font: inherit; color: var(--fg); background: var(--bg); border: 1px solid var(--line); border-radius: 6px;
  padding: .25rem .7rem; cursor: pointer; }
#theme { margin-left: auto; }
button.link { border: 0; padding: 0; background: none; color: var(--c3); text-decoration: underline;
  font-family: ui-monospace, monospace; font-size: .85em; }
:focus-visible { outline: 3px solid var(--focus); outline-offset: 2px; }
.skip { position: absolute; left: -999px; } .skip:focus { left: 1rem; top: .5rem; background: var(--bg); padding: .25rem; }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
caption { text-align: left; color: var(--muted); font-size: .85rem; padding-bottom: .25rem; max-width: calc(100vw - 2rem); }
th, td { text-align: right; padding: .3rem .55rem; border-bottom: 1px solid var(--line); white-space: nowrap; }
th:first-child, td:first-child, td.text, th.text, #error-table th, #error-table td { text-align: left; }
thead th { font-size: .8rem; color: var(--muted); font-weight: 600; }
tbody th { font-weight: 600; text-align: left; }
.k2 { color: var(--c2); } .k3 { color: var(--c3); } .k4 { color: var(--c4); } .k5 { color: var(--c5); }
.code { font-weight: 700; }
.details { display: grid; grid-template-columns: repeat(auto-fit, minmax(360px, 1fr)); gap: .5rem 1.5rem; }
.details > * { min-width: 0; }
.route-card { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: .25rem .75rem .75rem; }
.route-card td, .route-card th { font-size: .9rem; }
.route-card td.text { white-space: normal; min-width: 8rem; }
.none { color: var(--muted); }
figure { margin: 0; }
#timeline { width: 100%; height: 180px; background: var(--card); border: 1px solid var(--line); border-radius: 6px; }
#timeline .c2, .swatch.c2 { fill: var(--c2); background: var(--c2); } #timeline .c3, .swatch.c3 { fill: var(--c3); background: var(--c3); }
#timeline .c4, .swatch.c4 { fill: var(--c4); background: var(--c4); } #timeline .c5, .swatch.c5 { fill: var(--c5); background: var(--c5); }
.axis { display: flex; justify-content: space-between; color: var(--muted); font-size: .75rem; }
#timeline line { stroke: var(--line); }
figcaption { color: var(--muted); font-size: .85rem; }
.legend { display: flex; gap: 1rem; list-style: none; padding: 0; margin: .35rem 0; font-size: .85rem; }
.swatch { display: inline-block; width: .8rem; height: .8rem; border-radius: 2px; margin-right: .3rem; vertical-align: -1px; }
#access { margin-top: .75rem; background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: .25rem 1rem .75rem; }
#access dl { display: grid; grid-template-columns: max-content 1fr; gap: .15rem 1rem; font-family: ui-monospace, monospace; font-size: .85rem; }
#access dt { color: var(--muted); } #access dd { margin: 0; word-break: break-all; }
@media (max-width: 600px) {
  body { font-size: 14px; } main { padding: 0 .5rem 1.5rem; }
  .details { grid-template-columns: minmax(0, 1fr); }
  header { padding: .5rem; }
  th, td { padding: .25rem .35rem; }
  #timeline { height: 140px; }
}
`;
