'use strict';
// The status page: plain DOM and inline SVG, no dependencies. Every number comes from the
// management API with the key kept in this tab's sessionStorage (never in a URL).
(() => {
  const keyName = 'spillway.apiKey';
  const refreshMs = 30000;
  const svgNs = 'http://www.w3.org/2000/svg';
  const $ = (id) => document.getElementById(id);
  let replaying = 0;

  class ApiError extends Error {
    constructor(status, message) {
      super(message);
      this.status = status;
    }
  }

  async function api(path, options = {}) {
    const key = sessionStorage.getItem(keyName);
    const response = await fetch(path, {
      method: options.method || 'GET',
      headers: { authorization: `Bearer ${key}`, ...(options.body ? { 'content-type': 'application/json' } : {}) },
      ...(options.body ? { body: JSON.stringify(options.body) } : {}),
    });
    const body = await response.json().catch(() => undefined);
    if (!response.ok) throw new ApiError(response.status, (body && body.error && body.error.message) || `HTTP ${response.status}`);
    return body;
  }

  function el(tag, attributes = {}, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes)) {
      if (value === undefined || value === false) continue;
      if (name === 'class') node.className = value;
      else if (name.startsWith('on')) node.addEventListener(name.slice(2), value);
      else node.setAttribute(name, value === true ? '' : String(value));
    }
    for (const child of children.flat()) if (child !== undefined && child !== null) node.append(child instanceof Node ? child : String(child));
    return node;
  }

  function svg(tag, attributes = {}, ...children) {
    const node = document.createElementNS(svgNs, tag);
    for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, String(value));
    for (const child of children.flat()) if (child) node.append(child instanceof Node ? child : String(child));
    return node;
  }

  const number = (value) => new Intl.NumberFormat('en').format(value);
  const ms = (value) => (value === undefined ? '–' : value >= 1000 ? `${number(Number((value / 1000).toFixed(value >= 10000 ? 0 : 1)))} s` : `${Math.round(value)} ms`);
  const shownDeadLetters = 50;
  const clock = (iso) => new Date(iso).toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit' });
  const when = (iso) => new Date(iso).toLocaleString('en-GB', { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit' });
  const answerOf = (letter) => (letter.status !== undefined ? `HTTP ${letter.status}` : letter.errorCode || 'not sent');

  function niceMax(value) {
    if (value <= 0) return 1;
    const power = 10 ** Math.floor(Math.log10(value));
    // Four grid steps: each candidate divides into round quarters.
    return [1, 2, 4, 6, 8, 10].map((step) => step * power).find((candidate) => candidate >= value);
  }

  /** A chart frame: y grid with labels, x labels at the window's start, middle and end. */
  function frame(activity, maxY, format, title) {
    const size = { width: 560, height: 170, left: 52, right: 16, top: 10, bottom: 22 };
    const plot = { width: size.width - size.left - size.right, height: size.height - size.top - size.bottom };
    const root = svg('svg', { viewBox: `0 0 ${size.width} ${size.height}`, role: 'img', 'aria-label': title });
    root.append(svg('title', {}, title));
    for (let step = 0; step <= 4; step++) {
      const y = size.top + plot.height - (plot.height * step) / 4;
      root.append(svg('line', { x1: size.left, x2: size.width - size.right, y1: y, y2: y, stroke: '#e4e7ec' }));
      root.append(svg('text', { x: size.left - 6, y: y + 4, 'text-anchor': 'end', 'font-size': 10, fill: '#667085' }, format((maxY * step) / 4)));
    }
    const count = activity.buckets.length;
    const ticks = [0, Math.floor(count / 2), count - 1];
    ticks.forEach((index, position) => {
      const x = size.left + (plot.width * (index + 0.5)) / count;
      const anchor = ['start', 'middle', 'end'][position];
      root.append(svg('text', { x, y: size.height - 6, 'text-anchor': anchor, 'font-size': 10, fill: '#667085' }, clock(activity.buckets[index].start)));
    });
    const xOf = (index) => size.left + (plot.width * index) / count;
    const yOf = (value) => size.top + plot.height - (plot.height * value) / maxY;
    return { root, plot, count, xOf, yOf };
  }

  function throughputChart(activity) {
    const maxY = niceMax(Math.max(...activity.buckets.map((bucket) => bucket.delivered + bucket.failed)));
    const chart = frame(activity, maxY, (value) => number(Math.round(value * 10) / 10), 'Exports per minute: delivered and failed');
    const barWidth = Math.max(1, chart.plot.width / chart.count - 2);
    activity.buckets.forEach((bucket, index) => {
      const x = chart.xOf(index) + 1;
      const tip = `${clock(bucket.start)}: ${bucket.delivered} delivered, ${bucket.failed} failed`;
      if (bucket.delivered > 0) chart.root.append(svg('rect', { x, y: chart.yOf(bucket.delivered), width: barWidth, height: chart.yOf(0) - chart.yOf(bucket.delivered), fill: '#2e6be6' }, svg('title', {}, tip)));
      if (bucket.failed > 0) {
        const top = bucket.delivered + bucket.failed;
        chart.root.append(svg('rect', { x, y: chart.yOf(top), width: barWidth, height: chart.yOf(bucket.delivered) - chart.yOf(top), fill: '#c4320a' }, svg('title', {}, tip)));
      }
    });
    return chart.root;
  }

  function latencyChart(activity) {
    const values = activity.buckets.flatMap((bucket) => (bucket.latencyMs ? [bucket.latencyMs.p95] : []));
    const maxY = niceMax(Math.max(0, ...values));
    const chart = frame(activity, maxY, (value) => ms(value), 'Latency from ingest to delivery, p50 and p95 per minute');
    for (const [key, colour] of [['p95', '#7a5af8'], ['p50', '#12805c']]) {
      let path = '';
      let previous = false;
      activity.buckets.forEach((bucket, index) => {
        if (!bucket.latencyMs) return void (previous = false);
        const x = chart.xOf(index + 0.5);
        const y = chart.yOf(bucket.latencyMs[key]);
        path += `${previous ? 'L' : 'M'}${x.toFixed(1)},${y.toFixed(1)} `;
        previous = true;
        chart.root.append(svg('circle', { cx: x, cy: y, r: 2.5, fill: colour }, svg('title', {}, `${clock(bucket.start)}: ${key} ${ms(bucket.latencyMs[key])}`)));
      });
      if (path) chart.root.append(svg('path', { d: path, fill: 'none', stroke: colour, 'stroke-width': 2 }));
    }
    return chart.root;
  }

  const legend = (...items) => el('div', { class: 'legend' }, items.map(([swatch, label]) => el('span', {}, el('span', { class: `swatch ${swatch}` }), label)));
  const stat = (name, label, value) => el('div', { class: 'stat', 'data-stat': name }, el('div', { class: 'value' }, value), el('div', { class: 'label' }, label));
  const table = (headers, rows) =>
    el('table', {}, el('thead', {}, el('tr', {}, headers.map(([label, cls]) => el('th', { class: cls }, label)))), el('tbody', {}, rows));

  function badges(health) {
    const circuit = health.circuit;
    return el(
      'div',
      { class: 'badges' },
      el('span', { class: `badge ${health.enabled ? 'ok' : 'off'}`, 'data-badge': 'enabled' }, health.enabled ? 'Enabled' : 'Disabled'),
      circuit.state === 'open'
        ? el('span', { class: 'badge bad', 'data-badge': 'circuit', title: `${circuit.lastError} (${circuit.failures} failures since ${when(circuit.failingSince)})` }, `Circuit open since ${clock(circuit.openedAt)}`)
        : el('span', { class: 'badge ok', 'data-badge': 'circuit' }, 'Circuit closed'),
      el('span', { class: `badge ${health.openAlerts.length > 0 ? 'bad' : 'ok'}`, 'data-badge': 'alerts' }, health.openAlerts.length === 1 ? '1 open alert' : `${health.openAlerts.length} open alerts`),
    );
  }

  function failuresPanel(activity) {
    const entries = Object.entries(activity.totals.failedRequests).sort((a, b) => b[1] - a[1]);
    return el(
      'section',
      { class: 'panel', 'aria-label': 'Failures by status code' },
      el('h3', {}, 'Failed requests by status, last hour'),
      entries.length === 0 ? el('p', { class: 'empty' }, 'No failed request.') : table([['Answer'], ['Requests', 'num']], entries.map(([code, count]) => el('tr', {}, el('td', {}, /^\d+$/.test(code) ? `HTTP ${code}` : code), el('td', { class: 'num' }, number(count))))),
    );
  }

  function backfillsPanel(health) {
    const running = health.backfills.filter((backfill) => backfill.state === 'running');
    return el(
      'section',
      { class: 'panel', 'aria-label': 'Backfills in progress' },
      el('h3', {}, 'Backfills in progress'),
      running.length === 0
        ? el('p', { class: 'empty' }, 'None running.')
        : table(
            [['Partition'], ['Audiences'], ['Done', 'num'], ['Scanned', 'num'], ['Exported', 'num'], ['Left (est.)', 'num'], ['Profiles/s', 'num']],
            running.map((backfill) =>
              el(
                'tr',
                {},
                el('td', {}, backfill.partition),
                el('td', {}, backfill.audienceIds.join(', ')),
                el('td', { class: 'num' }, `${Math.floor(backfill.shareDone * 100)}%`),
                el('td', { class: 'num' }, number(backfill.scanned)),
                el('td', { class: 'num' }, number(backfill.exported)),
                el('td', { class: 'num' }, backfill.remainingEstimate === undefined ? '–' : `${number(backfill.remainingEstimate)}${backfill.secondsLeftEstimate === undefined ? '' : ` (~${number(backfill.secondsLeftEstimate)} s)`}`),
                el('td', { class: 'num' }, backfill.ratePerSecond === undefined ? '–' : number(Math.round(backfill.ratePerSecond))),
              ),
            ),
          ),
    );
  }

  function alertsPanel(health) {
    return el(
      'section',
      { class: 'panel', 'aria-label': 'Open alerts' },
      el('h3', {}, 'Open alerts'),
      health.openAlerts.length === 0
        ? el('p', { class: 'empty' }, 'No open alert.')
        : health.openAlerts.map((alert) => el('div', { class: 'alert-item' }, el('b', {}, alert.rule), ` since ${when(alert.raisedAt)}: ${alert.summary}`)),
    );
  }

  function deadLettersPanel(dataflowId, allDeadLetters) {
    const message = el('p', { class: 'error', role: 'alert', hidden: true });
    const deadLetters = allDeadLetters.slice(-shownDeadLetters).reverse();
    const pending = deadLetters.filter((letter) => !letter.replayed);
    const run = async (button, request) => {
      message.hidden = true;
      button.disabled = true;
      replaying++;
      try {
        await request();
        await refresh();
      } catch (error) {
        message.textContent = error.message;
        message.hidden = false;
        button.disabled = false;
      } finally {
        replaying--;
      }
    };
    const replayAll = el('button', { type: 'button', class: 'small', disabled: pending.length === 0 }, `Replay all shown (${pending.length})`);
    replayAll.addEventListener('click', () => run(replayAll, () => api(`/dataflows/${encodeURIComponent(dataflowId)}/deadletters/replay`, { method: 'POST', body: { exportIds: pending.map((letter) => letter.exportId) } })));
    const rows = deadLetters.map((letter) => {
      let action;
      if (letter.replayed) action = el('span', { class: 'replayed' }, `Replayed ${clock(letter.replayed.replayedAt)}`);
      else {
        action = el('button', { type: 'button', class: 'small' }, 'Replay');
        action.addEventListener('click', () => run(action, () => api(`/dataflows/${encodeURIComponent(dataflowId)}/deadletters/${letter.exportId}/replay`, { method: 'POST' })));
      }
      return el(
        'tr',
        { 'data-export-id': letter.exportId },
        el('td', { class: 'nowrap' }, when(letter.deadLetteredAt)),
        el('td', {}, el('code', { title: letter.exportId }, letter.exportId.slice(0, 8))),
        el('td', {}, letter.profileId),
        el('td', { class: 'num' }, letter.sequence),
        el('td', { class: 'nowrap' }, answerOf(letter)),
        el('td', { class: 'num' }, letter.attempts.length),
        el('td', { class: 'reason' }, letter.reason),
        el('td', { class: 'nowrap' }, action),
      );
    });
    return el(
      'section',
      { class: 'panel', 'aria-label': 'Dead letters' },
      el('div', { class: 'panel-head' }, el('h3', {}, `Dead letters (${allDeadLetters.length})`), deadLetters.length > 0 ? replayAll : null),
      message,
      deadLetters.length === 0
        ? el('p', { class: 'empty' }, 'No dead letter.')
        : table([['Dead-lettered'], ['Export'], ['Profile'], ['Seq', 'num'], ['Answer'], ['Attempts', 'num'], ['Reason'], ['']], rows),
      allDeadLetters.length > deadLetters.length ? el('p', { class: 'note' }, `The newest ${deadLetters.length} are shown; spillway deadletters list --dataflow ${dataflowId} lists them all.`) : null,
    );
  }

  function dataflowCard(dataflow, activity, health, deadLetters) {
    const totals = activity.totals;
    return el(
      'article',
      { class: 'card', 'data-dataflow': dataflow.dataflowId, 'aria-label': `Dataflow ${dataflow.dataflowId}` },
      el('div', { class: 'flow-head' }, el('h2', {}, dataflow.dataflowId), el('span', { class: 'muted' }, `→ ${dataflow.destinationId}`), badges(health)),
      el(
        'div',
        { class: 'stats' },
        stat('delivered', 'delivered, last hour', number(totals.delivered)),
        stat('failed', 'failed', number(totals.failed)),
        stat('retried', 'retried attempts', number(totals.retried)),
        stat('superseded', 'superseded', number(totals.superseded)),
        stat('dead-lettered', 'dead-lettered', number(totals.deadLettered)),
        stat('p50', 'latency p50', ms(totals.latencyMs && totals.latencyMs.p50)),
        stat('p95', 'latency p95', ms(totals.latencyMs && totals.latencyMs.p95)),
      ),
      el(
        'div',
        { class: 'charts' },
        el('figure', { class: 'chart', 'data-chart': 'throughput' }, el('h3', {}, 'Throughput per minute'), throughputChart(activity), legend(['sw-delivered', 'delivered'], ['sw-failed', 'failed'])),
        el('figure', { class: 'chart', 'data-chart': 'latency' }, el('h3', {}, 'Latency, ingest to delivery'), latencyChart(activity), legend(['sw-p50', 'p50'], ['sw-p95', 'p95'])),
      ),
      el('div', { class: 'panels' }, failuresPanel(activity), alertsPanel(health), backfillsPanel(health)),
      deadLettersPanel(dataflow.dataflowId, deadLetters),
    );
  }

  async function refresh() {
    const pageError = $('page-error');
    try {
      const { dataflows } = await api('/dataflows');
      const cards = await Promise.all(
        dataflows.map(async (dataflow) => {
          const path = `/dataflows/${encodeURIComponent(dataflow.dataflowId)}`;
          const [activity, health, letters] = await Promise.all([api(`${path}/activity`), api(`${path}/health`), api(`${path}/deadletters`)]);
          return dataflowCard(dataflow, activity, health, letters.deadLetters);
        }),
      );
      $('dataflows').replaceChildren(...(cards.length > 0 ? cards : [el('p', { class: 'empty card' }, 'No dataflow is configured.')]));
      pageError.hidden = true;
      $('updated').textContent = `Updated ${new Date().toLocaleTimeString('en-GB')}`;
    } catch (error) {
      if (error.status === 401) return askForKey('That key was not accepted: ' + error.message);
      pageError.textContent = error.message;
      pageError.hidden = false;
    }
  }

  function askForKey(problem) {
    sessionStorage.removeItem(keyName);
    $('dataflows').replaceChildren();
    $('key-form').hidden = false;
    $('refresh').hidden = true;
    $('forget').hidden = true;
    $('updated').textContent = '';
    $('key-error').textContent = problem || '';
    $('key-error').hidden = !problem;
    $('key').focus();
  }

  function showStatus() {
    $('key-form').hidden = true;
    $('refresh').hidden = false;
    $('forget').hidden = false;
    return refresh();
  }

  $('key-form').addEventListener('submit', (event) => {
    event.preventDefault();
    sessionStorage.setItem(keyName, $('key').value.trim());
    $('key').value = '';
    showStatus();
  });
  $('refresh').addEventListener('click', () => refresh());
  $('forget').addEventListener('click', () => askForKey());
  setInterval(() => {
    if (sessionStorage.getItem(keyName) && replaying === 0 && !document.hidden) refresh();
  }, refreshMs);
  if (sessionStorage.getItem(keyName)) showStatus();
  else askForKey();
})();
