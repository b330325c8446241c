// mvmqtt inspector page: plain DOM, no framework. One EventSource per selected device brings
// `devices`, `events` (batches of view events) and `state` messages; controls are JSON POSTs.
// Events are generic: a kind, an area, a one-line text; known kinds get richer rendering.

const $ = (id) => document.getElementById(id);
const MAX_EVENTS = 4000; // kept in the page
const MAX_ROWS = 600; // rendered in a table
const SEQ_ROWS = 70; // sequence-diagram messages

const page = {
  device: new URLSearchParams(location.search).get('device') ?? '',
  devices: [],
  events: [],
  state: undefined,
  source: undefined,
  counts: { calls: 0, errors: 0, notes: 0, pin: 0, pout: 0 },
  skipped: 0,
  totals: undefined,
  functions: new Set(),
  channels: new Set(),
  paused: false,
  held: [],
  seqDirty: false,
};

// ---------------------------------------------------------------- helpers

function el(tag, props = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (k === 'class') e.className = v;
    else if (k === 'text') e.textContent = v;
    else if (k.startsWith('aria-') || k === 'role' || k === 'title') e.setAttribute(k, v);
    else e[k] = v;
  }
  for (const c of children) if (c !== undefined && c !== null) e.append(c);
  return e;
}

const hex = (n) => `0x${(n >>> 0).toString(16)}`;
const short = (name, prefix) => (name && name.startsWith(prefix) ? name.slice(prefix.length) : name);
const statusShort = (s) => short(s, 'MV_STATUS_');

async function post(action, body = {}) {
  const res = await fetch(`/api/devices/${encodeURIComponent(page.device)}/${action}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const data = await res.json().catch(() => ({ error: `HTTP ${res.status}` }));
  if (!res.ok) throw new Error(data.error ?? `HTTP ${res.status}`);
  return data.message;
}

// ---------------------------------------------------------------- the stream

function connect() {
  page.source?.close();
  const src = new EventSource(`/events${page.device ? `?device=${encodeURIComponent(page.device)}` : ''}`);
  page.source = src;
  src.addEventListener('open', () => setLink('live', true));
  src.addEventListener('error', () => setLink('reconnecting…', false));
  src.addEventListener('devices', (m) => onDevices(JSON.parse(m.data)));
  src.addEventListener('state', (m) => onState(JSON.parse(m.data)));
  src.addEventListener('events', (m) => onEvents(JSON.parse(m.data)));
}

function setLink(text, live) {
  const l = $('link');
  l.textContent = text;
  l.classList.toggle('live', live);
}

function selectDevice(id) {
  if (id === page.device) return;
  page.device = id;
  const url = new URL(location.href);
  url.searchParams.set('device', id);
  history.replaceState(null, '', url);
  resetDeviceView();
  connect();
}

function resetDeviceView() {
  page.events = [];
  page.held = [];
  page.state = undefined;
  page.counts = { calls: 0, errors: 0, notes: 0, pin: 0, pout: 0 };
  page.skipped = 0;
  page.totals = undefined;
  $('inject-topic').value = ''; // the next device's own topics are offered when its state arrives
  page.functions.clear();
  page.channels.clear();
  for (const sel of ['f-function', 'f-channel']) $(sel).replaceChildren(el('option', { value: '', text: 'all' }));
  $('timeline').replaceChildren();
  $('packets').replaceChildren();
  renderSummary();
  renderState();
  page.seqDirty = true;
}

// ---------------------------------------------------------------- devices

// A fleet lists thousands of devices: the list shows this many, narrowed by the filter.
const DEVICE_ROWS = 200;

function onDevices(list) {
  page.devices = list;
  if (!page.device && list.length) return selectDevice(list[0].id);
  renderDevices();
}

function renderDevices() {
  const list = page.devices;
  const filter = $('device-filter').value.trim().toLowerCase();
  $('device-filter').parentElement.hidden = list.length <= 10;
  let shown = filter ? list.filter((d) => d.name.toLowerCase().includes(filter) || d.id === page.device) : list;
  const more = shown.length - DEVICE_ROWS;
  if (more > 0) {
    // Keep the selected device in view even when it is past the first rows.
    const selected = shown.find((d) => d.id === page.device);
    shown = shown.slice(0, DEVICE_ROWS);
    if (selected && !shown.includes(selected)) shown.push(selected);
  }
  const ul = $('devices');
  ul.replaceChildren(
    ...shown.map((d) =>
      el(
        'li',
        {},
        el(
          'button',
          { type: 'button', 'aria-current': String(d.id === page.device), onclick: () => selectDevice(d.id), title: `${d.name} (network ${d.networkUp ? 'up' : 'down'})` },
          el('span', { class: `dot${d.networkUp ? '' : ' down'}`, 'aria-hidden': 'true' }),
          el('span', { text: d.name }),
        ),
      ),
    ),
  );
  if (more > 0) ul.append(el('li', { class: 'more', text: `${more.toLocaleString('en-US')} more: type to find one` }));
  $('no-devices').hidden = list.length > 0;
  const current = list.find((d) => d.id === page.device);
  $('device-title').textContent = current ? current.name : list.length ? '' : 'waiting for a device…';
  for (const id of ['net-down', 'net-up', 'broker-drop']) $(id).disabled = !current;
}

// ---------------------------------------------------------------- events

function onEvents({ events, skipped, totals }) {
  page.skipped += skipped;
  if (totals) page.totals = totals;
  for (const name of Object.keys(totals?.byFunction ?? {})) addFunction(name);
  // Events left out of a busy batch: one marker row where they were (the totals count them).
  if (skipped > 0 && page.events.length) events = [{ seq: 0, t: events[0]?.t ?? 0, kind: 'skipped', area: 'inspector', text: `… ${skipped.toLocaleString('en-US')} more events (counted in the totals, not shown)` }, ...events];
  for (const e of events) count(e);
  page.events.push(...events);
  if (page.events.length > MAX_EVENTS) page.events.splice(0, page.events.length - MAX_EVENTS);
  if (page.paused) page.held.push(...events);
  else addRows(events);
  renderSummary();
  page.seqDirty = true;
  scheduleSequence();
}

function addFunction(name) {
  if (page.functions.has(name)) return;
  page.functions.add(name);
  addOption('f-function', name, name);
}

function count(e) {
  if (e.kind === 'syscall') {
    page.counts.calls++;
    if (e.status !== 0) page.counts.errors++;
    addFunction(e.name);
  } else if (e.kind === 'notification') page.counts.notes++;
  else if (e.kind === 'mqtt') e.direction === 'in' ? page.counts.pin++ : page.counts.pout++;
  if (e.channel !== undefined && !page.channels.has(e.channel)) {
    page.channels.add(e.channel);
    addOption('f-channel', String(e.channel), hex(e.channel));
  }
}

function addOption(selectId, value, text) {
  const sel = $(selectId);
  const opts = [...sel.options].slice(1);
  const before = opts.find((o) => o.text.localeCompare(text) > 0);
  sel.insertBefore(el('option', { value, text }), before ?? null);
}

function filters() {
  const kinds = new Set([...document.querySelectorAll('input[name="kind"]:checked')].map((i) => i.value));
  return { fn: $('f-function').value, status: $('f-status').value, channel: $('f-channel').value, kinds, text: $('f-text').value.trim().toLowerCase() };
}

const KNOWN_KINDS = new Set(['syscall', 'notification', 'readable', 'mqtt']);

function passes(e, f) {
  if (!f.kinds.has(KNOWN_KINDS.has(e.kind) ? e.kind : 'other')) return false;
  if (f.fn && (e.kind !== 'syscall' || e.name !== f.fn)) return false;
  if (f.status && (e.kind !== 'syscall' || (f.status === 'ok') !== (e.status === 0))) return false;
  if (f.channel && String(e.channel) !== f.channel) return false;
  if (f.text && !e.text.toLowerCase().includes(f.text)) return false;
  return true;
}

function timelineRow(e) {
  const tr = el('tr', { class: `k-${e.kind}` });
  tr.append(el('td', { class: 't', text: e.t.toFixed(1) }));
  tr.append(el('td', {}, el('span', { class: `kind ${e.kind}`, text: e.kind === 'mqtt' ? 'packet' : e.kind })));
  tr.append(el('td', { class: 'ch', text: e.channel !== undefined ? hex(e.channel) : '' }));
  const ev = el('td', { class: 'ev' });
  if (e.kind === 'syscall') {
    ev.append(el('span', { class: 'fn', text: e.name }), '(');
    e.args.forEach((a, i) => {
      if (i) ev.append(', ');
      ev.append(el('span', { class: 'arg', title: `${a.direction} ${a.name}` }, `${a.name}=`, el('b', { text: a.text })));
    });
    ev.append(')');
  } else if (e.kind === 'mqtt') {
    ev.append(el('span', { class: e.direction === 'in' ? 'dir-in' : 'dir-out', text: e.text }));
  } else ev.textContent = e.text;
  tr.append(ev);
  const st = el('td', { class: 'st' });
  if (e.kind === 'syscall') st.append(el('span', { class: `status ${e.status === 0 ? 'ok' : 'err'}`, text: statusShort(e.statusName) }));
  else if (e.kind === 'notification' && e.outcome !== 'written') st.append(el('span', { class: 'status err', text: e.outcome }));
  tr.append(st);
  return tr;
}

function payloadCell(p) {
  if (!p) return el('td', {});
  const td = el('td', { class: 'payload' });
  if (p.text !== undefined) td.append(p.text);
  else td.append(el('span', { class: 'hex', text: p.hex + (p.bytes > 32 ? ' …' : '') }));
  td.append(el('span', { class: 'hex', text: `  ${p.bytes} B` }));
  return td;
}

function packetRow(e) {
  return el(
    'tr',
    {},
    el('td', { class: 't', text: e.t.toFixed(1) }),
    el('td', { class: e.direction === 'in' ? 'dir-in' : 'dir-out', text: e.direction === 'in' ? '← in' : '→ out' }),
    el('td', { class: 'ev', text: `${e.cmd.toUpperCase()}${e.messageId ? ` #${e.messageId}` : ''}` }),
    el('td', { class: 'ev', text: e.topic ?? '' }),
    el('td', { text: e.qos ?? '' }),
    payloadCell(e.payload),
    el('td', { text: e.reasonCode ?? '' }),
  );
}

function prepend(tbody, rows) {
  if (!rows.length) return;
  const frag = document.createDocumentFragment();
  for (let i = rows.length - 1; i >= 0; i--) frag.append(rows[i]);
  tbody.prepend(frag);
  while (tbody.rows.length > MAX_ROWS) tbody.deleteRow(-1);
}

function addRows(events) {
  const f = filters();
  const recent = events.length > MAX_ROWS ? events.slice(-MAX_ROWS) : events;
  prepend($('timeline'), recent.filter((e) => passes(e, f)).map(timelineRow));
  prepend($('packets'), recent.filter((e) => e.kind === 'mqtt').map(packetRow));
}

function rebuildTimeline() {
  const f = filters();
  const rows = [];
  for (let i = page.events.length - 1; i >= 0 && rows.length < MAX_ROWS; i--) if (passes(page.events[i], f)) rows.push(page.events[i]);
  rows.reverse();
  $('timeline').replaceChildren();
  prepend($('timeline'), rows.map(timelineRow));
}

function renderSummary() {
  // The server's totals count every event since the attach; the page's own counts only those it received.
  const t = page.totals;
  const c = t ? { calls: t.calls, errors: t.errors, notes: t.notifications, pin: t.packetsIn, pout: t.packetsOut } : page.counts;
  const n = (x) => x.toLocaleString('en-US');
  $('sum-calls').textContent = n(c.calls);
  $('sum-errors').textContent = n(c.errors);
  $('sum-notes').textContent = n(c.notes);
  $('sum-packets').textContent = `${n(c.pin)} / ${n(c.pout)}`;
  const d = $('dropped');
  const lost = page.skipped;
  d.hidden = lost === 0;
  d.textContent = `${lost.toLocaleString('en-US')} events were not shown in detail to keep up (the newest are; the totals above count all).`;
}

// ---------------------------------------------------------------- state (rings, channels, network)

function onState(s) {
  page.state = s;
  renderState();
  renderSummary();
}

function kv(pairs) {
  const dl = el('dl', { class: 'kv' });
  for (const [k, v] of pairs) if (v !== undefined && v !== '') dl.append(el('dt', { text: k }), el('dd', { text: String(v) }));
  return dl;
}

function renderState() {
  const s = page.state;
  const net = $('sum-network');
  net.textContent = s ? (s.networkUp ? 'connected' : 'down') : '–';
  net.className = `value pill${s ? (s.networkUp ? ' up' : ' down') : ''}`;
  $('sum-channels').textContent = s ? s.channels.length : 0;

  const chans = $('channels');
  if (!s || !s.channels.length) chans.replaceChildren(el('p', { class: 'empty', text: 'No channel open.' }));
  else chans.replaceChildren(...s.channels.map(channelBox));

  const topics = new Set();
  for (const ch of s?.channels ?? []) for (const sub of ch.session?.subscriptions ?? []) if (!/[+#]/.test(sub.topic)) topics.add(sub.topic);
  $('topics').replaceChildren(...[...topics].map((t) => el('option', { value: t })));
  const topicInput = $('inject-topic');
  if (!topicInput.value && topics.size) topicInput.value = [...topics][0];

  const rings = $('rings');
  if (!s || !s.centres.length) rings.replaceChildren(el('p', { class: 'empty', text: 'No notification centre.' }));
  else rings.replaceChildren(...s.centres.map(centreBox));

  $('network').replaceChildren(
    s
      ? kv([
          ['link', s.networkUp ? 'CONNECTED' : 'down (Microvisor keeps CONNECTING)'],
          ['requests', s.networkRequests.join(', ') || 'none'],
          ['ring overruns', s.overruns],
          ['records dropped', s.dropped],
          ['inject via', s.injectTo ?? 'unknown until the device connects'],
        ])
      : el('p', { class: 'empty', text: 'No device selected.' }),
  );
}

function channelBox(ch) {
  const stateClass = ch.state === 'connected' ? 'st-connected' : ch.state.startsWith('closed') ? 'st-closed' : '';
  const box = el('article', { class: 'chan', 'aria-label': `channel ${ch.handle}` }, el('header', {}, el('span', { text: `${ch.handle} · ${short(ch.type, 'MV_CHANNELTYPE_')}` }), el('span', { class: stateClass, text: ch.state })));
  const se = ch.session;
  box.append(
    kv([
      ['notifies', `${ch.centre} tag ${ch.tag}`],
      ['broker', se?.broker],
      ['client id', se?.clientId],
      ['protocol', se?.protocol],
      ['session', se?.state],
      ['packets', se ? `${se.packetsIn} in / ${se.packetsOut} out` : undefined],
    ]),
  );
  if (se?.subscriptions.length) {
    box.append(
      el(
        'ul',
        { class: 'subs', 'aria-label': 'subscriptions' },
        ...se.subscriptions.map((sub) => el('li', {}, el('span', { text: sub.topic }), el('span', { class: 'q', text: sub.granted === undefined ? `QoS ${sub.requestedQos} …` : sub.granted >= 0x80 ? `refused ${hex(sub.granted)}` : `QoS ${sub.granted}` }))),
      ),
    );
  }
  return box;
}

// Slot colours by event-type value: any area's event types get one without a table here.
const PALETTE = ['#475569', '#a855f7', '#f59e0b', '#ef4444', '#22c55e', '#06b6d4', '#ec4899', '#84cc16'];
const slotColour = (value) => PALETTE[value % PALETTE.length];

function centreBox(c) {
  const ring = el('div', { class: 'ring', role: 'list', 'aria-label': `ring of IRQ ${c.irq}` });
  const present = new Map();
  c.slots.forEach((slot, i) => {
    const empty = slot.eventValue === 0;
    if (!empty) present.set(slot.eventType, slot.eventValue);
    const cls = ['slot'];
    if (empty) cls.push('empty-slot');
    if (i === c.writePosition) cls.push('w');
    if (i === c.deliveredPosition) cls.push('r');
    const bar = el('span', { class: 'bar' });
    if (!empty) bar.style.background = slotColour(slot.eventValue);
    ring.append(
      el(
        'div',
        { class: cls.join(' '), role: 'listitem', title: `slot ${i}: ${slot.eventType}, tag ${slot.tag}, at ${slot.microseconds} µs` },
        el('span', { class: 'i', text: i }),
        el('span', { text: empty ? '·' : `tag ${slot.tag}` }),
        bar,
      ),
    );
  });
  const chips = el('ul', { class: 'chips', 'aria-label': 'event types in the ring' });
  for (const [name, value] of present) {
    const sw = el('i', { 'aria-hidden': 'true' });
    sw.style.background = slotColour(value);
    chips.append(el('li', {}, sw, short(name, 'MV_EVENTTYPE_')));
  }
  return el(
    'div',
    { class: 'centre' },
    el('div', { class: 'ring-head' }, el('span', { text: `centre ${c.handle} · ${c.slots.length} slots` }), el('span', { text: `IRQ ${c.irq} ${c.irqEnabled ? 'enabled' : 'disabled'}` })),
    ring,
    chips,
    el(
      'div',
      { class: 'stats' },
      ...[
        ['records', c.records],
        ['pending IRQs', c.irqsPending],
        ['overruns', c.overruns],
        ['dropped', c.dropped],
      ].map(([k, v]) => el('span', {}, `${k} `, el('b', { text: v }))),
    ),
    el('p', { class: 'legend', text: 'W: next slot written · R: next record the IRQ handler reads' }),
  );
}

// ---------------------------------------------------------------- sequence diagram

let seqScheduled = false;
function scheduleSequence() {
  if (seqScheduled || $('panel-sequence').hidden) return;
  seqScheduled = true;
  requestAnimationFrame(() => {
    seqScheduled = false;
    if (page.seqDirty) renderSequence();
  });
}

const SVG = 'http://www.w3.org/2000/svg';
function svg(tag, attrs = {}, text) {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
}

function renderSequence() {
  page.seqDirty = false;
  const s = $('sequence');
  const W = Math.max(720, s.parentElement.clientWidth - 2);
  const X = { app: W * 0.16, mv: W * 0.5, broker: W * 0.84 };
  const rows = page.events.filter((e) => e.kind !== 'readable' || true).slice(-SEQ_ROWS);
  const STEP = 24;
  const TOP = 46;
  const H = TOP + rows.length * STEP + 20;
  s.setAttribute('viewBox', `0 0 ${W} ${H}`);
  s.setAttribute('height', H);
  s.replaceChildren();
  const defs = svg('defs');
  for (const [id, color] of [['a-call', '#38bdf8'], ['a-err', '#f87171'], ['a-irq', '#fbbf24'], ['a-out', '#a3e635'], ['a-in', '#c084fc']]) {
    const m = svg('marker', { id, viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' });
    m.append(svg('path', { d: 'M0,0 L10,5 L0,10 z', fill: color }));
    defs.append(m);
  }
  s.append(defs);
  for (const [key, label] of [['app', 'Application'], ['mv', 'Microvisor kernel'], ['broker', 'MQTT broker']]) {
    s.append(svg('line', { class: 'life', x1: X[key], y1: 34, x2: X[key], y2: H }));
    const g = svg('g', { class: 'actor' });
    g.append(svg('rect', { x: X[key] - 80, y: 6, width: 160, height: 28, rx: 6 }), svg('text', { x: X[key], y: 25 }, label));
    s.append(g);
  }
  rows.forEach((e, i) => {
    const y = TOP + i * STEP + 12;
    s.append(svg('text', { class: 't', x: 6, y: y + 4 }, e.t.toFixed(0)));
    if (e.kind === 'syscall') arrow(s, 'call' + (e.status ? ' err' : ''), X.app, X.mv, y, e.name, statusShort(e.statusName), e.status ? 'a-err' : 'a-call');
    else if (e.kind === 'notification') arrow(s, 'irq', X.mv, X.app, y, `IRQ ${e.irq}: ${short(e.eventType, 'MV_EVENTTYPE_')} (tag ${e.tag})`, '', 'a-irq');
    else if (e.kind === 'mqtt') {
      const label = `${e.cmd.toUpperCase()}${e.topic ? ` ${e.topic}` : ''}${e.messageId ? ` #${e.messageId}` : ''}`;
      if (e.direction === 'out') arrow(s, 'out', X.mv, X.broker, y, label, '', 'a-out');
      else arrow(s, 'in', X.broker, X.mv, y, label, '', 'a-in');
    } else note(s, e, X.mv, y, W);
  });
  const wrap = s.parentElement;
  wrap.scrollTop = wrap.scrollHeight;
}

function clip(text, px) {
  const max = Math.max(8, Math.floor(px / 6.8));
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

function arrow(s, cls, x1, x2, y, label, status, marker) {
  const g = svg('g', { class: `msg ${cls}` });
  const dir = x2 > x1 ? 1 : -1;
  g.append(svg('line', { x1, y1: y, x2: x2 - dir * 2, y2: y, 'marker-end': `url(#${marker})` }));
  const span = Math.abs(x2 - x1);
  const mid = (x1 + x2) / 2;
  g.append(svg('text', { x: mid, y: y - 5, 'text-anchor': 'middle' }, clip(label, span - 20)));
  if (status) g.append(svg('text', { class: 'st', x: x2 + 6, y: y + 4 }, status));
  s.append(g);
}

function note(s, e, x, y, W) {
  const g = svg('g', { class: `note ${e.kind}` });
  const text = clip(`${e.kind === 'readable' ? 'queued ' : ''}${e.text}`, W * 0.62);
  const w = Math.min(W * 0.66, text.length * 6.9 + 16);
  g.append(svg('rect', { x: x - w / 2, y: y - 10, width: w, height: 18, rx: 4 }), svg('text', { x, y: y + 3, 'text-anchor': 'middle' }, text));
  s.append(g);
}

// ---------------------------------------------------------------- tabs, filters, controls

function setupTabs() {
  const tabs = [...document.querySelectorAll('[role="tab"]')];
  const select = (tab, focus) => {
    for (const t of tabs) {
      const on = t === tab;
      t.setAttribute('aria-selected', String(on));
      t.tabIndex = on ? 0 : -1;
      $(t.getAttribute('aria-controls')).hidden = !on;
    }
    if (focus) tab.focus();
    if (tab.id === 'tab-sequence') {
      page.seqDirty = true;
      scheduleSequence();
    }
  };
  tabs.forEach((t, i) => {
    t.addEventListener('click', () => select(t, false));
    t.addEventListener('keydown', (ev) => {
      const next = ev.key === 'ArrowRight' ? tabs[(i + 1) % tabs.length] : ev.key === 'ArrowLeft' ? tabs[(i - 1 + tabs.length) % tabs.length] : undefined;
      if (next) {
        ev.preventDefault();
        select(next, true);
      }
    });
  });
}

function setupControls() {
  const act = (id, action) =>
    $(id).addEventListener('click', async () => {
      const b = $(id);
      b.disabled = true;
      try {
        setResult(await post(action), true);
      } catch (err) {
        setResult(err.message, false);
      } finally {
        b.disabled = false;
      }
    });
  act('net-down', 'network-down');
  act('net-up', 'network-up');
  act('broker-drop', 'broker-disconnect');

  $('inject').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const body = { topic: $('inject-topic').value.trim(), payload: $('inject-payload').value, qos: Number($('inject-qos').value) };
    try {
      setResult(await post('inject', body), true);
    } catch (err) {
      setResult(err.message, false);
    }
  });

  $('filters').addEventListener('input', rebuildTimeline);
  $('device-filter').addEventListener('input', renderDevices);
  $('filters').addEventListener('submit', (ev) => ev.preventDefault());
  $('f-pause').addEventListener('change', (ev) => {
    page.paused = ev.target.checked;
    if (!page.paused) {
      addRows(page.held);
      page.held = [];
    }
  });
}

function setResult(text, ok) {
  const r = $('inject-result');
  r.textContent = text;
  r.className = `result ${ok ? 'ok' : 'err'}`;
}

setupTabs();
setupControls();
resetDeviceView();
connect();
