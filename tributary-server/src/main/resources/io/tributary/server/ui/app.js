'use strict';
// Tributary's web UI: plain JavaScript over the REST API, charts drawn as inline SVG, no external files.
(function () {
  const POLL_MS = 3000;
  const LAYERS = ['bronze', 'silver', 'history', 'gold'];
  const COLORS = { source: 'var(--source)', bronze: 'var(--bronze)', silver: 'var(--silver)', history: 'var(--history)',
    gold: 'var(--gold)', errors: 'var(--errors)' };
  const view = document.getElementById('view');
  let timer = null;
  let renderId = 0;

  // ---------- helpers ----------
  function esc(value) {
    return String(value === null || value === undefined ? '' : value)
      .replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
  }
  function num(value) { return value === null || value === undefined ? '–' : Number(value).toLocaleString('en-US'); }
  function bytes(value) {
    if (value === null || value === undefined) return '–';
    const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
    let v = Number(value), i = 0;
    while (v >= 1024 && i < units.length - 1) { v /= 1024; i++; }
    return (i === 0 ? v : v.toFixed(1)) + ' ' + units[i];
  }
  function seconds(value) {
    if (value === null || value === undefined) return '–';
    const s = Number(value);
    if (s < 1) return Math.round(s * 1000) + ' ms';
    if (s < 10) return s.toFixed(1) + ' s';
    if (s < 90) return Math.round(s) + ' s';
    if (s < 5400) return Math.round(s / 60) + ' min';
    if (s < 172800) return (s / 3600).toFixed(1) + ' h';
    return Math.round(s / 86400) + ' d';
  }
  function ago(iso) {
    if (!iso) return '–';
    return seconds(Math.max(0, (Date.now() - Date.parse(iso)) / 1000)) + ' ago';
  }
  function time(iso) { return iso ? new Date(iso).toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z') : '–'; }
  function stateClass(state) {
    return { running: 'ok', succeeded: 'ok', stopped: 'warn', stopping: 'warn', skipped: 'warn', created: 'warn',
      failed: 'bad', unknown: 'warn' }[state] || '';
  }
  function pill(text, cls) { return '<span class="pill ' + (cls || stateClass(text)) + '">' + esc(text) + '</span>'; }
  function layerDot(layer) { return '<span class="layer" style="background:' + (COLORS[layer] || '#999') + '"></span>'; }
  function tableLink(name) { return '<a href="#/table/' + encodeURIComponent(name) + '">' + esc(name) + '</a>'; }
  function freshnessClass(s) { return s === null || s === undefined ? '' : s < 60 ? 'ok' : s < 600 ? 'warn' : 'bad'; }

  function token() { return sessionStorage.getItem('tributary.token'); }
  let tokenWaiters = [];
  function askToken() {
    return new Promise(resolve => {
      tokenWaiters.push(resolve);
      document.getElementById('token-dialog').hidden = false;
      document.getElementById('token-input').focus();
    });
  }
  document.getElementById('token-form').addEventListener('submit', event => {
    event.preventDefault();
    sessionStorage.setItem('tributary.token', document.getElementById('token-input').value);
    document.getElementById('token-dialog').hidden = true;
    const waiters = tokenWaiters; tokenWaiters = [];
    waiters.forEach(resolve => resolve());
  });

  async function api(path, options) {
    for (let attempt = 0; attempt < 3; attempt++) {
      const headers = Object.assign({}, (options && options.headers) || {});
      if (token()) headers['Authorization'] = 'Bearer ' + token();
      const response = await fetch(path, Object.assign({}, options, { headers }));
      if (response.status === 401) { await askToken(); continue; }
      const body = await response.json().catch(() => ({ error: 'The server answered ' + response.status }));
      if (!response.ok) { const error = new Error(body.error || ('HTTP ' + response.status)); error.status = response.status; throw error; }
      return body;
    }
    throw new Error('The token was refused');
  }

  function setLive(ok) { document.getElementById('live').classList.toggle('stale', !ok); }

  // ---------- charts ----------
  function barChart(points, label, format) {
    const w = 600, h = 170, pad = { l: 44, r: 8, t: 10, b: 22 };
    const max = Math.max(1, ...points.map(p => p.value || 0));
    const bw = (w - pad.l - pad.r) / Math.max(1, points.length);
    let bars = '';
    points.forEach((p, i) => {
      const bh = (h - pad.t - pad.b) * (p.value || 0) / max;
      bars += '<rect class="bar" x="' + (pad.l + i * bw + 1).toFixed(1) + '" y="' + (h - pad.b - bh).toFixed(1) + '" width="'
        + Math.max(1, bw - 2).toFixed(1) + '" height="' + bh.toFixed(1) + '"><title>' + esc(p.label + ': ' + format(p.value)) + '</title></rect>';
    });
    return '<svg viewBox="0 0 ' + w + ' ' + h + '" preserveAspectRatio="none" role="img" aria-label="' + esc(label) + '">'
      + axes(w, h, pad, max, format, points) + bars + '</svg>';
  }
  function lineChart(points, label, format) {
    const w = 600, h = 170, pad = { l: 44, r: 8, t: 10, b: 22 };
    const known = points.filter(p => p.value !== null && p.value !== undefined);
    const max = Math.max(0.001, ...known.map(p => p.value));
    const step = (w - pad.l - pad.r) / Math.max(1, points.length - 1);
    let path = '', area = '', started = false, last = null;
    points.forEach((p, i) => {
      if (p.value === null || p.value === undefined) return;
      const x = pad.l + i * step, y = h - pad.b - (h - pad.t - pad.b) * p.value / max;
      path += (started ? 'L' : 'M') + x.toFixed(1) + ' ' + y.toFixed(1) + ' ';
      if (!started) area = 'M' + x.toFixed(1) + ' ' + (h - pad.b) + ' ';
      area += 'L' + x.toFixed(1) + ' ' + y.toFixed(1) + ' ';
      started = true; last = x;
    });
    if (started) area += 'L' + last.toFixed(1) + ' ' + (h - pad.b) + ' Z';
    const dots = points.map((p, i) => p.value === null || p.value === undefined ? '' : '<circle cx="' + (pad.l + i * step).toFixed(1)
      + '" cy="' + (h - pad.b - (h - pad.t - pad.b) * p.value / max).toFixed(1) + '" r="2.2" fill="var(--warn)"><title>'
      + esc(p.label + ': ' + format(p.value)) + '</title></circle>').join('');
    return '<svg viewBox="0 0 ' + w + ' ' + h + '" preserveAspectRatio="none" role="img" aria-label="' + esc(label) + '">'
      + axes(w, h, pad, max, format, points) + (started ? '<path class="area" d="' + area + '"/><path class="line" d="' + path + '"/>' : '')
      + dots + (known.length ? '' : '<text x="' + w / 2 + '" y="' + h / 2 + '" text-anchor="middle">no commits in the last hour</text>') + '</svg>';
  }
  function axes(w, h, pad, max, format, points) {
    let out = '<line class="axis" x1="' + pad.l + '" y1="' + (h - pad.b) + '" x2="' + (w - pad.r) + '" y2="' + (h - pad.b) + '"/>';
    [0, 0.5, 1].forEach(f => {
      const y = h - pad.b - (h - pad.t - pad.b) * f;
      out += '<line class="axis" x1="' + pad.l + '" y1="' + y + '" x2="' + (w - pad.r) + '" y2="' + y + '" stroke-dasharray="2 3"/>'
        + '<text x="' + (pad.l - 4) + '" y="' + (y + 3) + '" text-anchor="end">' + esc(format(max * f)) + '</text>';
    });
    if (points.length) {
      out += '<text x="' + pad.l + '" y="' + (h - 6) + '">' + esc(points[0].label) + '</text>'
        + '<text x="' + (w - pad.r) + '" y="' + (h - 6) + '" text-anchor="end">' + esc(points[points.length - 1].label) + '</text>';
    }
    return out;
  }

  // ---------- overview: the flow ----------
  function flow(pipeline, sources, tables, models) {
    const byName = {};
    tables.forEach(t => { byName[t.name] = t; });
    const columns = [{ key: 'source', title: 'Sources', nodes: sources.map(s => ({ id: 'source:' + s.name, title: s.name,
      sub: s.state + (s.lagSeconds !== null && s.lagSeconds !== undefined ? ' · lag ' + seconds(s.lagSeconds) : ''),
      sub2: s.slot ? 'WAL held ' + bytes(s.slot.retainedWalBytes) : s.type, href: '#/', color: COLORS.source,
      active: s.state === 'running' })) }];
    LAYERS.forEach(layer => {
      columns.push({ key: layer, title: layer, nodes: tables.filter(t => t.layer === layer).map(t => ({ id: t.name,
        title: t.name, sub: num(t.rows) + ' rows', sub2: 'committed ' + ago(t.lastCommit && t.lastCommit.at), href: '#/table/' + encodeURIComponent(t.name),
        color: COLORS[layer], fresh: t.freshnessSeconds })) });
    });
    columns.forEach(column => column.nodes.sort((a, b) => a.title.localeCompare(b.title)));
    const used = columns.filter(c => c.key === 'source' || c.nodes.length > 0 || c.key === 'bronze' || c.key === 'silver');
    const colWidth = 200, gap = 56, nodeH = 58, nodeGap = 14, top = 30;
    const width = used.length * colWidth + (used.length - 1) * gap + 20;
    const rows = Math.max(1, ...used.map(c => c.nodes.length));
    const height = top + rows * (nodeH + nodeGap) + 10;
    const pos = {};
    let svgNodes = '', heads = '';
    used.forEach((column, ci) => {
      const x = 10 + ci * (colWidth + gap);
      heads += '<text class="colhead" x="' + (x + 4) + '" y="16">' + esc(column.title) + '</text>';
      const offset = top + (rows - column.nodes.length) * (nodeH + nodeGap) / 2;
      column.nodes.forEach((node, ni) => {
        const y = offset + ni * (nodeH + nodeGap);
        pos[node.id] = { x, y };
        const fresh = node.fresh === undefined ? '' : '<circle cx="' + (x + colWidth - 12) + '" cy="' + (y + 12) + '" r="4" fill="'
          + ({ ok: 'var(--ok)', warn: 'var(--warn)', bad: 'var(--bad)' }[freshnessClass(node.fresh)] || '#ccc') + '"><title>freshness '
          + esc(seconds(node.fresh)) + '</title></circle>';
        svgNodes += '<a href="' + node.href + '" class="node" data-node="' + esc(node.id) + '"><rect x="' + x + '" y="' + y + '" width="' + colWidth
          + '" height="' + nodeH + '" rx="8"/><rect x="' + x + '" y="' + y + '" width="5" height="' + nodeH + '" rx="2" style="fill:' + node.color
          + ';stroke:none"/><text x="' + (x + 14) + '" y="' + (y + 18) + '" font-weight="600">' + esc(node.title) + '</text><text class="sub" x="'
          + (x + 14) + '" y="' + (y + 34) + '">' + esc(node.sub) + '</text><text class="sub" x="' + (x + 14) + '" y="' + (y + 49) + '">'
          + esc(node.sub2) + '</text>' + fresh + '</a>';
      });
    });
    const edges = [];
    tables.forEach(t => {
      if (t.layer === 'bronze' && t.source) edges.push(['source:' + t.source, t.name, t.rowsLastHour > 0]);
      if (t.layer === 'silver' && byName['bronze.' + t.table]) edges.push(['bronze.' + t.table, t.name, t.rowsLastHour > 0]);
      if (t.layer === 'history' && byName['silver.' + t.table]) edges.push(['silver.' + t.table, t.name, t.rowsLastHour > 0]);
    });
    models.forEach(m => (m.references || []).forEach(ref => edges.push([ref, m.table, m.lastRun && m.lastRun.outcome === 'succeeded'])));
    let svgEdges = '';
    edges.forEach(([from, to, active]) => {
      const a = pos[from], b = pos[to];
      if (!a || !b) return;
      const x1 = a.x + colWidth, y1 = a.y + nodeH / 2, x2 = b.x, y2 = b.y + nodeH / 2, mx = (x1 + x2) / 2;
      svgEdges += '<path class="edge' + (active ? ' active' : '') + '" d="M' + x1 + ' ' + y1 + ' C' + mx + ' ' + y1 + ' ' + mx + ' ' + y2 + ' ' + x2 + ' ' + y2 + '"/>';
    });
    return '<div class="flow"><svg id="flow" viewBox="0 0 ' + width + ' ' + height + '" width="' + width + '" height="' + height + '">'
      + heads + svgEdges + svgNodes + '</svg></div>';
  }

  async function overview(id) {
    const [pipeline, sources, tables, models, runs, commits, checks, alerts] = await Promise.all([api('/api/pipeline'),
      api('/api/sources'), api('/api/tables'), api('/api/models'), api('/api/model-runs?limit=8'), api('/api/commits?limit=10'),
      api('/api/checks'), api('/api/alerts').catch(() => null)]);
    if (id !== renderId) return;
    document.getElementById('pipeline-name').textContent = 'pipeline ' + pipeline.name;
    const totalRows = tables.filter(t => t.layer === 'silver').reduce((s, t) => s + (t.rows || 0), 0);
    const lastHour = tables.filter(t => t.layer === 'bronze').reduce((s, t) => s + (t.rowsLastHour || 0), 0);
    const worstLag = Math.max(0, ...sources.map(s => s.lagSeconds || 0));
    const failing = models.reduce((n, m) => n + (m.tests || []).filter(t => !t.passed).length, 0)
      + models.filter(m => m.lastRun && m.lastRun.outcome === 'failed').length;
    const differing = checks.filter(c => c.outcome !== 'equal').length;
    const alertCard = alerts ? '<div class="card wide" style="margin-bottom:16px"><h2><a href="#/alerts">Alerts</a></h2>' + (alerts.active.length
      ? '<table class="data" id="alerts"><tr><th>severity</th><th>alert</th><th>since</th></tr>' + alerts.active.map(a => '<tr data-alert="'
        + esc(a.key) + '"><td>' + pill(a.severity, a.severity === 'critical' ? 'bad' : 'warn') + '</td><td><b>' + esc(a.title) + '</b><div class="muted">'
        + esc(a.message) + '</div></td><td>' + esc(ago(a.since)) + '</td></tr>').join('') + '</table>'
      : '<div class="empty">No alert is active.</div>') + '</div>' : '';
    view.innerHTML = '<h1>Overview</h1>'
      + '<div class="grid stats">'
      + stat('Sources', sources.length, sources.map(s => s.name + ' ' + s.state).join(', '))
      + stat('Lake tables', tables.length, LAYERS.map(l => tables.filter(t => t.layer === l).length + ' ' + l).filter(x => !x.startsWith('0')).join(' · '))
      + stat('Rows in silver', num(totalRows), 'current state of every key')
      + stat('Changes, last hour', num(lastHour), 'into bronze, this process')
      + stat('Worst lag', seconds(worstLag), 'source commit to lake commit')
      + stat('Model problems', failing, failing ? 'failed runs or tests' : 'all runs and tests pass')
      + stat('Checks failing', differing, checks.length ? checks.length + ' tables checked' : 'no check yet')
      + '</div>'
      + alertCard
      + '<div class="card" style="margin-bottom:16px"><h2>Flow</h2>' + flow(pipeline, sources, tables, models) + '</div>'
      + '<div class="grid two">'
      + '<div class="card wide"><h2>Sources</h2>' + sourcesTable(sources) + '</div>'
      + '<div class="card wide"><h2>Tables</h2>' + tablesTable(tables) + '</div>'
      + '<div class="card"><h2>Recent commits</h2>' + commitsTable(commits) + '</div>'
      + '<div class="card"><h2>Model runs</h2>' + runsTable(runs) + '</div>'
      + '<div class="card wide"><h2>Reconciliation checks</h2>' + checksTable(checks) + '</div>'
      + '</div>';
  }
  function stat(label, value, sub) {
    return '<div class="card stat"><div class="label">' + esc(label) + '</div><div class="value">' + esc(value) + '</div><div class="sub">'
      + esc(sub) + '</div></div>';
  }
  function sourcesTable(sources) {
    if (!sources.length) return '<div class="empty">no sources</div>';
    return '<div class="hscroll"><table class="data" id="sources"><tr><th>source</th><th>state</th><th class="num">lag</th><th class="num">WAL behind</th>'
      + '<th class="num">WAL held by slot</th><th class="num">committed</th><th>position</th></tr>'
      + sources.map(s => '<tr data-source="' + esc(s.name) + '"><td><b>' + esc(s.name) + '</b><div class="muted">' + esc(s.type) + ' · '
        + esc((s.tables || []).join(', ')) + '</div></td><td>' + pill(s.state) + (s.snapshotting ? ' ' + pill('snapshot', 'warn') : '')
        + (s.failure ? '<div class="error">' + esc(s.failure) + '</div>' : '') + '</td><td class="num">' + seconds(s.lagSeconds)
        + '</td><td class="num">' + bytes(s.lagBytes) + '</td><td class="num">' + (s.slot ? bytes(s.slot.retainedWalBytes) : (s.slotError ? '<span title="'
        + esc(s.slotError) + '">unreadable</span>' : '–')) + '</td><td class="num">' + num(s.changesCommitted) + '</td><td class="mono">'
        + esc(s.position || '–') + '</td></tr>').join('') + '</table></div>';
  }
  function tablesTable(tables) {
    if (!tables.length) return '<div class="empty">the lake has no tables yet</div>';
    return '<div class="scroll"><table class="data" id="tables"><tr><th>table</th><th class="num">rows</th><th class="num">files</th>'
      + '<th class="num">last hour</th><th>last commit</th></tr>'
      + tables.map(t => '<tr data-table="' + esc(t.name) + '"><td>' + layerDot(t.layer) + tableLink(t.name) + '</td><td class="num">'
        + num(t.rows) + '</td><td class="num">' + num(t.dataFiles) + (t.deleteFiles ? ' <span class="muted">+' + num(t.deleteFiles) + ' del</span>' : '')
        + '</td><td class="num">' + num(t.rowsLastHour) + '</td><td>' + pill(ago(t.lastCommit && t.lastCommit.at), freshnessClass(t.freshnessSeconds))
        + '</td></tr>').join('') + '</table></div>';
  }
  function commitsTable(commits) {
    if (!commits.length) return '<div class="empty">no commits yet</div>';
    return '<div class="scroll"><table class="data"><tr><th>when</th><th>table</th><th>operation</th><th class="num">rows added</th>'
      + '<th class="num">deletes</th><th>position</th></tr>'
      + commits.map(c => '<tr><td title="' + esc(time(c.at)) + '">' + esc(ago(c.at)) + '</td><td>' + tableLink(c.table) + '</td><td>'
        + esc(c.operation) + '</td><td class="num">' + num(c.addedRows) + '</td><td class="num">' + num(c.addedEqualityDeletes)
        + '</td><td class="mono">' + esc(c.position || '') + '</td></tr>').join('') + '</table></div>';
  }
  function checksTable(checks) {
    if (!checks.length) return '<div class="empty">No table has been checked yet: <code>bin/tributary check</code>, or <code>checks: {interval: 1h}</code> for run.</div>';
    return '<table class="data" id="checks"><tr><th>table</th><th>outcome</th><th class="num">differing keys</th><th>summary</th><th>checked</th></tr>'
      + checks.map(c => '<tr data-check="' + esc(c.table) + '"><td>' + tableLink(c.table) + '</td><td>'
        + pill(c.outcome, { equal: 'ok', different: 'bad', failed: 'bad' }[c.outcome]) + '</td><td class="num">' + num(c.differences)
        + '</td><td>' + esc(c.summary) + '</td><td title="' + esc(time(c.checkedAt)) + '">' + esc(ago(c.checkedAt)) + '</td></tr>').join('') + '</table>';
  }
  function runsTable(runs) {
    if (!runs.length) return '<div class="empty">no model runs in this process yet</div>';
    return '<table class="data"><tr><th>when</th><th>model</th><th>outcome</th><th class="num">written</th><th class="num">deleted</th>'
      + '<th class="num">took</th></tr>'
      + runs.map(r => '<tr><td>' + esc(ago(r.finishedAt)) + '</td><td>' + tableLink('gold.' + r.model) + '</td><td>' + pill(r.outcome)
        + (r.error ? '<div class="muted">' + esc(r.error) + '</div>' : '') + '</td><td class="num">' + num(r.rowsWritten) + '</td><td class="num">'
        + num(r.rowsDeleted) + '</td><td class="num">' + seconds(r.durationSeconds) + '</td></tr>').join('') + '</table>';
  }

  // ---------- a table ----------
  async function tablePage(id, name, historyKey) {
    const table = await api('/api/tables/' + encodeURIComponent(name));
    if (id !== renderId) return;
    const minutes = table.lastHour || [];
    const label = m => new Date(m.start).toISOString().substring(11, 16);
    const throughput = barChart(minutes.map(m => ({ label: label(m), value: m.rows })), 'rows per minute', v => num(Math.round(v)));
    const freshness = lineChart(minutes.map(m => ({ label: label(m), value: m.maxLagSeconds })), 'largest lag per minute', seconds);
    const keyForm = table.keyColumns && table.keyColumns.length
      ? '<form id="history-form" class="toolbar">' + table.keyColumns.map(c => '<label>' + esc(c) + ' <input type="text" name="' + esc(c)
        + '" value="' + esc((historyKey || {})[c] || '') + '" required></label>').join('') + '<button type="submit">Show versions</button></form>'
        + '<div id="history"></div>'
      : '<div class="muted">This table has no key columns.</div>';
    view.innerHTML = '<h1>' + layerDot(table.layer) + esc(table.name) + ' ' + pill(table.layer, '') + '</h1>'
      + '<div class="grid stats">'
      + stat('Rows', num(table.rows), 'delete files applied')
      + stat('Files', num(table.dataFiles), num(table.deleteFiles) + ' delete files · ' + bytes(table.sizeBytes))
      + stat('Last commit', ago(table.lastCommit && table.lastCommit.at), table.lastCommit ? table.lastCommit.operation + ' · snapshot ' + table.lastCommit.snapshotId : 'never')
      + stat('Rows, last hour', num(table.rowsLastHour), 'written by this process')
      + stat('Source', table.source || '–', table.sourceTable || (table.layer === 'gold' ? 'a model' : ''))
      + '</div>'
      + '<div class="grid three">'
      + '<div class="card chart"><h2>Throughput: rows per minute, last hour</h2>' + throughput + '</div>'
      + '<div class="card chart"><h2>Freshness: largest lag per minute (source commit to lake commit)</h2>' + freshness + '</div>'
      + '<div class="card"><h2>Schema</h2><table class="data" id="schema"><tr><th>#</th><th>column</th><th>type</th><th></th></tr>'
      + table.schema.map(c => '<tr><td class="muted">' + c.id + '</td><td class="mono">' + esc(c.name) + '</td><td class="mono">' + esc(c.type)
        + '</td><td>' + (c.key ? pill('key', 'ok') : '') + (c.required ? ' <span class="muted">required</span>' : '') + '</td></tr>').join('')
      + '</table>' + (table.partitioning.length ? '<p class="muted">Partitioned by ' + esc(table.partitioning.join(', ')) + '</p>' : '') + '</div>'
      + '<div class="card wide"><h2>History of one key</h2>' + keyForm + '</div>'
      + '<div class="card wide"><h2>Recent commits</h2>' + commitsTable(table.recentCommits) + '</div>'
      + '</div>';
    const form = document.getElementById('history-form');
    if (form) {
      form.addEventListener('submit', event => {
        event.preventDefault();
        const params = new URLSearchParams(new FormData(form));
        location.hash = '#/table/' + encodeURIComponent(name) + '?' + params.toString();
      });
      if (historyKey && table.keyColumns.every(c => historyKey[c] !== undefined)) {
        try {
          const history = await api('/api/tables/' + encodeURIComponent(name) + '/history?' + new URLSearchParams(historyKey).toString());
          if (id !== renderId) return;
          document.getElementById('history').innerHTML = '<p class="muted">' + history.rows.length + ' versions from ' + esc(history.from) + '</p>'
            + resultTable(history, 'history-rows');
        } catch (e) {
          document.getElementById('history').innerHTML = '<div class="error">' + esc(e.message) + '</div>';
        }
      }
    }
  }
  function resultTable(result, tableId) {
    if (!result.columns.length) return '<div class="empty">no columns</div>';
    return '<div class="scroll"><table class="data" id="' + tableId + '"><tr>' + result.columns.map((c, i) => '<th title="' + esc(result.types[i])
      + '">' + esc(c) + '</th>').join('') + '</tr>' + (result.rows.length ? result.rows.map(row => '<tr>' + row.map(v => '<td class="mono">'
      + (v === null ? '<span class="muted">NULL</span>' : esc(typeof v === 'object' ? JSON.stringify(v) : v)) + '</td>').join('') + '</tr>').join('')
      : '<tr><td class="empty" colspan="' + result.columns.length + '">no rows</td></tr>') + '</table></div>';
  }

  // ---------- SQL console ----------
  function sqlPage() {
    const last = sessionStorage.getItem('tributary.sql') || "SELECT table_schema, table_name FROM information_schema.tables ORDER BY 1, 2";
    view.innerHTML = '<h1>SQL console</h1><div class="card"><p class="muted">Read-only SQL over the lake\'s current snapshots (DuckDB): one SELECT, WITH, '
      + 'EXPLAIN, DESCRIBE, SHOW or SUMMARIZE at a time. <span id="sql-limits"></span> Ctrl+Enter runs it.</p>'
      + '<textarea id="sql" spellcheck="false">' + esc(last) + '</textarea><div class="toolbar"><button id="run-sql">Run</button>'
      + '<span id="sql-status" class="muted"></span></div><div id="sql-result"></div></div>';
    api('/api/pipeline').then(p => { document.getElementById('sql-limits').textContent = 'At most ' + num(p.sql.maxRows)
      + ' rows, cancelled after ' + p.sql.timeoutSeconds + ' s.'; }).catch(() => {});
    const run = async () => {
      const sql = document.getElementById('sql').value;
      sessionStorage.setItem('tributary.sql', sql);
      const status = document.getElementById('sql-status');
      const out = document.getElementById('sql-result');
      status.textContent = 'running…';
      try {
        const result = await api('/api/sql', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ sql }) });
        status.textContent = num(result.rowCount) + ' rows in ' + result.elapsedMillis + ' ms';
        out.innerHTML = (result.truncated ? '<div class="notice" id="sql-truncated">Only the first ' + num(result.maxRows)
          + ' rows are shown: the statement returned more.</div>' : '') + resultTable(result, 'sql-rows');
      } catch (e) {
        status.textContent = '';
        out.innerHTML = '<div class="error" id="sql-error">' + esc(e.message) + '</div>';
      }
    };
    document.getElementById('run-sql').addEventListener('click', run);
    document.getElementById('sql').addEventListener('keydown', e => { if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) { e.preventDefault(); run(); } });
  }

  // ---------- models, commits, dead letters ----------
  async function modelsPage(id) {
    const [models, runs] = await Promise.all([api('/api/models'), api('/api/model-runs?limit=50')]);
    if (id !== renderId) return;
    view.innerHTML = '<h1>Models</h1>' + (models.length ? '<div class="grid two">' + models.map(m => '<div class="card" data-model="' + esc(m.name)
      + '"><h2>' + layerDot('gold') + tableLink(m.table) + ' ' + (m.lastRun ? pill(m.lastRun.outcome) : pill('not run yet', 'warn')) + '</h2>'
      + '<div class="kv"><div>reads</div><div>' + m.references.map(tableLink).join(', ') + '</div><div>materialized</div><div>' + esc(m.materialization)
      + '</div><div>refresh</div><div class="mono">' + esc(m.refresh) + '</div><div>refreshed</div><div>' + esc(ago(m.refreshedAt)) + '</div>'
      + (m.lastRun && m.lastRun.error ? '<div>error</div><div class="error">' + esc(m.lastRun.error) + '</div>' : '') + '</div>'
      + (m.tests.length ? '<table class="data" style="margin-top:10px"><tr><th>test</th><th>result</th><th class="num">failing rows</th></tr>'
        + m.tests.map(t => '<tr><td class="mono">' + esc(t.test) + '</td><td>' + pill(t.passed ? 'pass' : 'fail', t.passed ? 'ok' : 'bad')
          + (t.error ? '<div class="muted">' + esc(t.error) + '</div>' : '') + '</td><td class="num">' + num(t.failingRows) + '</td></tr>').join('') + '</table>'
        : (m.testSummary ? '<p class="muted">tests: ' + esc(m.testSummary) + '</p>' : '<p class="muted">no tests</p>'))
      + '</div>').join('') + '</div>' : '<div class="card empty">This pipeline has no models (set <code>models:</code> in its configuration).</div>')
      + '<div class="card" style="margin-top:16px"><h2>Runs</h2>' + runsTable(runs) + '</div>';
  }
  async function commitsPage(id) {
    const commits = await api('/api/commits?limit=200');
    if (id !== renderId) return;
    view.innerHTML = '<h1>Commits</h1><div class="card">' + commitsTable(commits) + '</div>';
  }
  async function deadLettersPage(id, name) {
    const tables = await api('/api/dead-letters');
    if (id !== renderId) return;
    let detail = '';
    if (name) {
      try {
        detail = '<div class="card" style="margin-top:16px"><h2>' + esc(name) + '</h2>' + resultTable(await api('/api/dead-letters/'
          + encodeURIComponent(name) + '?limit=200'), 'dead-letter-rows') + '</div>';
      } catch (e) { detail = '<div class="error">' + esc(e.message) + '</div>'; }
    }
    view.innerHTML = '<h1>Dead letters</h1><div class="card">' + (tables.length ? '<table class="data"><tr><th>table</th><th class="num">records</th>'
      + '<th>last</th></tr>' + tables.map(t => '<tr><td>' + layerDot('errors') + '<a href="#/dead-letters/' + encodeURIComponent(t.name) + '">' + esc(t.name)
        + '</a></td><td class="num">' + num(t.rows) + '</td><td>' + esc(ago(t.lastCommit && t.lastCommit.at)) + '</td></tr>').join('') + '</table>'
      : '<div class="empty" id="no-dead-letters">No dead letters: every record reached the lake.</div>') + '</div>' + detail;
  }

  // One row per time an alert fired: severity, condition, since when, and when it resolved (or that it is active).
  function alertOccurrences(alerts) {
    const open = {}, all = [];
    alerts.recent.slice().reverse().forEach(e => {
      if (e.status === 'FIRING') {
        const current = open[e.key];
        if (current) { current.severity = e.severity; current.title = e.title; current.message = e.message; return; }
        const occurrence = { key: e.key, severity: e.severity, title: e.title, message: e.message, since: e.at, resolved: null, resolution: '' };
        open[e.key] = occurrence;
        all.push(occurrence);
      } else if (open[e.key]) {
        open[e.key].resolved = e.at;
        open[e.key].resolution = e.message;
        delete open[e.key];
      }
    });
    alerts.active.forEach(a => { if (!open[a.key]) all.push({ key: a.key, severity: a.severity, title: a.title, message: a.message, since: a.since, resolved: null, resolution: '' }); });
    return all.sort((a, b) => Date.parse(b.since) - Date.parse(a.since));
  }
  function severityPill(severity) { return pill(severity, severity === 'critical' ? 'bad' : 'warn'); }
  async function alertsPage(id) {
    let alerts;
    try { alerts = await api('/api/alerts'); } catch (e) { alerts = null; }
    if (id !== renderId) return;
    if (!alerts) {
      view.innerHTML = '<h1>Alerts</h1><div class="card"><div class="empty" id="no-alerts">This process raises no alerts (configure <code>alerts:</code> in the pipeline\'s file).</div></div>';
      return;
    }
    const occurrences = alertOccurrences(alerts);
    const active = alerts.active.length
      ? '<table class="data" id="active-alerts"><tr><th>severity</th><th>condition</th><th>since</th></tr>' + alerts.active.map(a => '<tr data-alert="'
        + esc(a.key) + '"><td>' + severityPill(a.severity) + '</td><td><b>' + esc(a.title) + '</b> <span class="muted">' + esc(a.key) + '</span><div class="muted">'
        + esc(a.message) + '</div></td><td>' + esc(time(a.since)) + '<div class="muted">' + esc(ago(a.since)) + '</div></td></tr>').join('') + '</table>'
      : '<div class="empty" id="no-active-alerts">No alert is active.</div>';
    const recent = occurrences.length
      ? '<table class="data" id="recent-alerts"><tr><th>severity</th><th>condition</th><th>fired</th><th>resolved</th></tr>' + occurrences.map(o => '<tr data-alert="'
        + esc(o.key) + '" data-state="' + (o.resolved ? 'resolved' : 'active') + '"><td>' + severityPill(o.severity) + '</td><td><b>' + esc(o.title)
        + '</b> <span class="muted">' + esc(o.key) + '</span><div class="muted">' + esc(o.message) + '</div></td><td>' + esc(time(o.since))
        + '</td><td>' + (o.resolved ? esc(time(o.resolved)) + '<div class="muted">' + esc(o.resolution) + '</div>' : pill('active', 'bad')) + '</td></tr>').join('') + '</table>'
      : '<div class="empty">No alert fired since this process started.</div>';
    view.innerHTML = '<h1>Alerts</h1>'
      + '<div class="card" style="margin-bottom:16px"><h2>Active</h2>' + active + '</div>'
      + '<div class="card"><h2>Recent</h2>' + recent + '</div>';
  }

  // ---------- routing ----------
  function route() {
    clearInterval(timer);
    const id = ++renderId;
    const hash = location.hash || '#/';
    const [path, query] = hash.substring(1).split('?');
    const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
    const nav = parts[0] === 'table' ? '' : parts[0] || 'overview';
    document.querySelectorAll('[data-nav]').forEach(a => a.classList.toggle('active', a.dataset.nav === nav));
    let render;
    if (parts[0] === 'table' && parts[1]) {
      const key = query ? Object.fromEntries(new URLSearchParams(query)) : null;
      render = () => tablePage(id, parts[1], key);
      return run(render, id, false);
    }
    if (parts[0] === 'sql') { sqlPage(); return; }
    if (parts[0] === 'models') render = () => modelsPage(id);
    else if (parts[0] === 'commits') render = () => commitsPage(id);
    else if (parts[0] === 'dead-letters') render = () => deadLettersPage(id, parts[1]);
    else if (parts[0] === 'alerts') render = () => alertsPage(id);
    else render = () => overview(id);
    run(render, id, true);
  }
  function run(render, id, poll) {
    const once = () => render().then(() => setLive(true)).catch(e => {
      setLive(false);
      if (id === renderId && !view.innerHTML) view.innerHTML = '<div class="error">' + esc(e.message) + '</div>';
    });
    view.innerHTML = '';
    once();
    if (poll) timer = setInterval(() => { if (id === renderId) once(); }, POLL_MS);
  }
  window.addEventListener('hashchange', route);
  route();
})();
