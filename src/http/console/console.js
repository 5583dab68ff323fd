// The operator's console: plain browser JavaScript, no build step. Reads /v1/ops/* with the OPS_TOKEN
// kept in sessionStorage (this tab only), every 2 seconds, and draws the per-hop latency with uPlot.
'use strict';

const REFRESH_MS = 2000;
const CHART_MINUTES = 5;
const QUANTILE_WINDOW_MS = 60_000;
const RATE_WINDOW_MS = 10_000;
const CHART_HOP = 'request_to_gateway';
const STAGES = ['nouveau', 'contacte', 'relance', 'negociation', 'gagne', 'perdu'];
const REASONS = {
  no_outreach: 'no outreach',
  no_phone: 'no phone',
  not_mobile: 'not a mobile',
  refuses_salesmen: 'refuses salesmen',
  opted_out: 'opted out',
  already_contacted: 'already contacted',
  pacing: 'pacing',
  no_sender_identity: 'no sender identity (PATCH the account’s senderName)',
  message_failed: 'message failed',
  not_on_whatsapp: 'not on WhatsApp',
  undeliverable: 'undeliverable',
};
const HOLD_REASONS = {
  credentials: 'the provider refuses our credentials',
  region_not_enabled: 'the country or region of the number is not enabled at the provider',
  sender_not_allowed: 'the provider does not allow the sender',
  whatsapp_sender_unknown: 'the provider does not know the WhatsApp sender',
  no_credits: 'no SMS credits left',
  carrier_filtering: 'carriers filter the account’s messages',
};

const $ = (id) => document.getElementById(id);
const PAGE = 20;
const state = {
  token: sessionStorage.getItem('opsToken'),
  account: sessionStorage.getItem('opsAccount') || '',
  repliedOnly: false,
  // Leads shown per column: a page, and another one each time the operator asks for more.
  shown: Object.fromEntries(STAGES.map((s) => [s, PAGE])),
  lead: null,
  timer: null,
  samples: [],
  points: [[], [], []],
  chart: null,
};

class Refused extends Error {}

async function call(method, path, body) {
  const headers = { authorization: `Bearer ${state.token}` };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  if (response.status === 401) throw new Refused('token refused');
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'class') node.className = v;
    else if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
    else if (v !== undefined && v !== null) node.setAttribute(k, v);
  }
  for (const c of children.flat())
    if (c !== undefined && c !== null) node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return node;
}

/** Each table's column names, from its data-columns ("name | name #": a trailing # marks a number, right-aligned). */
const columnsOf = (table) =>
  table.dataset.columns
    .split('|')
    .map((c) => c.trim())
    .map((c) => (c.endsWith('#') ? { name: c.slice(0, -1).trim(), num: true } : { name: c }));

/** Writes the head of every table that names its columns. */
function tableHeads() {
  for (const table of document.querySelectorAll('table[data-columns]'))
    table.prepend(
      el(
        'thead',
        {},
        el(
          'tr',
          {},
          columnsOf(table).map((c) => el('th', c.num ? { class: 'num' } : {}, c.name)),
        ),
      ),
    );
}

/** Fills the table body `id` with a row per item (`rowOf`); with no item, and an `empty` text given, with one row saying it. */
function tableRows(id, items, empty, rowOf) {
  const columns = columnsOf($(id).closest('table')).length;
  $(id).replaceChildren(
    ...(items.length || !empty
      ? items.map(rowOf)
      : [el('tr', {}, el('td', { colspan: columns, class: 'hint' }, empty))]),
  );
}

const fmt = (n) => (n === null || n === undefined ? '–' : Number(n).toLocaleString('en'));
const seconds = (s) =>
  s === null || s === undefined || Number.isNaN(s)
    ? '–'
    : s < 1
      ? `${Math.round(s * 1000)} ms`
      : `${s.toFixed(s < 10 ? 2 : 0)} s`;
const euros = (n) => (n === null || n === undefined ? '' : `${Number(n).toLocaleString('fr-FR')} €`);
const time = (iso) => new Date(iso).toLocaleTimeString('en-GB');
/** Day and time: a conversation can span days, and its times alone did not say which came first. */
const when = (iso) =>
  new Date(iso).toLocaleString('en-GB', {
    day: '2-digit',
    month: 'short',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  });

// --- login -------------------------------------------------------------------------------------

function showLogin(message) {
  stop();
  state.token = null;
  sessionStorage.removeItem('opsToken');
  $('console').hidden = true;
  $('logout').hidden = true;
  $('login').hidden = false;
  $('login-error').hidden = !message;
  $('login-error').textContent = message || '';
}

async function open(token) {
  state.token = token;
  try {
    await call('GET', '/v1/ops/pipeline');
  } catch (error) {
    showLogin(error instanceof Refused ? 'That token is refused.' : `The service does not answer: ${error.message}`);
    return;
  }
  sessionStorage.setItem('opsToken', token);
  $('login').hidden = true;
  $('console').hidden = false;
  $('logout').hidden = false;
  $('account').value = state.account;
  start();
}

// --- refresh -----------------------------------------------------------------------------------

function start() {
  stop();
  void refresh();
  void loadAccounts();
  state.timer = setInterval(() => void refresh(), REFRESH_MS);
}

function stop() {
  if (state.timer) clearInterval(state.timer);
  state.timer = null;
}

async function refresh() {
  try {
    await Promise.all([
      refreshPipeline(),
      refreshDeadLetters(),
      refreshLeads(),
      refreshMessaging(),
      refreshWebhooks(),
      refreshConversation(),
      refreshLobstrRuns(),
    ]);
    $('status').textContent = `updated ${new Date().toLocaleTimeString('en-GB')}`;
    $('status').className = '';
  } catch (error) {
    if (error instanceof Refused) return showLogin('That token is refused.');
    $('status').textContent = `refresh failed: ${error.message}`;
    $('status').className = 'error';
  }
}

// --- pipeline ----------------------------------------------------------------------------------

/** Quantile q of the observations between two cumulative histograms, interpolated in its bucket (as Prometheus does). */
function quantile(q, now, before) {
  const buckets = now.buckets.map((b) => ({
    le: b.le === '+Inf' ? Infinity : Number(b.le),
    count: b.count - (before?.buckets.find((x) => x.le === b.le)?.count ?? 0),
  }));
  buckets.sort((a, b) => a.le - b.le);
  const total = buckets.length ? buckets[buckets.length - 1].count : 0;
  if (total <= 0) return null;
  const rank = q * total;
  let lower = 0;
  let below = 0;
  for (const b of buckets) {
    if (b.count >= rank) {
      if (b.le === Infinity) return lower;
      return lower + ((b.le - lower) * (rank - below)) / Math.max(1, b.count - below);
    }
    lower = b.le;
    below = b.count;
  }
  return lower;
}

function sampleAt(t) {
  // The newest sample at least `t` old, or the oldest one.
  let found = state.samples[0];
  for (const s of state.samples) if (s.t <= t) found = s;
  return found;
}

async function refreshPipeline() {
  const { body } = await call('GET', '/v1/ops/pipeline');
  const now = Date.now();
  const previous = state.samples.length ? sampleAt(now - RATE_WINDOW_MS) : undefined;
  state.samples.push({
    t: now,
    topics: new Map(body.topics.map((x) => [x.topic, x.messages])),
    hops: new Map(body.hops.series.map((s) => [s.hop, s])),
  });
  while (state.samples.length > 2 && state.samples[0].t < now - CHART_MINUTES * 60_000) state.samples.shift();

  $('outbox-backlog').textContent = fmt(body.outbox.backlog);
  $('outbox-oldest').textContent =
    body.outbox.oldestAgeSeconds === null ? 'none' : seconds(body.outbox.oldestAgeSeconds);
  $('sender-pending').textContent = fmt(body.sender.pending);
  $('sender-due').textContent = fmt(body.sender.dueNow);
  $('sender-retrying').textContent = fmt(body.sender.retrying);
  $('sender-failed').textContent = fmt(body.sender.failedLastHour);

  $('topics').replaceChildren(
    ...body.topics.map((x) => {
      const rate =
        previous && previous.topics.has(x.topic)
          ? ((x.messages - previous.topics.get(x.topic)) * 1000) / (now - previous.t)
          : null;
      return el(
        'tr',
        { 'data-topic': x.topic },
        el('td', {}, x.topic),
        el('td', { class: 'num' }, fmt(x.messages)),
        el('td', { class: 'num' }, rate === null ? '–' : rate.toFixed(1)),
      );
    }),
  );
  tableRows('lag', body.lag, null, (g) =>
    el(
      'tr',
      { 'data-consumer': g.consumer },
      el('td', {}, g.consumer),
      el('td', {}, g.topic),
      el('td', { class: 'num' }, g.lag === null ? 'not started' : fmt(g.lag)),
    ),
  );

  const before = sampleAt(now - QUANTILE_WINDOW_MS);
  $('hops').replaceChildren(
    ...body.hops.series.map((s) => {
      const old = before?.hops.get(s.hop);
      return el(
        'tr',
        { 'data-hop': s.hop },
        el('td', {}, s.hop),
        el('td', { class: 'num' }, seconds(quantile(0.5, s, old))),
        el('td', { class: 'num' }, seconds(quantile(0.99, s, old))),
        el('td', { class: 'num' }, fmt(s.count - (old?.count ?? 0))),
      );
    }),
  );
  const hop = body.hops.series.find((s) => s.hop === CHART_HOP);
  const old = before?.hops.get(CHART_HOP);
  const [xs, p50, p99] = state.points;
  xs.push(now / 1000);
  p50.push(hop ? quantile(0.5, hop, old) : null);
  p99.push(hop ? quantile(0.99, hop, old) : null);
  while (xs.length > 2 && xs[0] < now / 1000 - CHART_MINUTES * 60) [xs, p50, p99].forEach((a) => a.shift());
  drawChart();
}

function drawChart() {
  const target = $('hop-chart');
  if (!state.chart) {
    state.chart = new uPlot(
      {
        width: Math.max(280, target.clientWidth || 560),
        height: 200,
        title: `${CHART_HOP} (s)`,
        series: [
          {},
          { label: 'p50', stroke: '#2f6fec', width: 2, spanGaps: true },
          { label: 'p99', stroke: '#c0392b', width: 2, spanGaps: true },
        ],
        axes: [{}, { size: 60 }],
        scales: { y: { range: (_u, min, max) => [0, Math.max(max ?? 0.1, 0.01) * 1.1] } },
      },
      state.points,
      target,
    );
  } else {
    state.chart.setData(state.points);
  }
}

// --- dead letters ------------------------------------------------------------------------------

async function replay(request, button) {
  button.disabled = true;
  try {
    const { status, body } = await call('POST', '/v1/ops/dead-letters/replay', request);
    $('dlq-message').textContent =
      status === 200
        ? `Replayed ${body.replayed.length} of ${body.topic}${body.skipped.length ? ` (${body.skipped.length} replayed before)` : ''}.`
        : `Not replayed: ${body.message}`;
  } finally {
    button.disabled = false;
  }
  await refresh();
}

async function refreshDeadLetters() {
  const { body } = await call('GET', '/v1/ops/dead-letters?limit=20');
  tableRows('dlq-counts', body.counts, null, (c) =>
    el(
      'tr',
      { 'data-dlq-topic': c.topic },
      el('td', {}, c.topic),
      el('td', { class: `num ${c.waiting ? 'waiting' : ''}`, 'data-dlq-waiting': c.topic }, c.waiting),
      el('td', { class: 'num' }, c.total),
      el(
        'td',
        {},
        c.waiting
          ? el(
              'button',
              {
                type: 'button',
                class: 'secondary',
                onclick: (e) => replay({ topic: c.topic, all: true }, e.currentTarget),
              },
              `Replay all ${c.waiting}`,
            )
          : '',
      ),
    ),
  );
  tableRows('dlq-latest', body.latest, 'No dead letters.', (d) =>
    el(
      'tr',
      { 'data-dlq-offset': `${d.topic}@${d.offset}` },
      el('td', {}, `${d.topic}.dlq`),
      el('td', { class: 'num' }, d.offset),
      el('td', {}, time(d.deadLetteredAt)),
      el('td', {}, `${d.topic}${d.sourcePartition === null ? '' : `[${d.sourcePartition}]`}@${d.sourceOffset ?? '?'}`),
      el('td', { class: 'reason' }, d.reason),
      el(
        'td',
        {},
        d.replayedAt
          ? el('span', { class: 'replayed' }, `replayed ${time(d.replayedAt)}`)
          : el('span', { class: 'waiting' }, d.failedAfterReplayAt ? 'failed again after a replay' : 'waiting'),
      ),
      el(
        'td',
        {},
        d.replayedAt
          ? ''
          : el(
              'button',
              { type: 'button', onclick: (e) => replay({ topic: d.topic, offset: d.offset }, e.currentTarget) },
              'Replay',
            ),
      ),
    ),
  );
}

// --- leads -------------------------------------------------------------------------------------

async function loadAccounts() {
  try {
    const { body } = await call('GET', '/v1/ops/accounts');
    $('accounts').replaceChildren(...body.accounts.map((a) => el('option', { value: a.id }, a.name || a.id)));
    if (!state.account && body.accounts[0]) {
      state.account = body.accounts[0].id;
      $('account').value = state.account;
    }
  } catch (error) {
    if (error instanceof Refused) showLogin('That token is refused.');
  }
}

async function refreshLeads() {
  if (!state.account) {
    $('kanban').replaceChildren(el('p', { class: 'hint' }, 'Choose an account.'));
    return;
  }
  const limit = Math.min(500, Math.max(...Object.values(state.shown)));
  const query = `limit=${limit}${state.repliedOnly ? '&replied=true' : ''}`;
  const { status, body } = await call('GET', `/v1/ops/accounts/${encodeURIComponent(state.account)}/leads?${query}`);
  if (status !== 200) {
    $('kanban').replaceChildren(el('p', { class: 'error' }, body?.message ?? `status ${status}`));
    return;
  }
  $('kanban').replaceChildren(
    ...STAGES.map((stage) => {
      const column = body.columns.find((c) => c.stage === stage) ?? { leads: [], total: 0, replied: 0 };
      const shown = column.leads.slice(0, state.shown[stage]);
      const more = column.total - shown.length;
      return el(
        'div',
        { class: 'column', 'data-stage': stage },
        el(
          'h4',
          { 'data-total': column.total },
          `${stage} (${fmt(column.total)})`,
          column.replied && !state.repliedOnly
            ? el('span', { class: 'badge', title: 'leads whose seller replied' }, `${column.replied} replied`)
            : null,
        ),
        shown.map((l) =>
          el(
            'div',
            {
              class: `lead${state.lead === l.id ? ' open' : ''}`,
              'data-lead': l.id,
              role: 'button',
              tabindex: '0',
              title: 'Show the conversation',
              onclick: () => openConversation(l.id),
            },
            el(
              'div',
              { class: 'title' },
              l.title,
              l.repliedAt
                ? el(
                    'span',
                    { class: 'badge', 'data-replied': l.id, title: `replied ${when(l.lastReplyAt ?? l.repliedAt)}` },
                    'replied',
                  )
                : null,
            ),
            el('div', {}, [euros(l.price), l.city].filter(Boolean).join(' · ')),
            l.contacted
              ? el('div', { class: 'contacted' }, 'contacted')
              : el('div', { class: 'why' }, `not contacted: ${REASONS[l.reason] ?? l.reason ?? 'not yet'}`),
          ),
        ),
        more > 0
          ? el(
              'button',
              {
                type: 'button',
                class: 'secondary more',
                'data-more': stage,
                onclick: () => {
                  state.shown[stage] += PAGE;
                  void refreshLeads();
                },
              },
              `show more (${fmt(more)} more)`,
            )
          : null,
      );
    }),
  );
}

// --- conversations, replies, providers ---------------------------------------------------------

function openConversation(leadId) {
  state.lead = leadId;
  void refreshConversation();
}

async function refreshConversation() {
  if (!state.lead) return;
  const { status, body } = await call('GET', `/v1/ops/leads/${encodeURIComponent(state.lead)}/messages`);
  if (status !== 200) {
    $('conversation').replaceChildren(el('p', { class: 'error' }, body?.message ?? `status ${status}`));
    return;
  }
  $('conversation').replaceChildren(
    el('h3', {}, 'Conversation'),
    body.messages.length === 0
      ? el('p', { class: 'hint' }, 'No message yet.')
      : el(
          'ol',
          { class: 'conversation', 'data-conversation': state.lead },
          body.messages.map((m) =>
            el(
              'li',
              { class: m.direction, 'data-direction': m.direction },
              el(
                'div',
                { class: 'meta' },
                el('time', { datetime: m.at }, when(m.at)),
                ` · ${m.direction === 'outbound' ? `to ${m.to ?? ''}` : `from ${m.from ?? ''}`} · ${m.provider ?? ''} · ${m.status}${m.deliveryStatus ? ` (${m.deliveryStatus})` : ''}`,
              ),
              el('div', { class: 'text' }, m.text),
            ),
          ),
        ),
  );
}

async function refreshMessaging() {
  const [providers, replies, sending] = await Promise.all([
    call('GET', '/v1/ops/providers'),
    call('GET', '/v1/ops/replies?limit=20'),
    call('GET', '/v1/ops/sending'),
  ]);
  if (sending.status === 200) {
    const holds = sending.body.holds;
    $('sending-banner').hidden = holds.length === 0;
    $('sending-banner').replaceChildren(
      el('strong', {}, 'Sending held. '),
      ...holds.map((h) =>
        el(
          'span',
          { class: 'hold', 'data-hold': `${h.scope}:${h.target}` },
          `${h.scope === 'provider' ? `Provider ${h.target} (every account)` : `Account ${h.target}`}: ${HOLD_REASONS[h.reason] ?? h.reason}${h.code ? ` (${h.code})` : ''} since ${time(h.since)}; next probe ${time(h.nextProbeAt)}. `,
        ),
      ),
      el('span', { class: 'hint' }, 'Fix the cause, then POST /v1/accounts/:id/sending/resume (docs/providers.md).'),
    );
  }
  if (providers.status === 200) {
    tableRows('providers', providers.body.providers, 'No message in the last day.', (p) =>
      el(
        'tr',
        { 'data-provider': p.provider },
        el('td', {}, p.provider),
        ...['sent', 'delivered', 'undelivered', 'failed', 'retrying'].map((k) =>
          el('td', { class: 'num', 'data-figure': k }, fmt(p[k])),
        ),
      ),
    );
  }
  if (replies.status === 200) {
    tableRows('unmatched', replies.body.replies, 'Every reply found its lead.', (r) =>
      el(
        'tr',
        { 'data-unmatched': r.id },
        el('td', {}, time(r.receivedAt)),
        el('td', {}, r.provider),
        el('td', {}, r.from),
        el('td', {}, r.kind),
        el('td', {}, r.text),
      ),
    );
  }
}

// --- Lobstr runs --------------------------------------------------------------------------------

const RUN_STATES = {
  retrying: 'Lobstr could not serve it; tried again',
  failed: 'failed: not retried',
};

/** Fills a table with the list a GET answers (`body[list]`); leaves it as it was when the GET fails. */
async function refreshTable(path, list, id, empty, rowOf) {
  const { status, body } = await call('GET', path);
  if (status === 200) tableRows(id, body[list], empty, rowOf);
}

// The refreshes below are constants: they are only called once the whole script has run (its last line).
const refreshLobstrRuns = () =>
  refreshTable('/v1/ops/lobstr-runs?limit=10', 'runs', 'lobstr-runs', 'No Lobstr run yet.', (r) =>
    el(
      'tr',
      { 'data-run': r.runId, class: r.status === 'failed' ? 'failed' : '' },
      el('td', { class: 'id' }, r.runId),
      el('td', {}, el('span', { class: r.status === 'failed' ? 'waiting' : '' }, r.status)),
      el('td', { class: 'num' }, `${Math.max(0, r.nextPage - 1)}/${r.totalPages ?? '?'}`),
      el('td', { class: 'num' }, fmt(r.adsReceived)),
      el('td', { class: 'num' }, fmt(r.attempts)),
      el(
        'td',
        { class: 'reason' },
        r.status === 'retrying' && r.nextAttemptAt
          ? `${RUN_STATES.retrying} at ${time(r.nextAttemptAt)}: ${r.lastError ?? ''}`
          : r.status === 'failed'
            ? `${RUN_STATES.failed}: ${r.lastError ?? ''}`
            : (r.lastError ?? ''),
      ),
      el('td', {}, when(r.updatedAt)),
    ),
  );

// --- webhooks ----------------------------------------------------------------------------------

const refreshWebhooks = () =>
  refreshTable('/v1/ops/webhooks/failing?limit=50', 'endpoints', 'webhooks-failing', 'Every endpoint answers.', (e) =>
    el(
      'tr',
      { 'data-webhook': e.id, class: e.enabled ? '' : 'error' },
      el('td', {}, e.accountId),
      el('td', {}, e.url),
      el('td', { title: e.disabledReason ?? '' }, e.enabled ? 'failing' : 'disabled'),
      el('td', {}, e.failingSince ? new Date(e.failingSince).toLocaleString('en-GB') : '–'),
      el('td', { class: 'num' }, fmt(e.pending)),
      el(
        'td',
        {},
        e.lastStatusCode === null ? (e.lastError ?? '–') : `HTTP ${e.lastStatusCode}`,
        e.lastAttemptAt ? ` (${time(e.lastAttemptAt)})` : '',
      ),
    ),
  );

// --- hunt preview ------------------------------------------------------------------------------

function previewBody(form) {
  const v = (name) => form.elements[name].value.trim();
  const list = (name) =>
    v(name)
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  const num = (name) => (v(name) === '' ? undefined : Number(v(name)));
  const body = {
    name: 'preview',
    adType: v('adType'),
    location: { label: v('label'), zipcode: v('zipcode'), lat: num('lat'), lng: num('lng') },
    radiusKm: num('radiusKm'),
  };
  if (list('brands').length) body.brands = list('brands');
  if (list('keywords').length) body.keywords = list('keywords');
  if (num('priceMin') !== undefined) body.priceMin = num('priceMin');
  if (num('priceMax') !== undefined) body.priceMax = num('priceMax');
  if (num('days') !== undefined) body.days = num('days');
  if (v('accountId')) body.accountId = v('accountId');
  return body;
}

async function preview(event) {
  event.preventDefault();
  const out = $('preview-result');
  out.textContent = 'Previewing…';
  try {
    const { status, body } = await call('POST', '/v1/ops/hunts/preview', previewBody(event.target));
    if (status === 404) {
      out.replaceChildren(el('p', { class: 'hint' }, 'preview not available'));
    } else if (status !== 200) {
      out.replaceChildren(el('p', { class: 'error' }, body?.message ?? `status ${status}`));
    } else {
      out.replaceChildren(
        el(
          'p',
          {},
          `${fmt(body.matchingAds)} ads in the last ${body.days} days (${Number(body.perDay).toFixed(1)} a day)${body.alreadyLeads === null || body.alreadyLeads === undefined ? '' : `, ${fmt(body.alreadyLeads)} already leads`}.`,
        ),
        el(
          'table',
          {},
          el(
            'thead',
            {},
            el(
              'tr',
              {},
              el('th', {}, 'title'),
              el('th', {}, 'price'),
              el('th', {}, 'city'),
              el('th', {}, 'km'),
              el('th', {}, 'published'),
            ),
          ),
          el(
            'tbody',
            {},
            body.sample.map((a) =>
              el(
                'tr',
                {},
                el('td', {}, a.url ? el('a', { href: a.url, target: '_blank', rel: 'noreferrer' }, a.title) : a.title),
                el('td', { class: 'num' }, euros(a.price)),
                el('td', {}, a.city ?? ''),
                el(
                  'td',
                  { class: 'num' },
                  a.distanceKm === null || a.distanceKm === undefined ? '' : a.distanceKm.toFixed(1),
                ),
                el('td', {}, a.firstPublishedAt ? new Date(a.firstPublishedAt).toLocaleDateString('en-GB') : ''),
              ),
            ),
          ),
        ),
      );
    }
  } catch (error) {
    if (error instanceof Refused) return showLogin('That token is refused.');
    out.replaceChildren(el('p', { class: 'error' }, error.message));
  }
}

// --- wiring ------------------------------------------------------------------------------------

tableHeads();
$('login-form').addEventListener('submit', (event) => {
  event.preventDefault();
  void open($('token').value.trim());
});
$('logout').addEventListener('click', () => showLogin());
$('account-form').addEventListener('submit', (event) => {
  event.preventDefault();
  state.account = $('account').value.trim();
  state.repliedOnly = $('replied-only').checked;
  state.shown = Object.fromEntries(STAGES.map((s) => [s, PAGE]));
  sessionStorage.setItem('opsAccount', state.account);
  void refresh();
});
$('replied-only').addEventListener('change', () => {
  state.repliedOnly = $('replied-only').checked;
  state.shown = Object.fromEntries(STAGES.map((s) => [s, PAGE]));
  void refreshLeads();
});
$('preview-form').addEventListener('submit', (event) => void preview(event));
// The chart follows the page's width (a phone turned, a window narrowed): a fixed width overflowed it.
window.addEventListener('resize', () => {
  if (state.chart) state.chart.setSize({ width: Math.max(280, $('hop-chart').clientWidth || 560), height: 200 });
});

if (state.token) void open(state.token);
