/**
 * The dashboard page: one HTML document and one script, shipped in the package (no CDN, no
 * framework: the page is small enough for DOM calls, and every value goes in through textContent,
 * never as markup). The script opens /events (Server-Sent Events) and redraws from each `state`
 * event. Outcomes read as words and symbols, colour only repeats them; charts are SVG with a text
 * summary, so the page is readable without colour and by a screen reader.
 */
export const PAGE_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Slipway dashboard</title>
<style>
body { font: 15px/1.45 system-ui, sans-serif; margin: 0 auto; max-width: 72rem; padding: 1rem; color: #1b1b1b; background: #fff; }
h1 { font-size: 1.5rem; margin: 0 0 .25rem; }
h2 { font-size: 1.25rem; border-bottom: 2px solid #1b1b1b; padding-bottom: .2rem; margin-top: 2rem; }
h3 { font-size: 1rem; margin: 1rem 0 .4rem; }
.tiles { display: grid; grid-template-columns: repeat(auto-fill, minmax(12rem, 1fr)); gap: .6rem; }
.tile { border: 1px solid #555; border-radius: 4px; padding: .5rem .7rem; }
.tile .value { font-size: 1.25rem; font-weight: 600; }
.tile .sample, .muted { color: #444; font-size: .875rem; }
ol.timeline { list-style: none; padding: 0; }
ol.timeline > li { border-left: 4px solid #555; padding: .3rem .7rem; margin: .5rem 0; }
ol.timeline > li.succeeded { border-color: #1a6b2f; }
ol.timeline > li.rolled-back, ol.timeline > li.failed, ol.timeline > li.aborted { border-color: #a4161a; border-left-style: double; border-left-width: 6px; }
.steps { font-size: .875rem; margin: .2rem 0 0; padding-left: 1.2rem; }
code { font-size: .875rem; }
svg text { font-size: 11px; fill: #1b1b1b; }
</style>
</head>
<body>
<header>
<h1 id="title">Slipway dashboard</h1>
<p id="status" class="muted" aria-live="polite">connecting…</p>
</header>
<main id="main"><noscript>This page draws its figures with JavaScript; <code>slipway history</code> and <code>slipway metrics</code> print the same data.</noscript></main>
<script src="app.js"></script>
</body>
</html>
`;

export const PAGE_SCRIPT = `'use strict';
(function () {
  var SYMBOL = { succeeded: '✓', 'rolled-back': '↩', failed: '✗', aborted: '■' };
  function el(tag, attrs) {
    var node = document.createElement(tag);
    for (var k in attrs || {}) node.setAttribute(k, attrs[k]);
    for (var i = 2; i < arguments.length; i++) {
      var c = arguments[i];
      if (c === null || c === undefined || c === false) continue;
      node.appendChild(typeof c === 'string' ? document.createTextNode(c) : c);
    }
    return node;
  }
  function svg(tag, attrs) {
    var node = document.createElementNS('http://www.w3.org/2000/svg', tag);
    for (var k in attrs) node.setAttribute(k, attrs[k]);
    return node;
  }
  function secs(s) {
    if (s === null || s === undefined) return 'no data';
    if (s < 1) return Math.round(s * 1000) + ' ms';
    if (s < 120) return (Math.round(s * 10) / 10) + ' s';
    if (s < 7200) return Math.round(s / 60) + ' min';
    if (s < 172800) return (Math.round(s / 360) / 10) + ' h';
    return (Math.round(s / 8640) / 10) + ' d';
  }
  function n(count, word) { return count + ' ' + word + (count === 1 ? '' : 's'); }
  function pct(r) { return r === null ? 'no data' : (Math.round(r * 1000) / 10) + '%'; }
  function when(iso) { return iso.replace('T', ' ').replace(/\\.\\d+Z$/, 'Z'); }
  function images(map) {
    return Object.keys(map).sort().map(function (k) { return k + '=' + map[k]; }).join(', ');
  }
  function tile(name, value, sample, tier) {
    return el('div', { class: 'tile', 'data-metric': name },
      el('div', { class: 'name' }, name),
      el('div', { class: 'value' }, value),
      el('div', { class: 'sample' }, sample + (tier ? ' · tier: ' + tier : '')));
  }
  function trendChart(env) {
    var w = 320, h = 90, bar = w / env.trend.length;
    var max = Math.max.apply(null, env.trend.map(function (t) { return t.deploys; }).concat([1]));
    var summary = env.trend.map(function (t) {
      return 'week to ' + t.weekEnding.slice(0, 10) + ': ' + t.deploys + ' deploys, ' + t.failed + ' failed';
    }).join('; ');
    var chart = svg('svg', { width: w, height: h + 16, role: 'img', 'aria-label': 'deploys per week, ' + summary });
    var defs = svg('defs', {});
    var pattern = svg('pattern', { id: 'hatch-' + env.environment, width: 4, height: 4, patternUnits: 'userSpaceOnUse' });
    pattern.appendChild(svg('path', { d: 'M0,4 L4,0', stroke: '#a4161a', 'stroke-width': 1.5 }));
    defs.appendChild(pattern);
    chart.appendChild(defs);
    env.trend.forEach(function (t, i) {
      var total = (t.deploys / max) * h, failed = (t.failed / max) * h;
      chart.appendChild(svg('rect', { x: i * bar + 2, y: h - total, width: bar - 4, height: total, fill: '#6c8ebf' }));
      chart.appendChild(svg('rect', { x: i * bar + 2, y: h - failed, width: bar - 4, height: failed, fill: 'url(#hatch-' + env.environment + ')', stroke: '#a4161a' }));
      var label = svg('text', { x: i * bar + bar / 2, y: h + 12, 'text-anchor': 'middle' });
      label.textContent = String(t.deploys);
      chart.appendChild(label);
    });
    return el('figure', { class: 'trend' }, chart,
      el('figcaption', { class: 'muted' }, 'Deploys per week, last ' + env.trend.length + ' weeks (hatched: failed). Numbers under the bars are deploys.'));
  }
  function timeline(env) {
    return el('ol', { class: 'timeline', 'aria-label': env.environment + ' releases, newest first' },
      ...env.timeline.map(function (r) {
        var outcome = r.outcome || 'pending';
        return el('li', { class: outcome, 'data-revision': String(r.revision), 'data-phase': r.phase },
          el('div', {},
            el('strong', {}, (SYMBOL[outcome] || '…') + ' revision ' + r.revision + ' ' + r.phase),
            ' · ' + r.strategy + ' · ' + images(r.images) + ' · started ' + when(r.startedAt) + ' · took ' + secs(r.durationSeconds),
            r.rollbackOf !== undefined ? ' · rollback to revision ' + r.rollbackOf : null),
          r.message ? el('div', { class: 'reason' }, 'Reason: ' + r.message.split('\\n')[0]) : null,
          el('ul', { class: 'steps', 'aria-label': 'steps' },
            ...r.steps.map(function (s) {
              return el('li', {}, s.step + ': ' + (s.outcome || 'running') +
                (s.durationSeconds !== undefined ? ' (' + secs(s.durationSeconds) + ')' : '') +
                (s.detail ? ' — ' + s.detail : ''));
            }),
            ...r.analysis.map(function (a) {
              return el('li', { class: 'analysis' }, 'analysis ' + a.name + ': ' + a.phase + (a.message ? ' — ' + a.message : ''));
            })));
      }));
  }
  function environment(env) {
    var m = env.metrics;
    var serving = env.serving
      ? el('p', { class: 'serving' }, 'Serving revision ' + env.serving.revision + ' (' + env.serving.strategy + '): ' +
          images(env.serving.images) + ', since ' + when(env.serving.since))
      : el('p', { class: 'serving' }, 'Nothing serves: no deployed release.');
    var workloads = env.workloads.length
      ? el('ul', { class: 'workloads' }, ...env.workloads.map(function (w) {
          return el('li', {}, w.kind + ' ' + w.name + ': ' + w.ready + ' of ' + w.desired + ' ready');
        }))
      : el('p', { class: 'workloads muted' }, 'No Deployment or StatefulSet of this app in the namespace.');
    return el('section', { 'data-env': env.environment, 'aria-labelledby': 'env-' + env.environment },
      el('h2', { id: 'env-' + env.environment }, env.environment + ' (namespace ' + env.namespace + ')'),
      serving, workloads,
      el('h3', {}, 'Delivery metrics, last ' + Math.round(m.window.days) + ' days'),
      el('div', { class: 'tiles' },
        tile('deployment frequency', (Math.round(m.deploymentFrequency.perDay * 100) / 100) + ' a day',
          n(m.deploymentFrequency.sampleSize, 'successful deploy'), m.deploymentFrequency.tier),
        tile('lead time', m.leadTime.medianSeconds === null ? 'no data' : 'median ' + secs(m.leadTime.medianSeconds) + ', p90 ' + secs(m.leadTime.p90Seconds),
          n(m.leadTime.sampleSize, 'commit'), m.leadTime.tier),
        tile('change failure rate', pct(m.changeFailureRate.ratio),
          m.changeFailureRate.failed + ' of ' + n(m.changeFailureRate.sampleSize, 'deploy'), m.changeFailureRate.tier),
        tile('recovery time', m.recoveryTime.medianSeconds === null ? 'no data' : 'median ' + secs(m.recoveryTime.medianSeconds),
          m.recoveryTime.sampleSize + ' recovered, ' + m.recoveryTime.unrecovered + ' not yet', m.recoveryTime.tier),
        tile('rework rate', pct(m.reworkRate.ratio), m.reworkRate.rework + ' of ' + n(m.reworkRate.sampleSize, 'deploy'), null)),
      trendChart(env),
      el('h3', {}, 'Releases'),
      timeline(env));
  }
  function differences(view) {
    if (!view.differences.length) return null;
    return el('section', { 'aria-labelledby': 'compare' },
      el('h2', { id: 'compare' }, 'Between environments'),
      el('ul', {}, ...view.differences.map(function (d) {
        if (!d.services.length) return el('li', {}, d.ahead + ' and ' + d.behind + ' serve the same images.');
        return el('li', {},
          el('a', { href: '#env-' + d.ahead }, d.ahead), ' has what ', el('a', { href: '#env-' + d.behind }, d.behind),
          ' has not: ' + d.services.map(function (s) {
            return s.service + ' ' + (s.ahead || 'absent') + ' (' + d.behind + ': ' + (s.behind || 'absent') + ')';
          }).join('; '));
      })));
  }
  function draw(view) {
    document.title = view.app + ': Slipway dashboard';
    document.getElementById('title').textContent = view.app + ': deploys';
    var main = document.getElementById('main');
    main.replaceChildren.apply(main, [differences(view)].concat(view.environments.map(environment)).filter(Boolean));
    document.getElementById('status').textContent = 'live · updated ' + when(view.generatedAt) + ' · tiers: ' + view.tierReport;
    window.__slipwayDrawn = (window.__slipwayDrawn || 0) + 1;
  }
  var source = new EventSource('events');
  source.addEventListener('state', function (e) { draw(JSON.parse(e.data)); });
  source.onerror = function () { document.getElementById('status').textContent = 'disconnected: retrying…'; };
})();
`;
