/**
 * The page's script (plain browser JavaScript, no build step): reads the
 * event stream, keeps the last 15 minutes of the code mix, and redraws the
 * tables and the SVG time line once a second. Text from requests (paths,
 * ids) only ever goes in through textContent.
 */
export const SCRIPT = String.raw`'use strict';
(function () {
  var WINDOW = 900, BAR = 10, SVG = 'http://www.w3.org/2000/svg';
  var meta = null, tick = null, timeline = new Map(), seenCodes = new Set(), lastErrors = '', announced = 0;
  var $ = function (id) { return document.getElementById(id); };

  function h(tag, attrs, kids) {
    var el = document.createElement(tag);
    for (var k in attrs || {}) if (attrs[k] !== undefined && attrs[k] !== null) el.setAttribute(k, attrs[k]);
    (kids || []).forEach(function (c) { el.append(c instanceof Node ? c : document.createTextNode(String(c))); });
    return el;
  }
  function cls(code) { return 'k' + String(code).charAt(0); }
  function name(code) { var e = meta && meta.catalog[code]; return e ? e.name : 'outside the contract'; }
  function reason(code) { var e = meta && meta.catalog[code]; return e && e.reason.replace(/\W/g, '').toLowerCase() !== e.name.replace(/\W/g, '').toLowerCase() ? e.reason : ''; }
  function guidance(code) { var e = meta && meta.catalog[code]; return e ? e.guidance : ''; }
  function ms(v) { return v === null ? '–' : v < 10 ? v.toFixed(2) + ' ms' : v < 1000 ? Math.round(v) + ' ms' : (v / 1000).toFixed(2) + ' s'; }
  function total(o) { var n = 0; for (var k in o) n += o[k]; return n; }
  function byClass(codes) {
    var c = { 2: 0, 3: 0, 4: 0, 5: 0 };
    for (var k in codes) { var d = k.charAt(0); if (d in c) c[d] += codes[k]; }
    return c;
  }

  // Theme: the system's by default; the toggle's choice is kept.
  function applyTheme(t) {
    var root = document.documentElement;
    if (t) root.setAttribute('data-theme', t); else root.removeAttribute('data-theme');
    var dark = t ? t === 'dark' : matchMedia('(prefers-color-scheme: dark)').matches;
    $('theme').setAttribute('aria-pressed', String(dark));
  }
  var stored = null;
  try { stored = localStorage.getItem('statuskit-theme'); } catch (e) {}
  applyTheme(stored);
  $('theme').addEventListener('click', function () {
    var dark = $('theme').getAttribute('aria-pressed') === 'true';
    var next = dark ? 'light' : 'dark';
    try { localStorage.setItem('statuskit-theme', next); } catch (e) {}
    applyTheme(next);
  });

  // A token given in the address went into a cookie; it need not stay in the address bar.
  if (location.search.indexOf('token=') >= 0) history.replaceState(null, '', location.pathname);

  function renderRoutes() {
    var body = $('route-table').tBodies[0];
    var rows = tick.routes.map(function (r) {
      var c = byClass(r.codes);
      return h('tr', { 'data-route': r.route }, [
        h('th', { scope: 'row' }, [r.route]), h('td', {}, [r.rps]),
        h('td', { class: 'k2' }, [c[2]]), h('td', { class: 'k3' }, [c[3]]),
        h('td', { class: 'k4' }, [c[4]]), h('td', { class: 'k5' }, [c[5]]),
        h('td', {}, [ms(r.p50)]), h('td', {}, [ms(r.p95)]), h('td', {}, [ms(r.p99)]),
        h('td', {}, [r.sides.client]), h('td', {}, [r.sides.gateway]), h('td', {}, [r.sides.upstream])
      ]);
    });
    body.replaceChildren.apply(body, rows);
    var cards = tick.routes.map(function (r, i) {
      var codes = Object.keys(r.codes).sort();
      var codeRows = codes.length ? codes.map(function (code) {
        return h('tr', { 'data-code': code }, [
          h('th', { scope: 'row', class: 'code ' + cls(code) }, [code]), h('td', { class: 'text', title: meta && meta.catalog[code] ? meta.catalog[code].action : '' }, [name(code), reason(code) ? h('small', { class: 'none' }, [' · ' + reason(code)]) : '']),
          h('td', {}, [r.codes[code]]), h('td', { class: 'text' }, [guidance(code)])
        ]);
      }) : [h('tr', {}, [h('td', { colspan: 4, class: 'none' }, ['No answers in the last minute.'])])];
      var causes = Object.keys(r.causes).sort();
      var targets = r.targets.map(function (t) {
        var states = Object.keys(t.states).map(function (s) { return s + (tick.processes.length > 1 ? ' ×' + t.states[s] : ''); });
        var n = total(t.states);
        return h('tr', {}, [h('th', { scope: 'row', class: 'text' }, [t.target]),
          h('td', { class: t.healthy === n ? 'k2' : 'k5' }, [t.healthy === n ? 'healthy' : 'unhealthy' + (n > 1 ? ' (' + (n - t.healthy) + ' of ' + n + ' workers)' : '')]),
          h('td', { class: t.states.open ? 'k5' : t.states['half-open'] ? 'k4' : 'k2' }, [states.join(', ')])]);
      });
      var id = 'route-' + i;
      return h('section', { class: 'route-card', 'aria-labelledby': id }, [
        h('h3', { id: id }, [r.route + ' ', h('small', {}, [r.rps + ' req/s'])]),
        h('div', { class: 'scroll' }, [h('table', {}, [
          h('caption', {}, ['Answers by code: the profile\'s name, and what a client should do.']),
          h('thead', {}, [h('tr', {}, [h('th', { scope: 'col' }, ['Code']), h('th', { scope: 'col', class: 'text' }, ['Name']),
            h('th', { scope: 'col' }, ['Count']), h('th', { scope: 'col', class: 'text' }, ['Guidance'])])]),
          h('tbody', {}, codeRows)])]),
        causes.length ? h('p', {}, ['429/503 causes: ' + causes.map(function (k) { return k + ' ×' + r.causes[k]; }).join(', ')]) : '',
        targets.length ? h('div', { class: 'scroll' }, [h('table', {}, [
          h('caption', {}, ['Upstream targets']),
          h('thead', {}, [h('tr', {}, [h('th', { scope: 'col' }, ['Target']), h('th', { scope: 'col' }, ['Health']),
            h('th', { scope: 'col' }, ['Breaker'])])]),
          h('tbody', {}, targets)])]) : ''
      ]);
    });
    $('route-details').replaceChildren(h('div', { class: 'details' }, cards));
  }

  function renderTimeline() {
    var svg = $('timeline'), end = tick ? tick.t : Math.floor(Date.now() / 1000) - 1;
    var bars = WINDOW / BAR, buckets = [], max = 0, sums = { 2: 0, 3: 0, 4: 0, 5: 0 };
    for (var b = 0; b < bars; b++) {
      var c = { 2: 0, 3: 0, 4: 0, 5: 0 };
      for (var s = 0; s < BAR; s++) {
        var codes = timeline.get(end - WINDOW + 1 + b * BAR + s);
        if (!codes) continue;
        var k = byClass(codes);
        for (var d in c) { c[d] += k[d]; sums[d] += k[d]; }
      }
      buckets.push(c);
      max = Math.max(max, c[2] + c[3] + c[4] + c[5]);
    }
    var kids = [];
    [0.5, 1].forEach(function (f) { kids.push(el('line', { x1: 0, x2: 900, y1: 170 - 160 * f, y2: 170 - 160 * f })); });
    buckets.forEach(function (c, i) {
      var y = 170;
      ['2', '3', '4', '5'].forEach(function (d) {
        if (!c[d]) return;
        var hgt = max ? (160 * c[d]) / max : 0;
        y -= hgt;
        kids.push(el('rect', { x: i * BAR + 1, y: y, width: BAR - 2, height: hgt, class: 'c' + d }));
      });
    });
    svg.replaceChildren.apply(svg, kids);
    $('timeline-max').textContent = max ? 'Top line: ' + max + ' answers per 10 s' : 'no answers yet';
    $('timeline-desc').textContent = 'Answers in the last 15 minutes: ' + sums[2] + ' 2xx, ' + sums[3] + ' 3xx, ' +
      sums[4] + ' 4xx, ' + sums[5] + ' 5xx.';
  }
  function el(tag, attrs) {
    var e = document.createElementNS(SVG, tag);
    for (var k in attrs) e.setAttribute(k, attrs[k]);
    return e;
  }

  function renderErrors() {
    var key = tick.errors.map(function (e) { return e.request_id + e.time; }).join();
    if (key === lastErrors) return; // unchanged: keep the rows (and the focus) as they are
    lastErrors = key;
    var focused = document.activeElement && document.activeElement.getAttribute('data-id');
    var body = $('error-table').tBodies[0];
    var rows = tick.errors.map(function (e) {
      var btn = h('button', { type: 'button', class: 'link', 'data-id': e.request_id, 'aria-controls': 'access' }, [e.request_id]);
      btn.addEventListener('click', function () { showAccess(e); });
      return h('tr', {}, [h('td', {}, [new Date(e.time).toLocaleTimeString()]), h('td', { class: 'text' }, [e.route]),
        h('td', { class: 'code ' + cls(e.status), title: name(e.status) }, [e.status + ' ' + name(e.status)]),
        h('td', { class: 'text' }, [e.error_code || '–']), h('td', { class: 'text' }, [btn])]);
    });
    if (!rows.length) rows = [h('tr', {}, [h('td', { colspan: 5, class: 'none' }, ['No error answers in the last 15 minutes.'])])];
    body.replaceChildren.apply(body, rows);
    if (focused) { var again = body.querySelector('[data-id="' + CSS.escape(focused) + '"]'); if (again) again.focus(); }
  }
  function showAccess(e) {
    var fields = ['time', 'request_id', 'client', 'method', 'path', 'route', 'status', 'duration_ms', 'upstream', 'limit', 'user_agent', 'error_code', 'cause', 'side'];
    var dl = $('access-fields');
    dl.replaceChildren.apply(dl, fields.flatMap(function (f) {
      var v = f === 'time' ? e.time + ' (' + new Date(e.time).toISOString() + ')' : e[f];
      return v === undefined || v === null ? [] : [h('dt', {}, [f]), h('dd', {}, [v])];
    }));
    $('access-h').textContent = 'Access line of ' + e.request_id;
    $('access').hidden = false;
    $('access').focus();
  }
  $('access-close').addEventListener('click', function () { $('access').hidden = true; });

  function renderSummary() {
    var n = tick.processes.length;
    $('summary').textContent = (n > 1 ? n + ' workers · ' : '') + tick.inFlight + ' in flight' + (tick.draining ? ' · draining' : '');
    // Announced sparingly: only a code not seen before, at most every 10 s.
    var fresh = [];
    tick.routes.forEach(function (r) { Object.keys(r.codes).forEach(function (c) { if (!seenCodes.has(c)) { seenCodes.add(c); fresh.push(c + ' ' + name(c)); } }); });
    if (fresh.length && Date.now() - announced > 10000 && announced) $('conn').textContent = 'Live. New: ' + fresh.join(', ');
    announced = announced || Date.now();
  }

  var es = new EventSource('/dashboard/events');
  es.addEventListener('open', function () { $('conn').textContent = 'Live'; $('conn').className = 'live'; });
  es.addEventListener('error', function () { $('conn').textContent = 'Reconnecting…'; $('conn').className = 'down'; });
  es.addEventListener('meta', function (m) {
    var next = JSON.parse(m.data);
    if (meta && meta.started !== next.started) { timeline.clear(); seenCodes.clear(); } // the gateway restarted
    meta = next;
    $('profile').textContent = '· ' + meta.profile + ' (' + meta.title + ')';
  });
  es.addEventListener('history', function (m) {
    JSON.parse(m.data).forEach(function (s) { timeline.set(s.t, s.codes); });
    renderTimeline();
  });
  es.addEventListener('tick', function (m) {
    tick = JSON.parse(m.data);
    tick.timeline.forEach(function (s) { timeline.set(s.t, s.codes); });
    timeline.forEach(function (_v, t) { if (t <= tick.t - WINDOW) timeline.delete(t); });
    document.body.setAttribute('data-tick', String(tick.t));
    renderRoutes(); renderTimeline(); renderErrors(); renderSummary();
  });
})();
`;
