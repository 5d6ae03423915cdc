// The step-by-step view of a dirtyrace trace: reads the trace embedded in the page (the
// "dirtyrace-trace" JSON of README "Trace format"), draws one swim lane per actor and one row per
// step, and shows the state after the selected step with what that step changed highlighted.
(function () {
  'use strict';

  const trace = JSON.parse(document.getElementById('trace-data').textContent);
  const steps = trace.steps;

  function el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      e.setAttribute(k, v);
    }
    for (const c of children) e.append(c);
    return e;
  }

  const key = (object, attribute) => object + '\u0000' + attribute;

  // Lanes as traces/lanes.cpp orders them: actors in scenario order (their positions in the
  // initial state), the device, then any actor seen only in a step.
  const lanes = [];
  const addLane = (a) => { if (!lanes.includes(a)) lanes.push(a); };
  for (const v of trace.initial_state) if (v.attribute === 'at') addLane(v.object);
  addLane('disk');
  for (const s of steps) addLane(s.actor);

  // states[k]: the variables after step k (0: the initial state). A change to "" removes a
  // variable; an actor's position ("at") follows its steps' "next".
  const variables = [];  // every [object, attribute] any state has, in order of appearance
  const seen = new Set();
  const note = (object, attribute) => {
    const k = key(object, attribute);
    if (!seen.has(k)) { seen.add(k); variables.push([object, attribute]); }
  };
  const states = [new Map()];
  for (const v of trace.initial_state) {
    note(v.object, v.attribute);
    states[0].set(key(v.object, v.attribute), v.value);
  }
  const changedBy = [new Map()];  // per step: key -> value before
  for (const s of steps) {
    const state = new Map(states[states.length - 1]);
    const changed = new Map();
    for (const c of s.changes) {
      note(c.object, c.attribute);
      const k = key(c.object, c.attribute);
      changed.set(k, c.from);
      if (c.to === '') state.delete(k);
      else state.set(k, c.to);
    }
    if (s.next) {
      const k = key(s.actor, 'at');
      if (state.get(k) !== s.next) {
        note(s.actor, 'at');
        changed.set(k, state.get(k) || '');
        state.set(k, s.next);
      }
    }
    states.push(state);
    changedBy.push(changed);
  }

  function stepName(s) {
    return s.function + ': ' + s.step + (s.block === undefined ? '' : ' (block ' + s.block + ')');
  }

  // "b0.0: BH_dirty 1→0, BH_lock 0→1; nr_dirty 1→0", as the text trace prints changes.
  function changeSummary(changes) {
    const parts = [];
    let object = null;
    for (const c of changes) {
      const text = c.attribute + ' ' + (c.from ? c.from + '→' : '') + (c.to || '(gone)');
      if (c.object === object) parts[parts.length - 1] += ', ' + text;
      else parts.push((c.object === c.attribute ? '' : c.object + ': ') + text);
      object = c.object;
    }
    return parts.join('; ');
  }

  // The swim lanes: a header row of actors, the initial state, one row per step.
  const table = document.getElementById('steps');
  const headRow = el('tr', {}, el('th', { class: 'index', scope: 'col' }, '#'));
  for (const a of lanes) {
    headRow.append(el('th', { scope: 'col', 'data-lane': a, class: a === 'disk' ? 'device' : '' }, a));
  }
  table.append(el('thead', {}, headRow));
  const body = el('tbody');
  table.append(body);
  const rows = [];
  const initialRow = el('tr', { class: 'step initial', 'data-step': '0' },
    el('th', { class: 'index', scope: 'row' }, '0'),
    el('td', { class: 'act', colspan: String(lanes.length) }, 'initial state'));
  rows.push(initialRow);
  steps.forEach((s, i) => {
    const row = el('tr', { class: 'step', 'data-step': String(i + 1), 'data-actor': s.actor },
      el('th', { class: 'index', scope: 'row' }, String(i + 1)));
    for (const a of lanes) {
      if (a !== s.actor) { row.append(el('td', { class: 'lane' })); continue; }
      const cell = el('td', {
        class: 'lane act' + (s.changes.length ? '' : ' quiet'),
        title: s.source + '\n' + s.what,
      }, el('div', { class: 'fn' }, stepName(s)));
      cell.append(el('div', { class: 'changes' },
        s.changes.length ? changeSummary(s.changes) : 'goes on to ' + (s.next || 'done')));
      row.append(cell);
    }
    rows.push(row);
  });
  // A can_finish lasso: the last step returns to the state after step loop_start.
  function loopNote() {
    if (trace.loop_start === undefined) return '';
    const k = trace.loop_start;
    return ': the run is back at ' + (k ? 'the state after step ' + k : 'the initial state') +
      ', and steps ' + (k + 1) + '-' + steps.length + ' repeat forever';
  }
  const lastRow = el('tr', { class: 'verdict' },
    el('th', { class: 'index', scope: 'row' }, ''),
    el('td', { colspan: String(lanes.length) }, 'then: ' + (trace.property.name || 'no property') + ' is violated' + loopNote()));
  body.append(...rows, lastRow);

  // The state panel groups variables the way a kernel developer reads them.
  function groupOf(object, attribute) {
    if (attribute === 'at' || lanes.includes(object)) return 'actors';
    // Write errors: where the kernel keeps them and what each open file has been told.
    if (object === 'mapping' || object === 'errors' || /^file\d+$/.test(object)) return 'errors';
    if (/^p\d+$/.test(object)) return 'pages';
    if (['pte', 'rmap', 'vma'].includes(object) && /^m\d+\.p\d+$/.test(attribute)) return 'ptes';
    if (object === 'tlb' && /^\w+\.p\d+$/.test(attribute)) return 'tlbs';
    if (/^b\d+\.\d+$/.test(object)) return 'blocks';
    return 'other';
  }
  const columnTitles = {
    mem: 'version in memory', io: 'version in flight (write I/O)', disk: 'version on disk',
    'PG_locked': 'the page lock\'s holder', at: 'where the actor is: the step it runs next',
  };
  const columnLabels = { io: 'in flight', at: 'next step' };

  // A table with one row per `rowKey` and one column per `colKey` of the variables given;
  // `columns` fixes the first columns and their order.
  function gridSpec(title, vars, rowOf, colOf, rowLabel, columns) {
    const rowKeys = [], colKeys = [...(columns || [])], cells = new Map();
    for (const [object, attribute] of vars) {
      const r = rowOf(object, attribute), c = colOf(object, attribute);
      if (!rowKeys.includes(r)) rowKeys.push(r);
      if (!colKeys.includes(c)) colKeys.push(c);
      cells.set(r + '\u0000' + c, [object, attribute]);
    }
    return { title, rowKeys, colKeys, cells, rowLabel };
  }

  const byGroup = { pages: [], ptes: [], tlbs: [], blocks: [], errors: [], other: [], actors: [] };
  for (const v of variables) byGroup[groupOf(v[0], v[1])].push(v);
  const specs = [];
  if (byGroup.ptes.length) {
    // Each mapping's PTEs, and under them whether the page's rmap counts that mapping and, with
    // an mprotect, whether its VMA allows writes.
    const rowSuffix = { pte: '', rmap: ' rmap', vma: ' vma' };
    const rowNames = { '': '', ' rmap': ': mapped (rmap)', ' vma': ': VMA' };
    specs.push(gridSpec('PTEs and rmap (mapping × page)', byGroup.ptes,
      (o, a) => a.split('.')[0] + rowSuffix[o], (o, a) => a.split('.')[1],
      (r) => 'mapping ' + r.slice(1).replace(/^(\d+)(.*)$/, (_, m, rest) => m + rowNames[rest])));
  }
  if (byGroup.tlbs.length) {
    // One CPU per writer thread; a CPU caches translations of its own process's mapping only,
    // so a row fills the columns of that mapping and leaves the others empty.
    const mappingOf = {};
    const perKind = {};
    for (const a of (trace.scenario && trace.scenario.actors) || []) {
      const n = perKind[a.kind] || 0;
      perKind[a.kind] = n + 1;
      if (a.mapping !== undefined) mappingOf[a.kind + n] = a.mapping;
    }
    const pairs = [];
    for (let m = 0; m < ((trace.scenario && trace.scenario.mappings) || 1); ++m) {
      for (let p = 0; p < ((trace.scenario && trace.scenario.pages) || 1); ++p) pairs.push('m' + m + '.p' + p);
    }
    specs.push(gridSpec('TLBs (CPU × mapping.page; RO read-only, W writable, WD writable and dirty)', byGroup.tlbs,
      (o, a) => a.split('.')[0], (o, a) => 'm' + (mappingOf[a.split('.')[0]] ?? 0) + '.' + a.split('.')[1],
      (r) => r + '\'s CPU', pairs));
  }
  if (byGroup.pages.length) {
    // A flag per row and a page per column: a file has few pages but each has many flags.
    specs.push(gridSpec('Pages: flags and tags', byGroup.pages, (o, a) => a, (o) => o, (r) => r));
  }
  if (byGroup.blocks.length) {
    specs.push(gridSpec('Buffers and data versions', byGroup.blocks, (o) => o, (o, a) => a,
      (r) => r));
  }
  if (byGroup.errors.length) {
    specs.push(gridSpec('Write errors (the mapping, and each open file)', byGroup.errors,
      (o) => o, (o, a) => a, (r) => r));
  }
  if (byGroup.other.length) {
    specs.push(gridSpec('Counters and checks', byGroup.other, (o) => o, (o, a) => a, (r) => r));
  }
  if (byGroup.actors.length) {
    specs.push(gridSpec('Actors', byGroup.actors, (o) => o, (o, a) => a, (r) => r));
  }

  // Renders `state` as tables; `changed` (key -> value before) marks what the step changed.
  function renderState(state, changed) {
    const out = [];
    for (const spec of specs) {
      const head = el('tr', {}, el('th', {}, ''));
      for (const c of spec.colKeys) {
        head.append(el('th', { scope: 'col', title: columnTitles[c] || '' }, columnLabels[c] || c));
      }
      const tbody = el('tbody');
      for (const r of spec.rowKeys) {
        const tr = el('tr', {}, el('th', { scope: 'row' }, spec.rowLabel(r)));
        for (const c of spec.colKeys) {
          const v = spec.cells.get(r + '\u0000' + c);
          if (!v) { tr.append(el('td', { class: 'none' })); continue; }
          const k = key(v[0], v[1]);
          const value = state.has(k) ? state.get(k) : '';
          const td = el('td', {
            class: 'value' + (state.has(k) ? '' : ' absent') + (/^(0|-|none)$/.test(value) ? ' off' : ''),
            'data-object': v[0], 'data-attribute': v[1], 'data-value': value,
          });
          if (changed && changed.has(k)) {
            td.classList.add('changed');
            td.append(el('span', { class: 'was' }, changed.get(k) || '∅'), '→');
          }
          td.append(el('span', { class: 'now' }, state.has(k) ? value : '∅'));
          tr.append(td);
        }
        tbody.append(tr);
      }
      out.push(el('section', { class: 'group' }, el('h3', {}, spec.title),
        el('table', {}, el('thead', {}, head), tbody)));
    }
    return out;
  }

  const panel = document.getElementById('state');
  let selected = -1;

  function select(index) {
    index = Math.max(0, Math.min(steps.length, index));
    if (index === selected) return;
    if (selected >= 0) rows[selected].classList.remove('selected');
    selected = index;
    const row = rows[index];
    row.classList.add('selected');
    row.setAttribute('aria-selected', 'true');
    for (const r of rows) if (r !== row) r.removeAttribute('aria-selected');
    row.scrollIntoView({ block: 'nearest' });

    const parts = [];
    if (index === 0) {
      parts.push(el('h2', { id: 'state-title' }, 'Initial state'));
    } else {
      const s = steps[index - 1];
      parts.push(el('h2', { id: 'state-title' }, 'After step ' + index + ' of ' + steps.length));
      parts.push(el('div', { id: 'step-detail' },
        el('p', { class: 'what-step' }, el('strong', {}, s.actor), ' ', stepName(s)),
        el('p', { class: 'source' }, s.source),
        el('p', { class: 'what' }, s.what),
        el('p', { class: 'next' }, s.actor === 'disk' ? '' : s.actor + ' goes on to ' + (s.next || 'done'))));
    }
    if (index === steps.length) {
      parts.push(el('div', { id: 'violation-note' },
        el('strong', {}, trace.property.name ? 'Violated: ' + trace.property.name
          : 'No property violated:'), ' ', trace.property.detail + loopNote()));
    }
    parts.push(...renderState(states[index], changedBy[index]));
    panel.replaceChildren(...parts);
  }

  body.addEventListener('click', (e) => {
    const row = e.target.closest('tr.step');
    if (row) select(Number(row.dataset.step));
  });
  document.addEventListener('keydown', (e) => {
    if (e.altKey || e.ctrlKey || e.metaKey) return;
    const moves = {
      ArrowDown: () => selected + 1, j: () => selected + 1,
      ArrowUp: () => selected - 1, k: () => selected - 1,
      Home: () => 0, End: () => steps.length,
    };
    if (!(e.key in moves)) return;
    e.preventDefault();
    select(moves[e.key]());
  });

  document.getElementById('final-state').append(...renderState(states[steps.length], null));
  select(0);
})();
