/* global document, window, sessionStorage, fetch, DOMParser, URL, CSS, crypto, setInterval, setTimeout, clearTimeout */
// The ops console's script: plain DOM, no framework. Text from the API only ever goes into the
// page as text nodes or attribute values (never as markup), so data cannot inject anything.

const KEY_ITEM = 'parcelwarden.console.key';
const REVIEWER_ITEM = 'parcelwarden.console.reviewer';

const DECISIONS = [
  { value: 'reship', label: 'Reship', key: 'r' },
  { value: 'refund', label: 'Refund', key: 'f' },
  { value: 'keep_waiting', label: 'Keep waiting', key: 'w' },
  { value: 'mark_delivered', label: 'Mark delivered', key: 'd' },
];

const $ = (id) => document.getElementById(id);

/** Builds an element: `attrs` are attributes (`on*` functions become listeners), children text or nodes. */
function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on') && typeof value === 'function') {
      el.addEventListener(name.slice(2), value);
    } else if (name === 'dataset') {
      Object.assign(el.dataset, value);
    } else {
      el.setAttribute(name, value === true ? '' : String(value));
    }
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    el.append(typeof child === 'string' || typeof child === 'number' ? String(child) : child);
  }
}

// ---- API ----------------------------------------------------------------------------------

class ApiError extends Error {
  constructor(status, problem) {
    super(problem?.detail ?? problem?.title ?? `HTTP ${status}`);
    this.status = status;
    this.code = problem?.code;
    this.errors = problem?.errors;
  }
}

function apiKey() {
  return sessionStorage.getItem(KEY_ITEM);
}
function reviewer() {
  return sessionStorage.getItem(REVIEWER_ITEM) ?? '';
}

async function request(method, path, { body, key = apiKey(), accept } = {}) {
  const headers = { authorization: `Bearer ${key}` };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (accept) headers.accept = accept;
  const res = await fetch(path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) {
    let problem;
    try {
      problem = await res.json();
    } catch {
      problem = undefined;
    }
    if (res.status === 401 && key === apiKey()) {
      logout('Your API key was refused (revoked or mistyped); log in again.');
    }
    throw new ApiError(res.status, problem);
  }
  return res;
}

async function api(method, path, body) {
  const res = await request(method, path, { body });
  return res.json();
}

/** Carrier display names by code (GET /v1/carriers), read once per key. */
let carrierNames = { key: undefined, names: new Map() };
async function loadCarrierNames() {
  if (carrierNames.key === apiKey()) return;
  try {
    const { items } = await api('GET', '/v1/carriers');
    carrierNames = { key: apiKey(), names: new Map(items.map((c) => [c.code, c.name])) };
  } catch {
    // Names are a nicety: without them the console shows the codes.
  }
}

/** A carrier as ops read it: its display name, or the code when the catalogue lacks it. */
function carrierLabel(code) {
  return carrierNames.names.get(String(code).toLowerCase()) ?? code;
}

// ---- formatting ---------------------------------------------------------------------------

const dateTime = new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'medium' });

function when(iso) {
  if (!iso) return '—';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? String(iso) : dateTime.format(d);
}

const shortDateTime = new Intl.DateTimeFormat('en-GB', {
  day: 'numeric',
  month: 'short',
  hour: '2-digit',
  minute: '2-digit',
});

/** A compact time for table cells; the full one is its tooltip. */
function shortWhen(iso) {
  const d = new Date(iso);
  if (!iso || Number.isNaN(d.getTime())) return when(iso);
  return h('time', { datetime: iso, title: when(iso) }, shortDateTime.format(d));
}

function money(amount, currency) {
  if (amount === undefined || amount === null) return '—';
  try {
    return new Intl.NumberFormat('en-GB', { style: 'currency', currency }).format(amount);
  } catch {
    return `${amount} ${currency ?? ''}`.trim();
  }
}

function span(seconds) {
  const s = Math.abs(Math.round(seconds));
  const d = Math.floor(s / 86400);
  const hh = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  const parts =
    d > 0 ? [`${d}d`, `${hh}h`] : hh > 0 ? [`${hh}h`, `${m}m`] : [`${m}m`, `${s % 60}s`];
  return parts.join(' ');
}

/** A live countdown to `iso`, refreshed every second by `tickCountdowns`. */
function countdown(iso) {
  const el = h('time', { datetime: iso, class: 'countdown', dataset: { deadline: iso } });
  tickOne(el, Date.now());
  return el;
}

function tickOne(el, now) {
  const left = (Date.parse(el.dataset.deadline) - now) / 1000;
  el.textContent = left >= 0 ? `${span(left)} left` : `overdue by ${span(left)}`;
  el.classList.toggle('overdue', left < 0);
  el.title = when(el.dataset.deadline);
}

function tickCountdowns() {
  const now = Date.now();
  for (const el of document.querySelectorAll('[data-deadline]')) tickOne(el, now);
}

const words = (s) => (s ? String(s).replace(/_/g, ' ') : '—');

function say(message, isError = false) {
  const status = $('status');
  status.textContent = message;
  status.classList.toggle('error', isError);
}

function problemText(err) {
  if (!(err instanceof ApiError)) return `The API cannot be reached (${err.message}).`;
  const fields = (err.errors ?? []).map((e) => `${e.path}: ${e.message}`).join('; ');
  return fields ? `${err.message} (${fields})` : err.message;
}

function table(caption, headers, rows, { empty = 'Nothing here.' } = {}) {
  return h(
    'table',
    {},
    h('caption', { class: 'muted small' }, caption),
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        headers.map((c) =>
          typeof c === 'string'
            ? h('th', { scope: 'col' }, c)
            : h('th', { scope: 'col', class: c.class }, c.label),
        ),
      ),
    ),
    h(
      'tbody',
      {},
      rows.length > 0 ? rows : h('tr', {}, h('td', { colspan: headers.length }, empty)),
    ),
  );
}

function facts(pairs) {
  return h(
    'dl',
    { class: 'facts' },
    pairs.filter(([, v]) => v !== undefined).map(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]),
  );
}

const shipmentLink = (id) => h('a', { href: `#/shipment/${encodeURIComponent(id)}` }, id);

/** Downloads an authenticated resource (CSV, PDF) through a blob URL. */
async function download(path, filename, accept) {
  try {
    const res = await request('GET', path, { accept });
    const url = URL.createObjectURL(await res.blob());
    const a = h('a', { href: url, download: filename });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 60_000);
  } catch (err) {
    say(problemText(err), true);
  }
}

// ---- login --------------------------------------------------------------------------------

function showLogin(message = '') {
  $('login').hidden = false;
  $('view').hidden = true;
  $('nav').hidden = true;
  $('who').hidden = true;
  $('logout').hidden = true;
  $('login-error').textContent = message;
  $('reviewer').value = reviewer();
  $('api-key').focus();
}

function logout(message = '') {
  const key = apiKey();
  // Ends the Temporal UI's codec session too; best effort (a refused key has none to end).
  if (key)
    fetch('/codec/session', {
      method: 'DELETE',
      headers: { authorization: `Bearer ${key}` },
    }).catch(() => undefined);
  sessionStorage.removeItem(KEY_ITEM);
  leaveView();
  leaveView = () => undefined;
  say('');
  showLogin(message);
}

async function onLogin(event) {
  event.preventDefault();
  const key = $('api-key').value.trim();
  const name = $('reviewer').value.trim();
  const error = $('login-error');
  if (!key) return void (error.textContent = 'Type your API key.');
  if (!name) return void (error.textContent = 'Type your name: it is recorded with decisions.');
  error.textContent = 'Checking the key…';
  try {
    await request('GET', '/v1/reviews?limit=1', { key });
  } catch (err) {
    error.textContent =
      err.status === 401
        ? 'That API key is not valid. Check it (no spaces) and try again.'
        : err.status === 403
          ? 'This key may not read the review queue: the console needs a key of role ops or admin.'
          : problemText(err);
    $('api-key').select();
    return;
  }
  sessionStorage.setItem(KEY_ITEM, key);
  sessionStorage.setItem(REVIEWER_ITEM, name);
  $('api-key').value = '';
  error.textContent = '';
  // Changing the hash routes (hashchange); an unchanged one needs routing here.
  if (!window.location.hash || window.location.hash === '#/') window.location.hash = '#/queue';
  else await route();
}

// ---- routing ------------------------------------------------------------------------------

let leaveView = () => undefined;

async function route() {
  if (!apiKey()) return showLogin();
  $('login').hidden = true;
  $('nav').hidden = false;
  $('logout').hidden = false;
  const who = $('who');
  who.hidden = false;
  who.textContent = `Deciding as ${reviewer()}`;
  const view = $('view');
  view.hidden = false;
  leaveView();
  leaveView = () => undefined;
  const [, name = 'queue', arg] = (window.location.hash || '#/queue').split('/');
  for (const a of document.querySelectorAll('#nav a')) {
    if (a.dataset.view === name) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  view.replaceChildren(h('p', { class: 'muted' }, 'Loading…'));
  const render = VIEWS[name] ?? VIEWS.queue;
  await loadCarrierNames();
  try {
    await render(view, arg === undefined ? undefined : decodeURIComponent(arg));
  } catch (err) {
    view.replaceChildren(
      h('h1', {}, 'Cannot show this page'),
      h('p', { class: 'error' }, problemText(err)),
    );
  }
}

// ---- review queue -------------------------------------------------------------------------

const queue = { items: [], current: 0, selected: new Set(), details: new Map(), busy: false };

async function decide(item, decision) {
  const label = DECISIONS.find((d) => d.value === decision).label;
  say(`${item.shipmentId}: ${label.toLowerCase()}…`);
  try {
    const result = await api(
      'POST',
      `/v1/shipments/${encodeURIComponent(item.shipmentId)}/review`,
      {
        decision,
        reviewer: reviewer(),
        round: item.round,
      },
    );
    say(
      `${item.shipmentId}: ${label.toLowerCase()} taken; the shipment is now ${words(result.stage)}.`,
    );
    return true;
  } catch (err) {
    say(`${item.shipmentId}: ${problemText(err)}`, true);
    return false;
  }
}

function decisionButtons(item, onDone) {
  return h(
    'div',
    { class: 'decide', role: 'group', 'aria-label': `Decide ${item.shipmentId}` },
    DECISIONS.map((d) =>
      h(
        'button',
        {
          type: 'button',
          dataset: { decision: d.value },
          'aria-label': `${d.label} ${item.shipmentId}`,
          onclick: async (event) => {
            const group = event.currentTarget.parentElement;
            for (const b of group.querySelectorAll('button')) b.disabled = true;
            const ok = await decide(item, d.value);
            if (ok) onDone();
            else for (const b of group.querySelectorAll('button')) b.disabled = false;
          },
        },
        d.label,
      ),
    ),
  );
}

function removeFromQueue(shipmentId) {
  const index = queue.items.findIndex((i) => i.shipmentId === shipmentId);
  if (index < 0) return;
  queue.items.splice(index, 1);
  queue.selected.delete(shipmentId);
  document.querySelector(`tr[data-shipment="${CSS.escape(shipmentId)}"]`)?.remove();
  if (queue.items.length === 0) {
    document
      .querySelector('#queue-table tbody')
      ?.append(h('tr', {}, h('td', { colspan: 9 }, 'Nothing awaits review.')));
  }
  queue.current = Math.max(0, Math.min(queue.current, queue.items.length - 1));
  updateQueueChrome();
  markCurrent(false);
}

function queueRow(item) {
  const checkbox = h('input', {
    type: 'checkbox',
    id: `select-${item.shipmentId}`,
    class: 'select',
    'aria-label': `Select ${item.shipmentId}`,
    onchange: (e) => {
      if (e.target.checked) queue.selected.add(item.shipmentId);
      else queue.selected.delete(item.shipmentId);
      updateQueueChrome();
    },
  });
  checkbox.checked = queue.selected.has(item.shipmentId);
  return h(
    'tr',
    {
      dataset: { shipment: item.shipmentId },
      tabindex: '-1',
      onfocusin: () => {
        const index = queue.items.indexOf(item);
        if (index >= 0 && index !== queue.current) {
          queue.current = index;
          markCurrent(false);
        }
      },
    },
    h('td', {}, checkbox),
    h(
      'td',
      {},
      shipmentLink(item.shipmentId),
      h('div', { class: 'muted small' }, item.trackingNumber),
    ),
    h('td', {}, words(item.reason)),
    h('td', {}, shortWhen(item.detectedAt)),
    h('td', { class: 'sla' }, item.slaDeadline ? countdown(item.slaDeadline) : '—'),
    h('td', { class: 'num' }, money(item.declaredValue, item.currency)),
    h('td', {}, carrierLabel(item.carrier)),
    h('td', {}, item.destination),
    h(
      'td',
      {},
      decisionButtons(item, () => removeFromQueue(item.shipmentId)),
    ),
  );
}

function updateQueueChrome() {
  const n = queue.selected.size;
  const count = $('selected-count');
  if (count) count.textContent = `${n} selected`;
  for (const b of document.querySelectorAll('#batch-bar button[data-decision]'))
    b.disabled = n === 0 || queue.busy;
  const total = $('queue-count');
  if (total) total.textContent = `${queue.items.length} awaiting review, oldest first`;
}

/** Highlights the current row, shows its evidence and (when asked) moves the focus to it. */
function markCurrent(focus) {
  const rows = document.querySelectorAll('#queue-table tbody tr[data-shipment]');
  rows.forEach((row, i) => row.classList.toggle('current', i === queue.current));
  const row = rows[queue.current];
  if (row && focus) row.focus();
  void showEvidence(queue.items[queue.current]);
}

async function shipmentDetail(id) {
  if (!queue.details.has(id)) {
    queue.details.set(id, api('GET', `/v1/shipments/${encodeURIComponent(id)}`));
  }
  try {
    return await queue.details.get(id);
  } catch (err) {
    queue.details.delete(id);
    throw err;
  }
}

function evidenceFacts(s) {
  const ev = s.suspicion?.evidence;
  const pod = ev?.proofOfDelivery;
  return facts([
    ['Reason', words(s.suspicion?.reason)],
    ['Detail', s.suspicion?.detail],
    ['Detected', s.suspicion ? when(s.suspicion.detectedAt) : undefined],
    [
      'Verification',
      s.verification ? `${words(s.verification.outcome)}: ${s.verification.detail}` : undefined,
    ],
    [
      'Proof of delivery',
      pod === undefined
        ? undefined
        : pod === null
          ? 'the carrier has none'
          : [
              `delivered ${when(pod.deliveredAt)}`,
              pod.signedBy ? `, signed by ${pod.signedBy}` : '',
              pod.location ? `, at ${pod.location.lat}, ${pod.location.lng}` : '',
              pod.note ? ` (${pod.note})` : '',
            ].join(''),
    ],
    ['Failed attempts', ev?.failedAttempts],
    ['Inquiries', ev?.inquiryIds?.length ? ev.inquiryIds.join(', ') : undefined],
    [
      'Last scan',
      s.lastEvent
        ? `${when(s.lastEvent.occurredAt)}: ${s.lastEvent.description ?? words(s.lastEvent.status)}`
        : undefined,
    ],
    [
      'Review SLA',
      s.stage === 'awaiting_review' && s.deadlines?.reviewSlaAt
        ? countdown(s.deadlines.reviewSlaAt)
        : undefined,
    ],
  ]);
}

async function showEvidence(item) {
  const panel = $('evidence');
  if (!panel) return;
  if (!item) {
    panel.replaceChildren(
      h('h2', {}, 'Evidence'),
      h('p', { class: 'muted' }, 'No shipment chosen.'),
    );
    return;
  }
  panel.dataset.for = item.shipmentId;
  panel.replaceChildren(
    h('h2', {}, `Evidence: ${item.shipmentId}`),
    h('p', { class: 'muted' }, 'Loading…'),
  );
  try {
    const s = await shipmentDetail(item.shipmentId);
    if (panel.dataset.for !== item.shipmentId) return;
    const recent = (s.timeline ?? []).slice(-6).reverse();
    panel.replaceChildren(
      h('h2', {}, `Evidence: ${item.shipmentId}`),
      evidenceFacts(s),
      h('h2', {}, 'Latest timeline'),
      h(
        'ol',
        { class: 'small' },
        recent.map((t) =>
          h('li', {}, h('time', { datetime: t.at }, when(t.at)), ` ${words(t.kind)}: ${t.detail}`),
        ),
      ),
      h(
        'p',
        {},
        h('a', { href: `#/shipment/${encodeURIComponent(item.shipmentId)}` }, 'Full timeline'),
      ),
    );
  } catch (err) {
    if (panel.dataset.for === item.shipmentId)
      panel.replaceChildren(
        h('h2', {}, `Evidence: ${item.shipmentId}`),
        h('p', { class: 'error' }, problemText(err)),
      );
  }
}

async function runBatch(decision) {
  const chosen = queue.items.filter((i) => queue.selected.has(i.shipmentId));
  if (chosen.length === 0 || queue.busy) return;
  queue.busy = true;
  updateQueueChrome();
  const label = DECISIONS.find((d) => d.value === decision).label;
  const batchId = crypto.randomUUID();
  const body = {
    batchId,
    decisions: chosen.map((i) => ({
      shipmentId: i.shipmentId,
      decision,
      reviewer: reviewer(),
      round: i.round,
    })),
  };
  const progress = $('batch-progress');
  const text = $('batch-text');
  progress.hidden = false;
  progress.max = chosen.length;
  progress.value = 0;
  text.textContent = `${label}: sending ${chosen.length} decisions…`;
  try {
    await api('POST', '/v1/reviews:batch', body);
    let state;
    do {
      state = await pollBatch(batchId);
      progress.value = state.done;
      text.textContent = `${label}: ${state.done} of ${state.total} decided, ${state.failed} failed`;
    } while (!state.finished);
    const failures = state.items.filter((i) => i.status === 'failed');
    text.textContent = `${label}: batch finished, ${state.succeeded} of ${state.total} decided${failures.length ? `, ${failures.length} failed` : ''}.`;
    $('batch-failures').replaceChildren(
      ...failures.map((f) =>
        h('li', { class: 'error' }, `${f.shipmentId}: ${f.error?.message ?? 'failed'}`),
      ),
    );
    for (const item of state.items)
      if (item.status === 'succeeded') removeFromQueue(item.shipmentId);
    say(text.textContent, failures.length > 0);
  } catch (err) {
    text.textContent = `${label}: ${problemText(err)}`;
    say(text.textContent, true);
  } finally {
    queue.busy = false;
    updateQueueChrome();
  }
}

/** Polls the batch about once a second; a progress read that times out is simply tried again. */
async function pollBatch(batchId) {
  await new Promise((resolve) => setTimeout(resolve, 800));
  try {
    return await api('GET', `/v1/reviews:batch/${encodeURIComponent(batchId)}`);
  } catch (err) {
    if (err.status === 503 || err.status === 404)
      return { done: 0, total: 0, failed: 0, finished: false };
    throw err;
  }
}

const SHORTCUTS = [
  [['j'], 'next shipment'],
  [['k'], 'previous shipment'],
  [['x'], 'select or unselect the shipment'],
  [['r', 'f', 'w', 'd'], 'reship, refund, keep waiting, mark delivered (the current shipment)'],
  [['Shift+R', 'Shift+F', 'Shift+W', 'Shift+D'], 'the same for every selected shipment (batch)'],
  [['o', 'Enter'], 'open the shipment’s timeline'],
  [['g'], 'reload the queue'],
];

function onQueueKey(event) {
  if (event.ctrlKey || event.metaKey || event.altKey) return;
  const target = event.target;
  if (target instanceof window.HTMLInputElement && target.type !== 'checkbox') return;
  if (target instanceof window.HTMLTextAreaElement || target instanceof window.HTMLSelectElement)
    return;
  const item = queue.items[queue.current];
  const key = event.key;
  const move = (delta) => {
    if (queue.items.length === 0) return;
    queue.current = Math.max(0, Math.min(queue.items.length - 1, queue.current + delta));
    markCurrent(true);
  };
  const decision = DECISIONS.find((d) => d.key === key.toLowerCase());
  if (key === 'j') move(1);
  else if (key === 'k') move(-1);
  else if (key === 'g') void route();
  else if (key === 'x' && item) {
    const box = $(`select-${item.shipmentId}`);
    box.checked = !box.checked;
    box.dispatchEvent(new window.Event('change'));
  } else if ((key === 'o' || (key === 'Enter' && target.tagName === 'TR')) && item) {
    window.location.hash = `#/shipment/${encodeURIComponent(item.shipmentId)}`;
  } else if (decision && event.shiftKey) void runBatch(decision.value);
  else if (decision && item) {
    const row = document.querySelector(`tr[data-shipment="${CSS.escape(item.shipmentId)}"]`);
    row?.querySelector(`button[data-decision="${decision.value}"]`)?.click();
  } else return;
  event.preventDefault();
}

/** The whole pending queue, oldest first, page by page. */
async function pendingReviews() {
  const items = [];
  let cursor = null;
  do {
    const query = cursor ? `&cursor=${encodeURIComponent(cursor)}` : '';
    const page = await api('GET', `/v1/reviews?limit=200${query}`);
    items.push(...page.items);
    cursor = page.nextCursor ?? null;
  } while (cursor);
  return items;
}

async function renderQueue(view) {
  const items = await pendingReviews();
  queue.items = items;
  queue.current = 0;
  queue.selected = new Set();
  queue.details = new Map();
  const allBox = h('input', {
    type: 'checkbox',
    id: 'select-all',
    'aria-label': 'Select every shipment in the queue',
    onchange: (e) => {
      for (const box of document.querySelectorAll('#queue-table input.select')) {
        box.checked = e.target.checked;
        box.dispatchEvent(new window.Event('change'));
      }
    },
  });
  view.replaceChildren(
    h('h1', {}, 'Review queue ', h('span', { id: 'queue-count', class: 'muted small' })),
    h(
      'div',
      { id: 'batch-bar', class: 'toolbar', role: 'toolbar', 'aria-label': 'Batch decisions' },
      h('span', { id: 'selected-count' }, '0 selected'),
      DECISIONS.map((d) =>
        h(
          'button',
          { type: 'button', dataset: { decision: d.value }, onclick: () => runBatch(d.value) },
          `${d.label} selected`,
        ),
      ),
      h('button', { type: 'button', id: 'reload', onclick: () => route() }, 'Reload'),
      h('progress', {
        id: 'batch-progress',
        max: 1,
        value: 0,
        hidden: true,
        'aria-label': 'Batch progress',
      }),
      h('span', { id: 'batch-text', role: 'status' }),
    ),
    h('ul', { id: 'batch-failures' }),
    h(
      'div',
      { class: 'queue-layout' },
      h(
        'div',
        {},
        h(
          'table',
          { id: 'queue-table' },
          h('caption', { class: 'muted small' }, 'Shipments awaiting a decision, oldest first'),
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              h('th', { scope: 'col' }, allBox),
              ['Shipment', 'Reason', 'Detected', 'SLA'].map((c) => h('th', { scope: 'col' }, c)),
              h('th', { scope: 'col', class: 'num' }, 'Value'),
              ['Carrier', 'Destination', 'Decide'].map((c) => h('th', { scope: 'col' }, c)),
            ),
          ),
          h(
            'tbody',
            {},
            items.length > 0
              ? items.map(queueRow)
              : h('tr', {}, h('td', { colspan: 9 }, 'Nothing awaits review.')),
          ),
        ),
        h(
          'details',
          { class: 'shortcuts', open: true },
          h('summary', {}, 'Keyboard shortcuts'),
          h(
            'dl',
            { class: 'facts' },
            SHORTCUTS.map(([keys, what]) => [
              h(
                'dt',
                {},
                keys.map((k, i) => [i > 0 ? ' ' : '', h('kbd', {}, k)]),
              ),
              h('dd', {}, what),
            ]),
          ),
          h('p', { class: 'small' }, 'Every button is also reachable with Tab and Enter.'),
        ),
      ),
      h('aside', { id: 'evidence', class: 'evidence', 'aria-label': 'Evidence' }),
    ),
  );
  updateQueueChrome();
  markCurrent(false);
  document.addEventListener('keydown', onQueueKey);
  leaveView = () => document.removeEventListener('keydown', onQueueKey);
}

// ---- shipment -----------------------------------------------------------------------------

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * The codec session cookie is SameSite=Strict: the Temporal UI only sends it when it runs on the
 * same site as this API. On one machine the UI link may say localhost while the console runs on
 * 127.0.0.1 (or the reverse), so a loopback UI is opened under the console's own host name.
 */
function sameSiteUiUrl(url) {
  const ui = new URL(url, window.location.href);
  if (LOOPBACK.has(ui.hostname) && LOOPBACK.has(window.location.hostname))
    ui.hostname = window.location.hostname;
  return ui.href;
}

/**
 * Opens a codec session (a cookie the Temporal UI's codec calls carry instead of our key; turn on
 * "Include cross-origin credentials" in the UI's Data Encoder settings), then the UI. The tab is
 * opened at once, while the click still allows pop-ups, and pointed at the UI once the cookie is set.
 */
async function openDecodedUi(url) {
  const tab = window.open('', '_blank');
  try {
    await request('POST', '/codec/session');
  } catch (err) {
    tab?.close();
    say(problemText(err), true);
    return;
  }
  const target = sameSiteUiUrl(url);
  if (!tab) {
    say('The browser blocked the new tab: allow pop-ups for the console, or use the link.', true);
    return;
  }
  tab.opener = null;
  tab.location.href = target;
  say(
    'Codec session open for 8 hours. In the Temporal UI, turn on "Include cross-origin credentials" under Data Encoder once.',
  );
}

async function renderShipment(view, id) {
  const path = `/v1/shipments/${encodeURIComponent(id)}`;
  const [state, history, messages] = await Promise.allSettled([
    api('GET', path),
    api('GET', `${path}/history`),
    api('GET', `${path}/messages`),
  ]);
  if (state.status === 'rejected') throw state.reason;
  const s = state.value;
  const sections = [
    h('h1', {}, `Shipment ${s.shipmentId}`),
    h(
      'p',
      {},
      h('a', { href: '#/queue' }, 'Back to the queue'),
      history.status === 'fulfilled'
        ? [
            ' · ',
            h(
              'a',
              {
                href: history.value.temporalUiUrl,
                rel: 'noopener',
                target: '_blank',
                id: 'temporal-link',
              },
              'Open the workflow in the Temporal UI',
            ),
            ' · ',
            h(
              'button',
              {
                type: 'button',
                id: 'temporal-decoded',
                onclick: () => void openDecodedUi(history.value.temporalUiUrl),
              },
              'Open Temporal UI with payloads decoded',
            ),
          ]
        : '',
    ),
    facts([
      ['Stage', words(s.stage)],
      ['Resolution', s.resolution ? words(s.resolution) : undefined],
      ['Order', s.orderId],
      ['Carrier', `${carrierLabel(s.carrier)} ${s.trackingNumber}`],
      ['Destination', s.destination],
      ['Declared value', money(s.declaredValue, s.currency)],
      ['Policy', s.policy],
      ['Registered', when(s.registeredAt)],
      [
        'Review',
        s.review
          ? `${words(s.review.decision)} by ${s.review.reviewer}${s.review.automatic ? ' (automatic)' : ''}, ${when(s.review.decidedAt)}`
          : undefined,
      ],
      [
        'Reship',
        s.reship
          ? `${s.reship.shipmentId} with ${carrierLabel(s.reship.carrier)} ${s.reship.trackingNumber} from ${s.reship.warehouseId}`
          : undefined,
      ],
      [
        'Refund',
        s.refund
          ? `${money(s.refund.amount, s.refund.currency)}${s.refund.status ? ` (${words(s.refund.status)})` : ''}`
          : undefined,
      ],
      ['Claim', s.claim ? `${words(s.claim.status)}: ${words(s.claim.reason)}` : undefined],
      // Deadlines of a closed shipment are history, not countdowns.
      ...(s.stage === 'closed'
        ? []
        : [
            ['Stall at', s.deadlines?.stallAt ? countdown(s.deadlines.stallAt) : undefined],
            ['Overdue at', s.deadlines?.overdueAt ? countdown(s.deadlines.overdueAt) : undefined],
          ]),
    ]),
  ];
  if (s.stage === 'awaiting_review') {
    sections.push(
      h('h2', {}, 'Decide'),
      decisionButtons({ shipmentId: s.shipmentId, round: s.reviewRound }, () => route()),
    );
  }
  if (s.suspicion) sections.push(h('h2', {}, 'Evidence'), evidenceFacts(s));

  const rows = [
    ...(s.timeline ?? []).map((t) => ({ at: t.at, what: words(t.kind), detail: t.detail })),
    ...(messages.status === 'fulfilled' ? messages.value.items : []).map((m) =>
      m.direction === 'out'
        ? {
            at: m.at,
            what: `message ${words(m.status)}`,
            detail: `${words(m.kind)} by ${m.channel} to ${m.to}: ${m.subject ?? ''}`,
          }
        : m.type === 'inquiry'
          ? { at: m.at, what: 'customer inquiry', detail: `${m.channel}: ${m.message}` }
          : {
              at: m.at,
              what: 'survey answer',
              detail: `${m.rating}/5${m.comment ? `: ${m.comment}` : ''}`,
            },
    ),
  ].sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
  sections.push(
    h('h2', {}, 'Timeline'),
    table(
      'Tracking events, stage changes, messages, reship and claim, oldest first',
      ['When', 'What', 'Detail'],
      rows.map((r) =>
        h(
          'tr',
          {},
          h('td', {}, h('time', { datetime: r.at }, when(r.at))),
          h('td', {}, r.what),
          h('td', {}, r.detail),
        ),
      ),
      { empty: 'No entries yet.' },
    ),
  );
  if (messages.status === 'rejected')
    sections.push(h('p', { class: 'error' }, `Messages: ${problemText(messages.reason)}`));
  sections.push(h('h2', {}, 'Workflow history'));
  if (history.status === 'fulfilled') {
    sections.push(
      table(
        'What the workflow did, from its event history',
        ['When', 'What', 'Who'],
        history.value.entries.map((e) =>
          h(
            'tr',
            {},
            h('td', {}, h('time', { datetime: e.at }, when(e.at))),
            h('td', {}, e.summary),
            h('td', {}, e.actor ?? ''),
          ),
        ),
      ),
    );
  } else {
    sections.push(h('p', { class: 'error' }, problemText(history.reason)));
  }
  view.replaceChildren(...sections);
  view.focus();
}

// ---- claims, messages, analytics ----------------------------------------------------------

/** A table filled page by page from a cursor-paged list. */
async function pagedTable(view, { title, path, caption, headers, row, empty }) {
  const body = h('tbody');
  const more = h('button', { type: 'button' }, 'Load more');
  let cursor;
  const load = async () => {
    const sep = path.includes('?') ? '&' : '?';
    const page = await api(
      'GET',
      cursor ? `${path}${sep}cursor=${encodeURIComponent(cursor)}` : path,
    );
    if (page.items.length === 0 && body.children.length === 0)
      body.append(h('tr', {}, h('td', { colspan: headers.length }, empty)));
    body.append(...page.items.map(row));
    cursor = page.nextCursor ?? undefined;
    more.hidden = !cursor;
  };
  more.addEventListener('click', () => load().catch((err) => say(problemText(err), true)));
  await load();
  view.replaceChildren(
    h('h1', {}, title),
    h(
      'table',
      {},
      h('caption', { class: 'muted small' }, caption),
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          headers.map((c) => h('th', { scope: 'col' }, c)),
        ),
      ),
      body,
    ),
    h('p', {}, more),
  );
}

function renderClaims(view) {
  return pagedTable(view, {
    title: 'Claims',
    path: '/v1/claims?limit=50',
    caption: 'Carrier claims with their deadlines, newest first',
    empty: 'No claims.',
    headers: [
      'Claim',
      'Shipment',
      'Carrier',
      'Reason',
      'Status',
      'Claimed',
      'Recovered',
      'Eligible at',
      'Window closes',
      'Evidence',
    ],
    row: (c) =>
      h(
        'tr',
        {},
        h('td', {}, c.externalClaimId ?? c.id),
        h('td', {}, shipmentLink(c.shipmentId)),
        h('td', {}, carrierLabel(c.carrier)),
        h('td', {}, words(c.reason)),
        h('td', {}, words(c.status)),
        h('td', { class: 'num' }, money(c.amounts.claimed, c.amounts.currency)),
        h(
          'td',
          { class: 'num' },
          c.amounts.recovered === undefined ? '—' : money(c.amounts.recovered, c.amounts.currency),
        ),
        h('td', {}, when(c.deadlines.eligibleAt)),
        h(
          'td',
          {},
          c.deadlines.windowClosesAt
            ? [when(c.deadlines.windowClosesAt), ' (', countdown(c.deadlines.windowClosesAt), ')']
            : '—',
        ),
        h(
          'td',
          {},
          h(
            'button',
            {
              type: 'button',
              'aria-label': `Evidence PDF of claim ${c.id}`,
              onclick: () => download(c.links.evidencePdf, `claim-${c.id}.pdf`, 'application/pdf'),
            },
            'PDF',
          ),
        ),
      ),
  });
}

function renderMessages(view) {
  return pagedTable(view, {
    title: 'Failing messages',
    path: '/v1/messages?status=failing&limit=50',
    caption: 'Customer messages the outbox keeps retrying',
    empty: 'No failing messages.',
    headers: [
      'Shipment',
      'Kind',
      'Channel',
      'To',
      'Subject',
      'Attempts',
      'Last error',
      'Next attempt',
      'Ops alerted',
    ],
    row: (m) =>
      h(
        'tr',
        {},
        h('td', {}, m.shipmentId ? shipmentLink(m.shipmentId) : '—'),
        h('td', {}, words(m.kind)),
        h('td', {}, m.channel),
        h('td', {}, m.to),
        h('td', {}, m.subject ?? ''),
        h('td', { class: 'num' }, m.attempts),
        h('td', {}, m.lastError ?? ''),
        h('td', {}, when(m.nextAttemptAt)),
        h('td', {}, when(m.opsAlertedAt)),
      ),
  });
}

/** Parses our own SVG answer as XML and adopts it: no markup from a string goes into the page. */
function svgNode(text) {
  const doc = new DOMParser().parseFromString(text, 'image/svg+xml');
  const root = doc.documentElement;
  if (root.nodeName !== 'svg') throw new Error('the chart is not an SVG image');
  for (const script of root.querySelectorAll('script, foreignObject')) script.remove();
  return document.importNode(root, true);
}

async function renderAnalytics(view) {
  let tables;
  try {
    ({ tables } = await api('GET', '/v1/analytics'));
  } catch (err) {
    if (err.status !== 403) throw err;
    view.replaceChildren(
      h('h1', {}, 'Analytics'),
      h(
        'p',
        { class: 'error' },
        'Analytics need a key of role analyst or admin; this key may not read them. Log out and log in with such a key.',
      ),
    );
    return;
  }
  const figures = tables.map((t) =>
    h(
      'figure',
      { class: 'chart', id: `chart-${t.name}`, 'aria-busy': 'true' },
      h(
        'figcaption',
        {},
        t.title,
        ' ',
        h(
          'button',
          { type: 'button', onclick: () => download(t.csv, `${t.name}.csv`, 'text/csv') },
          'CSV',
        ),
      ),
    ),
  );
  view.replaceChildren(h('h1', {}, 'Analytics'), h('div', { class: 'charts' }, figures));
  await Promise.all(
    tables.map(async (t, i) => {
      const figure = figures[i];
      try {
        const res = await request('GET', t.svg, { accept: 'image/svg+xml' });
        figure.prepend(svgNode(await res.text()));
      } catch (err) {
        figure.append(h('p', { class: 'error' }, problemText(err)));
      } finally {
        figure.removeAttribute('aria-busy');
      }
    }),
  );
}

const VIEWS = {
  queue: renderQueue,
  shipment: renderShipment,
  claims: renderClaims,
  messages: renderMessages,
  analytics: renderAnalytics,
};

// ---- start --------------------------------------------------------------------------------

let hashTimer;
function start() {
  $('login-form').addEventListener('submit', (e) => void onLogin(e));
  $('logout').addEventListener('click', () => logout('Logged out.'));
  window.addEventListener('hashchange', () => {
    clearTimeout(hashTimer);
    hashTimer = setTimeout(() => void route(), 0);
  });
  setInterval(tickCountdowns, 1000);
  void route();
}

start();
