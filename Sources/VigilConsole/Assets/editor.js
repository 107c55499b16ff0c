// The zone and line editor: draw on the camera's latest picture, set each zone's rules,
// save into the configuration file through the API. Coordinates are normalized 0…1.
import { t } from './i18n.js';

const $ = (id) => document.getElementById(id);
const SVG = 'http://www.w3.org/2000/svg';
const round = (v) => Math.round(Math.min(1, Math.max(0, v)) * 1000) / 1000;

export function createEditor({ api, cameras, element }) {
  // The drawing's height in viewBox units follows the picture's shape, so handles stay round.
  let H = 562.5;
  const state = { camera: null, layout: {}, zones: [], lines: [], selected: null, mode: null, draft: [], drag: null, waiting: null };

  function point(event) {
    const box = $('e-svg').getBoundingClientRect();
    return [round((event.clientX - box.left) / box.width), round((event.clientY - box.top) / box.height)];
  }

  function fitPicture() {
    const picture = $('e-picture');
    if (picture.naturalWidth > 0) H = 1000 * picture.naturalHeight / picture.naturalWidth;
    $('e-svg').setAttribute('viewBox', `0 0 1000 ${H}`);
    drawShapes();
  }

  function shape(tag, attributes) {
    const node = document.createElementNS(SVG, tag);
    for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
    return node;
  }

  function handle(kind, index, which, [x, y]) {
    const node = shape('circle', { cx: x * 1000, cy: y * H, r: 12, class: 'handle' });
    node.dataset.kind = kind; node.dataset.index = index; node.dataset.point = which;
    return node;
  }

  function draw() {
    drawShapes();
    form();
  }

  // The picture's shapes and the list, without rebuilding the form being typed in.
  function drawShapes() {
    const svg = $('e-svg');
    svg.replaceChildren();
    state.zones.forEach((zone, index) => {
      const selected = state.selected?.kind === 'zone' && state.selected.index === index;
      const polygon = shape('polygon', { points: zone.polygon.map(([x, y]) => `${x * 1000},${y * H}`).join(' '), class: `zone${selected ? ' selected' : ''}` });
      polygon.dataset.kind = 'zone'; polygon.dataset.index = index;
      svg.append(polygon);
      const label = shape('text', { x: zone.polygon[0][0] * 1000 + 8, y: zone.polygon[0][1] * H + 30, class: 'label' });
      label.textContent = zone.id;
      svg.append(label);
      if (selected) zone.polygon.forEach((p, which) => svg.append(handle('zone', index, which, p)));
    });
    state.lines.forEach((line, index) => {
      const selected = state.selected?.kind === 'line' && state.selected.index === index;
      const path = shape('line', { x1: line.from[0] * 1000, y1: line.from[1] * H, x2: line.to[0] * 1000, y2: line.to[1] * H, class: `line${selected ? ' selected' : ''}` });
      path.dataset.kind = 'line'; path.dataset.index = index;
      svg.append(path);
      const label = shape('text', { x: line.from[0] * 1000 + 8, y: line.from[1] * H - 8, class: 'label' });
      label.textContent = `${line.id}: A→B ${line.names?.a_to_b ?? ''}`;
      svg.append(label);
      if (selected) { svg.append(handle('line', index, 'from', line.from)); svg.append(handle('line', index, 'to', line.to)); }
    });
    const perspective = state.layout.perspective;
    if (perspective) {
      for (const reference of [perspective.near, perspective.far]) {
        const x = 960;
        svg.append(shape('line', { x1: x, y1: (reference.y - reference.person_height) * H, x2: x, y2: reference.y * H, class: 'person-mark' }));
      }
    }
    const ground = state.layout.ground;
    if (ground?.image?.length === 4) {
      const polygon = shape('polygon', { points: ground.image.map(([x, y]) => `${x * 1000},${y * H}`).join(' '), class: `ground${state.selected?.kind === 'ground' ? ' selected' : ''}` });
      polygon.dataset.kind = 'ground'; polygon.dataset.index = 0;
      svg.append(polygon);
      if (state.selected?.kind === 'ground') ground.image.forEach((p, which) => svg.append(handle('ground', 0, which, p)));
    }
    if (state.draft.length) {
      svg.append(shape('polyline', { points: state.draft.map(([x, y]) => `${x * 1000},${y * H}`).join(' '), class: 'draft' }));
      state.draft.forEach((p) => svg.append(shape('circle', { cx: p[0] * 1000, cy: p[1] * H, r: 9, class: 'handle draft-point' })));
    }
    list();
  }

  function list() {
    const items = [
      ...state.zones.map((zone, index) => ({ kind: 'zone', index, text: `${t('editor.zone')} ${zone.id} · ${t('editor.points', { n: zone.polygon.length })}` })),
      ...state.lines.map((line, index) => ({ kind: 'line', index, text: `${t('editor.line')} ${line.id}` })),
    ];
    $('e-shapes').replaceChildren(...items.map((item) => element('li', {},
      element('button', { type: 'button', class: state.selected?.kind === item.kind && state.selected.index === item.index ? 'active' : '',
        text: item.text, onclick: () => { state.selected = { kind: item.kind, index: item.index }; draw(); } }))));
  }

  function field(label, input) { return element('label', {}, element('span', { text: label }), input); }

  function form() {
    const target = $('e-form');
    const selected = state.selected;
    if (!selected) { target.hidden = true; return; }
    target.hidden = false;
    if (selected.kind === 'ground') {
      const ground = state.layout.ground;
      target.replaceChildren(element('h3', { text: t('editor.ground') }), ...ground.metres.map((m, index) => field(t('editor.ground.point', { n: index + 1 }),
        element('input', { name: `metres-${index}`, value: `${m[0]}, ${m[1]}`, onchange: (e) => {
          const [x, y] = e.target.value.split(',').map((v) => Number(v.trim()));
          if (Number.isFinite(x) && Number.isFinite(y)) ground.metres[index] = [x, y];
        } }))));
      return;
    }
    if (selected.kind === 'zone') {
      const zone = state.zones[selected.index];
      const title = element('h3', { text: `${t('editor.zone')} ${zone.id}` });
      const id = element('input', { value: zone.id, name: 'id', onchange: (e) => { zone.id = e.target.value.trim(); title.textContent = `${t('editor.zone')} ${zone.id}`; drawShapes(); } });
      const intrusion = element('input', { type: 'checkbox', name: 'intrusion', checked: Boolean(zone.intrusion) });
      const classes = ['person', 'vehicle'].map((name) => {
        const box = element('input', { type: 'checkbox', name: `class-${name}`, checked: (zone.intrusion?.classes ?? ['person']).includes(name) });
        box.addEventListener('change', () => {
          const chosen = ['person', 'vehicle'].filter((n) => target.querySelector(`[name=class-${n}]`).checked);
          if (zone.intrusion) zone.intrusion.classes = chosen.length ? chosen : ['person'];
        });
        return element('label', { class: 'inline' }, box, ` ${t(`class.${name}`)}`);
      });
      intrusion.addEventListener('change', () => {
        if (intrusion.checked) {
          zone.intrusion = { ...(zone.intrusion ?? {}), classes: ['person', 'vehicle'].filter((n) => target.querySelector(`[name=class-${n}]`).checked) };
          if (!zone.intrusion.classes.length) zone.intrusion.classes = ['person'];
        } else delete zone.intrusion;
      });
      const seconds = (key, label) => field(label, element('input', { type: 'number', min: '1', step: '1', name: key, value: zone[key]?.seconds ?? '',
        onchange: (e) => { const v = Number(e.target.value); if (e.target.value === '' || !(v > 0)) delete zone[key]; else zone[key] = { ...(zone[key] ?? {}), seconds: v }; } }));
      const crowd = field(t('editor.crowd'), element('input', { name: 'crowd', value: (zone.crowd?.levels ?? []).join(', '),
        onchange: (e) => {
          const levels = e.target.value.split(',').map((v) => Number(v.trim())).filter((v) => v > 0);
          if (!levels.length) delete zone.crowd; else zone.crowd = { ...(zone.crowd ?? {}), levels };
        } }));
      target.replaceChildren(title, field(t('editor.id'), id),
        element('label', { class: 'inline' }, intrusion, ` ${t('editor.intrusion')}`), element('div', { class: 'classes' }, ...classes),
        seconds('loitering', t('editor.loitering')), seconds('stopped_vehicle', t('editor.stopped')),
        seconds('abandoned_object', t('editor.abandoned')), crowd);
    } else {
      const line = state.lines[selected.index];
      line.names = line.names ?? { a_to_b: 'in', b_to_a: 'out' };
      target.replaceChildren(element('h3', { text: `${t('editor.line')} ${line.id}` }),
        field(t('editor.id'), element('input', { name: 'id', value: line.id, onchange: (e) => { line.id = e.target.value.trim(); drawShapes(); } })),
        field(t('editor.a_to_b'), element('input', { name: 'a_to_b', value: line.names.a_to_b, onchange: (e) => { line.names.a_to_b = e.target.value.trim(); drawShapes(); } })),
        field(t('editor.b_to_a'), element('input', { name: 'b_to_a', value: line.names.b_to_a, onchange: (e) => { line.names.b_to_a = e.target.value.trim(); } })));
    }
  }

  function status(text, kind) {
    const box = $('e-status');
    if (typeof text === 'string') box.textContent = text; else box.replaceChildren(...text);
    box.className = `e-status ${kind}`;
    box.hidden = false;
  }

  function uniqueId(prefix, taken) {
    for (let n = 1; ; n += 1) if (!taken.includes(`${prefix}-${n}`)) return `${prefix}-${n}`;
  }

  function setMode(mode) {
    state.mode = mode;
    state.draft = [];
    $('e-finish').hidden = mode !== 'zone';
    $('e-stage').classList.toggle('drawing', Boolean(mode));
    draw();
  }

  function finishZone() {
    if (state.draft.length >= 3) {
      state.zones.push({ id: uniqueId('zone', state.zones.map((z) => z.id)), polygon: state.draft });
      state.selected = { kind: 'zone', index: state.zones.length - 1 };
    }
    setMode(null);
  }

  const svg = $('e-svg');
  svg.addEventListener('pointerdown', (event) => {
    if (state.mode === 'zone') { state.draft.push(point(event)); draw(); return; }
    if (state.mode === 'perspective') {
      state.draft.push(point(event));
      if (state.draft.length === 4) {
        const [nearHead, nearFeet, farHead, farFeet] = state.draft;
        const reference = (head, feet) => ({ y: round(feet[1]), person_height: round(Math.abs(feet[1] - head[1])) });
        let near = reference(nearHead, nearFeet), far = reference(farHead, farFeet);
        if (near.y < far.y) [near, far] = [far, near];
        state.layout.perspective = { near, far };
        setMode(null);
        status(t('editor.perspective.set', { near: near.person_height, far: far.person_height }), 'ok');
      } else drawShapes();
      return;
    }
    if (state.mode === 'ground') {
      state.draft.push(point(event));
      if (state.draft.length === 4) {
        const metres = state.layout.ground?.metres ?? [[0, 0], [3, 0], [3, 10], [0, 10]];
        state.layout.ground = { image: state.draft, metres };
        state.selected = { kind: 'ground', index: 0 };
        setMode(null);
      } else drawShapes();
      return;
    }
    if (state.mode === 'line') {
      state.draft.push(point(event));
      if (state.draft.length === 2) {
        state.lines.push({ id: uniqueId('line', state.lines.map((l) => l.id)), from: state.draft[0], to: state.draft[1], names: { a_to_b: 'in', b_to_a: 'out' } });
        state.selected = { kind: 'line', index: state.lines.length - 1 };
        setMode(null);
      } else draw();
      return;
    }
    const target = event.target;
    if (target.classList.contains('handle') && target.dataset.kind) {
      state.drag = { kind: target.dataset.kind, index: Number(target.dataset.index), which: target.dataset.point };
      svg.setPointerCapture(event.pointerId);
      event.preventDefault();
    } else if (target.dataset.kind) {
      state.selected = { kind: target.dataset.kind, index: Number(target.dataset.index) };
      draw();
    }
  });
  svg.addEventListener('pointermove', (event) => {
    if (!state.drag) return;
    const p = point(event);
    const { kind, index, which } = state.drag;
    if (kind === 'zone') state.zones[index].polygon[Number(which)] = p;
    else if (kind === 'ground') state.layout.ground.image[Number(which)] = p;
    else state.lines[index][which] = p;
    drawShapes();
  });
  const endDrag = () => { state.drag = null; };
  svg.addEventListener('pointerup', endDrag);
  svg.addEventListener('pointercancel', endDrag);
  svg.addEventListener('contextmenu', (event) => {
    const target = event.target;
    if (target.dataset.kind === 'zone' && target.dataset.point !== undefined) {
      const zone = state.zones[Number(target.dataset.index)];
      if (zone.polygon.length > 3) { zone.polygon.splice(Number(target.dataset.point), 1); draw(); }
      event.preventDefault();
    }
  });

  $('e-add-zone').addEventListener('click', () => setMode('zone'));
  $('e-perspective').addEventListener('click', () => { setMode('perspective'); status(t('editor.perspective.steps'), 'ok'); });
  $('e-ground').addEventListener('click', () => { setMode('ground'); status(t('editor.ground.steps'), 'ok'); });
  $('e-add-line').addEventListener('click', () => setMode('line'));
  $('e-finish').addEventListener('click', finishZone);
  $('e-delete').addEventListener('click', () => {
    if (!state.selected) return;
    if (state.selected.kind === 'ground') delete state.layout.ground;
    else (state.selected.kind === 'zone' ? state.zones : state.lines).splice(state.selected.index, 1);
    state.selected = null;
    draw();
  });
  $('e-camera').addEventListener('change', () => load($('e-camera').value));
  $('e-picture').addEventListener('load', fitPicture);

  $('e-save').addEventListener('click', async () => {
    if (state.mode === 'zone') finishZone();
    const layout = { ...state.layout, zones: state.zones, lines: state.lines };
    const response = await fetch(`/api/cameras/${encodeURIComponent(state.camera)}/layout`, {
      method: 'PUT', credentials: 'same-origin', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ layout }) });
    const answer = await response.json();
    if (response.status === 422) {
      status([element('strong', { text: t('editor.refused') }), element('ul', {}, ...answer.issues.map((issue) => element('li', { text: describeIssue(issue) })))], 'error');
      return;
    }
    if (!response.ok) { status(answer.error ?? response.statusText, 'error'); return; }
    status(t('editor.saved', { backup: answer.backup }), 'ok');
    state.waiting = answer.version;
  });

  // "cameras[0].zones[1].polygon: …" → "zone plaza: polygon: …", which an operator can find.
  function describeIssue(issue) {
    const match = /zones\[(\d+)\](.*)|lines\[(\d+)\](.*)/.exec(issue.field);
    if (match && match[1] !== undefined) return `${t('editor.zone')} ${state.zones[Number(match[1])]?.id ?? match[1]}${match[2]}: ${issue.message}`;
    if (match && match[3] !== undefined) return `${t('editor.line')} ${state.lines[Number(match[3])]?.id ?? match[3]}${match[4]}: ${issue.message}`;
    return `${issue.field}: ${issue.message}`;
  }

  async function load(camera) {
    state.camera = camera;
    const data = await api(`/api/cameras/${encodeURIComponent(camera)}/layout`);
    state.layout = data.layout;
    state.zones = structuredClone(data.layout.zones ?? []);
    state.lines = structuredClone(data.layout.lines ?? []);
    state.selected = null;
    state.waiting = null;
    $('e-status').hidden = true;
    $('e-picture').src = `/api/cameras/${encodeURIComponent(camera)}/picture.jpg?t=${Date.now()}`;
    setMode(null);
  }

  return {
    show() {
      const select = $('e-camera');
      const chosen = select.value;
      select.replaceChildren(...cameras().map((camera) => element('option', { value: camera.id, text: camera.name })));
      if (chosen) select.value = chosen;
      if (select.value && select.value !== state.camera) load(select.value); else draw();
    },
    // Called with each refresh of the camera list: tells the operator when the worker runs the saved version.
    camerasUpdated() {
      if (!state.waiting) return;
      const camera = cameras().find((c) => c.id === state.camera);
      if (camera?.configVersion === state.waiting) { state.waiting = null; status(t('editor.applied'), 'ok applied'); }
    },
  };
}
