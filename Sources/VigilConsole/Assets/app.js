import { t, setLanguage, language, translatePage } from './i18n.js';
import { createEditor } from './editor.js';

// State the page keeps between refreshes.
const state = {
  session: null,
  cameras: [],
  cameraNames: new Map(),
  alarms: [],            // live alarms, newest first
  alarmTypes: new Set(),
  kiosk: location.pathname === '/kiosk',
  view: 'wall',
  searchNext: null,
  alarmNext: null,
  stream: null,
  lastOffset: null,
};
const MAX_LIVE = 100;
const $ = (id) => document.getElementById(id);

function element(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (name === 'class') node.className = value;
    else if (name === 'text') node.textContent = value;
    else if (name.startsWith('on')) node.addEventListener(name.slice(2), value);
    else if (value !== undefined && value !== null && value !== false) node.setAttribute(name, value === true ? '' : value);
  }
  for (const child of children) if (child !== null && child !== undefined) node.append(child);
  return node;
}

async function api(path, options = {}) {
  const response = await fetch(path, { credentials: 'same-origin', ...options });
  if (response.status === 401 && !path.startsWith('/api/login')) { showLogin(); throw new Error('sign in first'); }
  if (!response.ok) {
    let message = response.statusText;
    try { message = (await response.json()).error ?? message; } catch (_) { /* not JSON */ }
    throw new Error(message);
  }
  return response.json();
}

// ---- Time, in the configured zone -------------------------------------------------

function formatTime(iso, withDate = true) {
  const options = { timeZone: state.session.timeZone, hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false };
  if (withDate) Object.assign(options, { year: 'numeric', month: '2-digit', day: '2-digit' });
  return new Intl.DateTimeFormat(language() === 'vi' ? 'vi-VN' : 'en-GB', options).format(new Date(iso));
}

function tick() {
  if (state.session) $('clock').textContent = formatTime(new Date().toISOString());
}

// ---- Session and login ------------------------------------------------------------

async function start() {
  const stored = localStorage.getItem('vigil.language');
  state.session = await api('/api/session');
  setLanguage(new URLSearchParams(location.search).get('lang') ?? stored ?? state.session.language);
  $('language').value = language();
  state.alarmTypes = new Set(state.session.alarmTypes);
  translatePage();
  if (state.kiosk) document.body.classList.add('kiosk');
  if (!state.session.user) { showLogin(); return; }
  await enter();
}

function showLogin() {
  $('app').hidden = true;
  $('tabs').hidden = true;
  $('login').hidden = false;
  $('signout').hidden = true;
  $('who').textContent = '';
  if (state.stream) { state.stream.close(); state.stream = null; }
  $('login-name').focus();
}

async function enter() {
  $('login').hidden = true;
  $('app').hidden = false;
  $('tabs').hidden = false;
  const user = state.session.user;
  $('who').textContent = state.session.open ? '' : `${user.name} (${user.role})`;
  $('signout').hidden = state.session.open;
  for (const node of document.querySelectorAll('.operator-only')) node.hidden = user.role !== 'operator';
  fillTypeOptions();
  await refreshCameras();
  await loadRecentAlarms();
  openStream();
  show(state.kiosk ? 'wall' : (location.hash.slice(1) || 'wall'));
}

$('login-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  $('login-error').hidden = true;
  try {
    await api('/api/login', { method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ name: $('login-name').value, password: $('login-password').value }) });
    $('login-password').value = '';
    state.session = await api('/api/session');
    await enter();
  } catch (error) {
    $('login-error').textContent = error.message === 'wrong name or password' ? t('login.failed') : error.message;
    $('login-error').hidden = false;
  }
});

$('signout').addEventListener('click', async () => {
  await fetch('/api/logout', { method: 'POST', credentials: 'same-origin' });
  state.session.user = null;
  showLogin();
});

$('language').addEventListener('change', () => {
  setLanguage($('language').value);
  localStorage.setItem('vigil.language', language());
  translatePage();
  fillTypeOptions();
  renderWall();
  renderLiveAlarms();
  if (state.view !== 'wall') show(state.view);
});

// ---- Views ------------------------------------------------------------------------

for (const button of document.querySelectorAll('#tabs button')) {
  button.addEventListener('click', () => { location.hash = button.dataset.view; });
}
window.addEventListener('hashchange', () => show(location.hash.slice(1) || 'wall'));

function show(view) {
  if (!['wall', 'alarms', 'search', 'traffic', 'crowd', 'editor'].includes(view)) view = 'wall';
  if (view === 'editor' && state.session.user?.role !== 'operator') view = 'wall';
  state.view = view;
  for (const section of document.querySelectorAll('.view')) section.hidden = section.id !== `view-${view}`;
  for (const button of document.querySelectorAll('#tabs button')) button.classList.toggle('active', button.dataset.view === view);
  if (view === 'alarms') loadAlarmPage(true);
  if (view === 'search' && !$('s-results').dataset.loaded) runSearch(true);
  if (view === 'traffic') loadTraffic();
  if (view === 'crowd') loadCrowd();
  if (view === 'editor') editor.show();
}

// ---- Camera wall ------------------------------------------------------------------

async function refreshCameras() {
  try {
    state.cameras = await api('/api/cameras');
    $('banner').hidden = true;
  } catch (error) {
    if (error.message !== 'sign in first') { $('banner').textContent = t('error', { text: error.message }); $('banner').hidden = false; }
    return;
  }
  state.cameraNames = new Map(state.cameras.map((camera) => [camera.id, camera.name]));
  fillCameraOptions();
  renderWall();
  editor.camerasUpdated();
}

// Rebuilt only when the cameras or the language change: replacing a <select>'s options
// every second would close it under the operator's hand.
let optionsSignature = '';
function fillCameraOptions() {
  const signature = JSON.stringify([language(), state.cameras.map((camera) => [camera.id, camera.name, camera.group])]);
  if (signature === optionsSignature) return;
  optionsSignature = signature;
  for (const [id, withAll] of [['s-camera', true], ['t-camera', false], ['c-camera', false]]) {
    const select = $(id);
    const chosen = select.value;
    select.replaceChildren(...(withAll ? [element('option', { value: '', text: t('all') })] : []),
      ...state.cameras.map((camera) => element('option', { value: camera.id, text: camera.name })));
    if (chosen) select.value = chosen;
  }
  const groups = [...new Set(state.cameras.map((camera) => camera.group).filter(Boolean))].sort();
  const filter = $('group-filter');
  const chosen = filter.value;
  filter.replaceChildren(element('option', { value: '', text: t('all') }), ...groups.map((group) => element('option', { value: group, text: group })));
  filter.value = chosen;
  filter.parentElement.hidden = groups.length === 0;
}

function fillTypeOptions() {
  const select = $('s-type');
  const chosen = select.value;
  const types = state.session.eventTypes.filter((type) => type !== 'acknowledgement');
  select.replaceChildren(element('option', { value: '', text: t('all') }), ...types.map((type) => element('option', { value: type, text: t(`type.${type}`) })));
  select.value = chosen;
}

$('group-filter').addEventListener('change', renderWall);

function overlay(camera) {
  const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
  svg.setAttribute('viewBox', '0 0 100 100');
  svg.setAttribute('preserveAspectRatio', 'none');
  svg.classList.add('overlay');
  for (const zone of camera.zones) {
    const polygon = document.createElementNS(svg.namespaceURI, 'polygon');
    polygon.setAttribute('points', zone.polygon.map(([x, y]) => `${x * 100},${y * 100}`).join(' '));
    polygon.classList.add('zone');
    svg.append(polygon);
  }
  for (const line of camera.lines) {
    const path = document.createElementNS(svg.namespaceURI, 'line');
    path.setAttribute('x1', line.from[0] * 100); path.setAttribute('y1', line.from[1] * 100);
    path.setAttribute('x2', line.to[0] * 100); path.setAttribute('y2', line.to[1] * 100);
    path.classList.add('line');
    svg.append(path);
  }
  return svg;
}

// One <img> per camera, kept across refreshes: the next picture loads off-screen and
// replaces the shown one only when complete, so the wall never flickers.
const pictures = new Map();
function livePicture(camera) {
  if (camera.pictureAge === undefined || camera.pictureAge === null) return element('div', { class: 'no-picture', text: t('no.picture') });
  let entry = pictures.get(camera.id);
  if (!entry) {
    entry = { img: element('img', { alt: camera.name }), loading: false, stamp: 0 };
    pictures.set(camera.id, entry);
  }
  const stamp = Math.floor(Date.now() / 1000);
  if (!entry.loading && stamp !== entry.stamp) {
    entry.loading = true;
    const next = new Image();
    const url = `/api/cameras/${encodeURIComponent(camera.id)}/picture.jpg?t=${stamp}`;
    next.onload = () => { entry.img.src = url; entry.stamp = stamp; entry.loading = false; };
    next.onerror = () => { entry.loading = false; };
    next.src = url;
  }
  return entry.img;
}

function tile(camera) {
  const picture = livePicture(camera);
  const facts = [];
  if (camera.fps !== undefined && camera.fps !== null) facts.push(t('fps', { fps: camera.fps }));
  if (camera.framesDropped > 0) facts.push(t('drops', { n: camera.framesDropped }));
  if (camera.persons) facts.push(t('people', { n: camera.persons }));
  if (camera.vehicles) facts.push(t('vehicles', { n: camera.vehicles }));
  const counts = camera.lines.map((line) => element('li', {},
    element('strong', { text: line.id }), ' ',
    `${line.aToB} ${line.today[line.aToB] ?? 0} · ${line.bToA} ${line.today[line.bToA] ?? 0}`));
  const zones = camera.zones.filter((zone) => zone.persons || zone.vehicles || zone.people).map((zone) => element('li', {},
    element('strong', { text: zone.id }), ' ',
    [zone.people !== undefined && zone.people !== null ? t('people', { n: Math.round(zone.people) }) : (zone.persons ? t('people', { n: zone.persons }) : null),
     zone.vehicles ? t('vehicles', { n: zone.vehicles }) : null,
     zone.crowdLevels && zone.people !== undefined && zone.people !== null
       ? t('level', { n: zone.crowdLevels.filter((threshold) => zone.people >= threshold).length }) : null].filter(Boolean).join(' · ')));
  const node = element('article', { class: `tile state-${camera.state}${camera.activeAlarms > 0 ? ' alarm' : ''}`, 'data-camera': camera.id },
    element('div', { class: 'picture' }, picture, overlay(camera),
      camera.activeAlarms > 0 ? element('span', { class: 'alarm-badge', text: t('alarm.active', { n: camera.activeAlarms }) }) : null),
    element('div', { class: 'caption' },
      element('span', { class: 'name', text: camera.name }),
      element('span', { class: `state ${camera.state}`, text: t(`state.${camera.state}`) })),
    element('div', { class: 'facts', text: facts.join(' · ') }),
    counts.length ? element('ul', { class: 'counts' }, element('li', { class: 'muted', text: t('today') }), ...counts) : null,
    zones.length ? element('ul', { class: 'counts' }, ...zones) : null);
  return node;
}

// A tile is rebuilt only when what it shows changed; otherwise only its picture is refreshed.
// With dozens of cameras this keeps the page's work per second small.
const tiles = new Map();
function shownFacts(camera) {
  const { framesAnalysed, lastFrameAge, pictureAge, heatmapAge, reconnects, lastError, ...shown } = camera;
  return JSON.stringify([shown, pictureAge === undefined || pictureAge === null, language()]);
}

function renderWall() {
  const group = $('group-filter').value;
  const shown = state.cameras.filter((camera) => !group || camera.group === group);
  const nodes = shown.map((camera) => {
    const key = shownFacts(camera);
    const known = tiles.get(camera.id);
    if (known && known.key === key) { livePicture(camera); return known.node; }
    const node = tile(camera);
    tiles.set(camera.id, { key, node });
    return node;
  });
  const wall = $('wall');
  if (nodes.length !== wall.children.length || nodes.some((node, index) => wall.children[index] !== node)) wall.replaceChildren(...nodes);
  const alarms = state.cameras.reduce((sum, camera) => sum + camera.activeAlarms, 0);
  $('wall-summary').textContent = t('summary', { n: shown.length, on: shown.filter((c) => c.state === 'streaming').length, alarms });
}

// ---- Alarms -----------------------------------------------------------------------

function describe(event) {
  const parts = [];
  if (event.state) parts.push(t(`state.${event.state}`));
  if (event.class) parts.push(t(`class.${event.class}`));
  if (event.track !== undefined) parts.push(`#${event.track}`);
  for (const [key, value] of Object.entries(event.data ?? {})) {
    if (key === 'lanes' && value && typeof value === 'object') {
      // Per-lane counts of a traffic_flow report, as the event lists the lanes.
      for (const [lane, n] of Object.entries(value)) parts.push(t('data.lane_count', { lane, v: n }));
      continue;
    }
    if (typeof value === 'object') continue;
    const label = `data.${key}`;
    const text = t(label, { v: value });
    parts.push(text === label ? `${key}: ${value}` : text);
  }
  return parts.join(' · ');
}

function where(event) {
  return [event.zone, event.line, event.direction].filter(Boolean).join(' · ');
}

function acknowledgeButton(item, afterwards) {
  if (item.acknowledgement) {
    return element('p', { class: 'acked', text: t('ack.by', { user: item.acknowledgement.user, time: formatTime(item.acknowledgement.time, false) })
      + (item.acknowledgement.note ? ` — ${item.acknowledgement.note}` : '') });
  }
  if (!state.session.user || state.session.user.role !== 'operator') return element('p', { class: 'muted small', text: t('ack.denied') });
  return element('button', { class: 'ack', text: t('ack.button'), onclick: () => openAcknowledge(item, afterwards) });
}

function alarmItem(item, afterwards) {
  const event = item.event;
  const snapshot = event.snapshot
    ? element('img', { class: 'snapshot', src: `/${event.snapshot}`, alt: t('snapshot'), loading: 'lazy' })
    : element('div', { class: 'snapshot none' });
  return element('li', { class: `alarm-item${item.acknowledgement ? ' is-acked' : ''}`, 'data-offset': event.offset },
    snapshot,
    element('div', { class: 'alarm-text' },
      element('div', { class: 'alarm-title' }, element('strong', { text: t(`type.${event.type}`) }), ' ',
        element('span', { class: 'muted', text: formatTime(event.time) })),
      element('div', { text: [state.cameraNames.get(event.camera) ?? event.camera, where(event)].filter(Boolean).join(' · ') }),
      element('div', { class: 'why', text: describe(event) }),
      clipLink(event),
      // Measurements such as crowd-level changes are shown, not acknowledged.
      isAlarm(event) || item.acknowledgement ? acknowledgeButton(item, afterwards) : null));
}

// The alarm's video: playable once its clip_ready has come (the file appears then).
function clipLink(event) {
  if (!event.clip) return null;
  return element('a', { class: 'clip-link', href: `/${event.clip}`, target: '_blank', rel: 'noopener', text: `▶ ${t('clip')}` });
}

function isAlarm(event) { return state.alarmTypes.has(event.type) && event.state !== 'end'; }

async function loadRecentAlarms() {
  const page = await api('/api/events?limit=200');
  state.alarms = page.items.filter((item) => isAlarm(item.event)).slice(0, MAX_LIVE);
  const newest = page.items[0]?.event.offset;
  state.lastOffset = newest ?? null;
  renderLiveAlarms();
}

function renderLiveAlarms() {
  $('live-alarms').replaceChildren(...state.alarms.map((item) => alarmItem(item, renderLiveAlarms)));
  $('live-empty').hidden = state.alarms.length > 0;
}

function openStream() {
  if (state.stream) state.stream.close();
  // The first connection starts after the newest event already shown; reconnections
  // send Last-Event-ID themselves, so nothing is missed or shown twice.
  const after = state.lastOffset === null ? '' : `?after=${state.lastOffset}`;
  const stream = new EventSource(`/api/events/stream${after}`);
  state.stream = stream;
  stream.addEventListener('event', (message) => {
    const item = JSON.parse(message.data);
    receive(item);
  });
  stream.addEventListener('open', () => { $('banner').hidden = true; });
  stream.addEventListener('error', () => {
    if (stream.readyState !== EventSource.OPEN) { $('banner').textContent = t('offline.stream'); $('banner').hidden = false; }
  });
}

function receive(item) {
  const event = item.event;
  state.lastOffset = Math.max(state.lastOffset ?? -1, event.offset);
  if (event.type === 'acknowledgement') {
    const target = state.alarms.find((alarm) => alarm.event.offset === event.data.acknowledges);
    if (target && !target.acknowledgement) {
      target.acknowledgement = { user: event.data.user, time: event.time, note: event.data.note, offset: event.offset };
      renderLiveAlarms();
    }
    return;
  }
  if (!isAlarm(event) || state.alarms.some((alarm) => alarm.event.offset === event.offset)) return;
  state.alarms.unshift(item);
  state.alarms.length = Math.min(state.alarms.length, MAX_LIVE);
  renderLiveAlarms();
  const camera = state.cameras.find((c) => c.id === event.camera);
  if (camera) { camera.activeAlarms += 1; renderWall(); }
}

let acknowledging = null;
function openAcknowledge(item, afterwards) {
  acknowledging = { item, afterwards };
  $('ack-what').textContent = `${t(`type.${item.event.type}`)} — ${state.cameraNames.get(item.event.camera) ?? item.event.camera} — ${formatTime(item.event.time)}`;
  $('ack-note').value = '';
  $('ack-dialog').showModal();
}

$('ack-dialog').addEventListener('close', async () => {
  if ($('ack-dialog').returnValue !== 'ok' || !acknowledging) return;
  const { item, afterwards } = acknowledging;
  acknowledging = null;
  try {
    const result = await api(`/api/events/${item.event.offset}/ack`, { method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ note: $('ack-note').value }) });
    item.acknowledgement = { user: state.session.user.name, time: new Date().toISOString(), note: $('ack-note').value, offset: result.offset };
    afterwards();
    refreshCameras();
  } catch (error) {
    $('banner').textContent = t('error', { text: error.message });
    $('banner').hidden = false;
  }
});

async function loadAlarmPage(reset) {
  const list = $('alarm-page');
  if (reset) { list.replaceChildren(); state.alarmNext = null; }
  const parameters = new URLSearchParams({ limit: '50' });
  if ($('unacked-only').checked) parameters.set('unacknowledged', '1');
  if (state.alarmNext) parameters.set('before', state.alarmNext);
  const collected = [];
  let page;
  // Alarm types only: several pages of measurements may pass before 50 alarms are found.
  for (let round = 0; round < 10 && collected.length < 50; round += 1) {
    page = await api(`/api/events?${parameters}`);
    collected.push(...page.items.filter((item) => isAlarm(item.event)));
    if (!page.next) break;
    parameters.set('before', page.next);
  }
  state.alarmNext = page?.next ?? null;
  const render = () => loadAlarmPage(true);
  list.append(...collected.map((item) => alarmItem(item, render)));
  $('alarm-more').hidden = !state.alarmNext;
}
$('alarm-more').addEventListener('click', () => loadAlarmPage(false));
$('unacked-only').addEventListener('change', () => loadAlarmPage(true));

// ---- Search -----------------------------------------------------------------------

function searchParameters() {
  const parameters = new URLSearchParams();
  for (const [key, id] of [['camera', 's-camera'], ['type', 's-type'], ['zone', 's-zone'], ['since', 's-since'], ['until', 's-until']]) {
    const value = $(id).value.trim();
    if (value) parameters.set(key, value);
  }
  return parameters;
}

async function runSearch(reset) {
  const body = $('s-results').querySelector('tbody');
  const parameters = searchParameters();
  $('s-csv').href = `/api/events.csv?${parameters}`;
  parameters.set('limit', '50');
  if (reset) { body.replaceChildren(); state.searchNext = null; }
  if (state.searchNext) parameters.set('before', state.searchNext);
  $('s-status').textContent = t('loading');
  try {
    const page = await api(`/api/events?${parameters}`);
    state.searchNext = page.next ?? null;
    const rerun = () => runSearch(true);
    body.append(...page.items.map((item) => {
      const event = item.event;
      return element('tr', { 'data-offset': event.offset },
        element('td', {}, event.snapshot ? element('img', { class: 'thumb', src: `/${event.snapshot}`, alt: '', loading: 'lazy' }) : ''),
        element('td', { text: formatTime(event.time) }),
        element('td', { text: state.cameraNames.get(event.camera) ?? event.camera }),
        element('td', { text: t(`type.${event.type}`) }),
        element('td', { text: where(event) }),
        element('td', {}, describe(event), event.clip ? ' ' : '', clipLink(event)),
        element('td', {}, isAlarm(event) || item.acknowledgement ? acknowledgeButton(item, rerun) : ''));
    }));
    $('s-results').dataset.loaded = '1';
    const shown = body.children.length;
    $('s-status').textContent = shown ? t('results', { n: shown + (state.searchNext ? '+' : '') }) : t('results.none');
    $('s-more').hidden = !state.searchNext;
  } catch (error) {
    $('s-status').textContent = t('error', { text: error.message });
  }
}
$('search-form').addEventListener('submit', (event) => { event.preventDefault(); runSearch(true); });
$('s-more').addEventListener('click', () => runSearch(false));

// ---- Charts -----------------------------------------------------------------------

function chart(title, series, fromMs, stepMs, toMs, kind) {
  const canvas = element('canvas', { width: 900, height: 220 });
  const context = canvas.getContext('2d');
  const styles = getComputedStyle(document.body);
  const width = canvas.width, height = canvas.height, left = 44, bottom = 28, top = 10;
  const slots = Math.max(1, Math.round((toMs - fromMs) / stepMs));
  // Counts: an axis in whole numbers, four steps.
  const maximum = Math.max(4, Math.ceil(Math.max(0, ...series.flatMap((s) => s.points.map((p) => p[1]))) / 4) * 4);
  context.fillStyle = styles.getPropertyValue('--panel') || '#fff';
  context.fillRect(0, 0, width, height);
  context.strokeStyle = '#8884';
  context.fillStyle = styles.getPropertyValue('--muted') || '#666';
  context.font = '12px system-ui, sans-serif';
  for (let i = 0; i <= 4; i += 1) {
    const y = top + (height - top - bottom) * (1 - i / 4);
    context.beginPath(); context.moveTo(left, y); context.lineTo(width, y); context.stroke();
    context.fillText(String(maximum * i / 4), 4, y + 4);
  }
  const hourFormat = new Intl.DateTimeFormat(language() === 'vi' ? 'vi-VN' : 'en-GB', { timeZone: state.session.timeZone, hour: '2-digit', minute: '2-digit', hour12: false });
  for (let ms = fromMs; ms <= toMs; ms += 3 * 3600_000) {
    const x = left + (width - left) * (ms - fromMs) / (toMs - fromMs);
    if (x < width - 40) context.fillText(hourFormat.format(new Date(ms)), x, height - 8);
  }
  const colours = ['#2f7ed8', '#e4572e', '#17a589', '#a05fc7', '#f0a202', '#6c757d'];
  series.forEach((s, index) => {
    context.fillStyle = colours[index % colours.length];
    context.strokeStyle = colours[index % colours.length];
    const barWidth = Math.max(1, (width - left) / slots / series.length - 1);
    context.beginPath();
    s.points.forEach(([ms, value], pointIndex) => {
      const x = left + (width - left) * (ms - fromMs) / (toMs - fromMs);
      const y = top + (height - top - bottom) * (1 - value / maximum);
      if (kind === 'bars') context.fillRect(x + index * barWidth, y, barWidth, height - bottom - y);
      else {
        if (pointIndex === 0) context.moveTo(x, y); else context.lineTo(x, y);
        // Samples are a minute apart: a dot each, so a first sample shows before there is a line.
        context.fillRect(x - 2, y - 2, 4, 4);
      }
    });
    if (kind !== 'bars') { context.lineWidth = 2; context.stroke(); }
  });
  const legend = element('ul', { class: 'legend' }, ...series.map((s, index) => {
    const swatch = element('span', { class: 'swatch' });
    swatch.style.background = colours[index % colours.length];
    return element('li', {}, swatch, `${s.label}: ${s.points.reduce((sum, p) => sum + (kind === 'bars' ? p[1] : 0), 0) || ''}`.replace(/: $/, ''));
  }));
  return element('figure', { class: 'chart' }, element('figcaption', { text: title }), canvas, legend);
}

async function loadTraffic() {
  const camera = $('t-camera').value || state.cameras[0]?.id;
  if (!camera) return;
  const minutes = Number($('t-bucket').value);
  $('t-status').textContent = t('traffic.hint', { m: minutes });
  const data = await api(`/api/traffic?camera=${encodeURIComponent(camera)}&bucket=${minutes}`);
  const now = Date.now();
  const byLine = new Map();
  for (const s of data.series) {
    if (!byLine.has(s.line)) byLine.set(s.line, []);
    byLine.get(s.line).push({ label: s.direction, points: s.buckets });
  }
  // The axis ends with the current bucket, so the newest bars have room.
  const end = Math.ceil(now / (minutes * 60_000)) * minutes * 60_000;
  const charts = [...byLine.entries()].map(([line, series]) => chart(line, series, data.sinceMs, minutes * 60_000, end, 'bars'));
  $('t-charts').replaceChildren(...(charts.length ? charts : [element('p', { class: 'muted', text: t('traffic.none') })]));
}
$('t-camera').addEventListener('change', loadTraffic);
$('t-bucket').addEventListener('change', loadTraffic);

async function loadCrowd() {
  // Open on a camera that counts people, when one has not been chosen yet.
  if (!$('c-camera').dataset.chosen) {
    const counting = state.cameras.find((c) => c.zones.some((zone) => zone.crowdLevels));
    if (counting) $('c-camera').value = counting.id;
  }
  const camera = $('c-camera').value || state.cameras[0]?.id;
  if (!camera) return;
  const live = state.cameras.find((c) => c.id === camera);
  const counting = live ? live.zones.filter((zone) => zone.crowdLevels || zone.people !== undefined) : [];
  $('c-status').replaceChildren(t('crowd.hint'), element('br'),
    counting.length ? `${t('crowd.now')}: ${counting.map((zone) => `${zone.id} ${t('people', { n: Math.round(zone.people ?? zone.persons ?? 0) })}`).join(' · ')}`
      : t('crowd.no.zones'));
  const data = await api(`/api/crowd?camera=${encodeURIComponent(camera)}`);
  const byZone = new Map();
  for (const sample of data.samples) {
    if (!byZone.has(sample.zone)) byZone.set(sample.zone, []);
    byZone.get(sample.zone).push([sample.timeMs, sample.people ?? sample.persons]);
  }
  const series = [...byZone.entries()].map(([zone, points]) => ({ label: zone, points }));
  $('c-charts').replaceChildren(series.length ? chart(t('tab.crowd'), series, data.sinceMs, 60_000, Date.now(), 'lines')
    : element('p', { class: 'muted', text: t('crowd.none') }));
  const heatmap = live && live.heatmapAge !== undefined && live.heatmapAge !== null;
  $('c-heatmap').hidden = !heatmap;
  if (heatmap) $('c-heatmap-img').src = `/api/cameras/${encodeURIComponent(camera)}/heatmap.png?t=${Date.now()}`;
  $('c-levels').replaceChildren(...(data.levels.length ? data.levels.map((item) => alarmItem(item, loadCrowd))
    : [element('li', { class: 'muted', text: t('crowd.no.levels') })]));
}
$('c-camera').addEventListener('change', () => { $('c-camera').dataset.chosen = '1'; loadCrowd(); });

const editor = createEditor({ api, cameras: () => state.cameras, element });

// ---- Refresh loop -----------------------------------------------------------------

setInterval(() => { if (state.session?.user && !document.hidden) refreshCameras(); }, 1000);
setInterval(tick, 1000);
start().catch((error) => {
  $('banner').textContent = t('error', { text: error.message });
  $('banner').hidden = false;
});
