// The rft playground: one prompt (or a dataset's rows) sent to every served model at once, the
// answers streamed side by side and graded with the server's reward (POST /v1/grade). It talks
// to its own server only, through the same API as any client; every failure is shown on the page.
'use strict';

const state = {
  models: [],          // ids from /v1/models, in the server's order
  grader: null,        // GET /v1/grade, or null when the server loads no reward
  rows: [],            // the dataset tab's rows
  row: 0,
  results: new Map(),  // dataset row index -> {model id -> graded result}
  stopAll: false,
  busy: false,
};

const $ = (id) => document.getElementById(id);

function el(tag, props, ...children) {
  const e = document.createElement(tag);
  Object.assign(e, props || {});
  for (const c of children) e.append(c);
  return e;
}

// ---- errors: listed on the page, never only in the console ----

function showError(message) {
  const box = $('errors-box');
  const time = new Date().toLocaleTimeString();
  $('errors').append(el('li', { textContent: `${time}: ${message}` }));
  box.hidden = false;
}

window.addEventListener('error', (e) => showError(`script error: ${e.message}`));
window.addEventListener('unhandledrejection', (e) => {
  showError(`unexpected failure: ${e.reason && e.reason.message ? e.reason.message : e.reason}`);
});

// ---- the API ----

function headers() {
  const h = { 'Content-Type': 'application/json' };
  const key = $('api-key').value.trim();
  if (key) h.Authorization = `Bearer ${key}`;
  return h;
}

// An error response's message, in the API's shape {"error": {"message"}} or as the text it is.
async function responseError(res, what) {
  let text = '';
  try { text = await res.text(); } catch (e) { text = String(e); }
  let message = text;
  try {
    const j = JSON.parse(text);
    if (j && j.error && j.error.message) message = j.error.message;
  } catch (_) { /* not JSON: keep the text */ }
  const err = new Error(`${what}: HTTP ${res.status}: ${message || res.statusText}`);
  err.status = res.status;
  err.code = (() => { try { return JSON.parse(text).error.code; } catch (_) { return null; } })();
  return err;
}

async function api(method, path, body) {
  let res;
  try {
    res = await fetch(path, { method, headers: headers(), body: body ? JSON.stringify(body) : undefined });
  } catch (e) {
    throw new Error(`${method} ${path}: the server cannot be reached (${e.message})`);
  }
  if (!res.ok) throw await responseError(res, `${method} ${path}`);
  return res.json();
}

function samplingSettings() {
  const s = {};
  const t = parseFloat($('temperature').value);
  if (!Number.isNaN(t)) s.temperature = t;
  const m = parseInt($('max-tokens').value, 10);
  if (!Number.isNaN(m)) s.max_tokens = m;
  const seed = $('seed').value.trim();
  if (seed !== '') s.seed = parseInt(seed, 10);
  return s;
}

// Streams one model's answer to `input` ({prompt} or {messages}); onText gets each piece.
// Resolves to {text, finish}.
async function generate(model, input, onText) {
  const chat = input.messages !== undefined || $('format').value === 'chat';
  const path = chat ? '/v1/chat/completions' : '/v1/completions';
  const body = { model, stream: true, ...samplingSettings() };
  if (chat) {
    body.messages = input.messages || [{ role: 'user', content: input.prompt }];
  } else {
    body.prompt = input.prompt;
  }
  let res;
  try {
    res = await fetch(path, { method: 'POST', headers: headers(), body: JSON.stringify(body) });
  } catch (e) {
    throw new Error(`POST ${path}: the server cannot be reached (${e.message})`);
  }
  if (!res.ok) throw await responseError(res, `${model}: POST ${path}`);
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  let text = '';
  let finish = null;
  for (;;) {
    const { value, done } = await reader.read();
    if (value) buffer += decoder.decode(value, { stream: true });
    let end;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const event = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      for (const line of event.split('\n')) {
        if (!line.startsWith('data: ')) continue;
        const data = line.slice(6);
        if (data === '[DONE]') return { text, finish };
        const chunk = JSON.parse(data);
        if (chunk.error) throw new Error(`${model}: ${chunk.error.message}`);
        for (const c of chunk.choices || []) {
          const piece = chat ? (c.delta && c.delta.content) || '' : c.text || '';
          if (piece) {
            text += piece;
            onText(text);
          }
          if (c.finish_reason) finish = c.finish_reason;
        }
      }
    }
    if (done) break;
  }
  throw new Error(`${model}: the stream ended before [DONE]`);
}

async function grade(prompt, completion, item) {
  const reply = await api('POST', '/v1/grade', { samples: [{ prompt, completion, item }] });
  const r = reply.data[0];
  if (r.error) throw new Error(`grading: ${r.error}`);
  return r;
}

// ---- answer cards: one per model, side by side ----

function fmt(x) {
  if (x === null || x === undefined) return '–';
  return Number.isInteger(x) ? String(x) : x.toFixed(4).replace(/0+$/, '').replace(/\.$/, '');
}

function makeCards(container) {
  container.replaceChildren();
  const cards = new Map();
  for (const model of state.models) {
    const title = el('h2', { textContent: model });
    const answer = el('pre', { className: 'answer' });
    answer.setAttribute('aria-live', 'polite');
    answer.setAttribute('aria-label', `${model} answer`);
    const status = el('p', { className: 'status' });
    status.setAttribute('aria-live', 'polite');
    const scores = el('div', { className: 'scores' });
    const card = el('article', { className: 'answer-card' }, title, answer, status, scores);
    card.dataset.model = model;
    container.append(card);
    cards.set(model, { card, answer, status, scores });
  }
  return cards;
}

function componentInfo(name) {
  const list = (state.grader && state.grader.components) || [];
  return list.find((c) => c.name === name) || { name, judge: false };
}

function renderScores(target, result) {
  const rows = [];
  rows.push(el('tr', { className: 'total' },
    el('th', { scope: 'row', textContent: 'total' }),
    el('td', { className: 'num', textContent: fmt(result.total) })));
  for (const [name, value] of Object.entries(result.components)) {
    const info = componentInfo(name);
    const label = info.judge ? `${name} (judge)` : name;
    rows.push(el('tr', { className: 'component' },
      el('th', { scope: 'row', textContent: label }),
      el('td', { className: 'num', textContent: fmt(value) })));
  }
  const table = el('table', { className: 'reward' },
    el('caption', { textContent: `Reward ${state.grader.reward}` }),
    el('tbody', {}, ...rows));
  target.replaceChildren(table);
  if (result.flags && result.flags.length) {
    target.append(el('p', { className: 'flags', textContent: `flags: ${result.flags.join(', ')}` }));
  }
}

// Runs every model on one input and grades each answer as it ends. Resolves to a map of
// model -> graded result (missing for a model that failed).
async function runAll(cards, input, gradePrompt, item) {
  const graded = {};
  await Promise.all(state.models.map(async (model) => {
    const c = cards.get(model);
    c.answer.textContent = '';
    c.scores.replaceChildren();
    c.status.className = 'status';
    c.status.textContent = 'generating…';
    c.card.setAttribute('aria-busy', 'true');
    try {
      const out = await generate(model, input, (text) => { c.answer.textContent = text; });
      c.answer.textContent = out.text;
      c.status.textContent = `done (finish: ${out.finish || 'unknown'})`;
      if (state.grader) {
        const r = await grade(gradePrompt, out.text, item);
        renderScores(c.scores, r);
        graded[model] = r;
      }
    } catch (e) {
      c.status.className = 'status error';
      c.status.textContent = e.message;
      showError(e.message);
    } finally {
      c.card.setAttribute('aria-busy', 'false');
    }
  }));
  return graded;
}

// ---- the prompt tab ----

let promptCards = null;

async function onGenerate(event) {
  event.preventDefault();
  if (state.busy) return;
  const prompt = $('prompt').value;
  if (!prompt.trim()) {
    showError('Type a prompt first.');
    $('prompt').focus();
    return;
  }
  let item = {};
  if (!$('item-field').hidden && $('item').value.trim()) {
    try {
      item = JSON.parse($('item').value);
    } catch (e) {
      showError(`Item fields: not valid JSON (${e.message})`);
      $('item').focus();
      return;
    }
    if (item === null || typeof item !== 'object' || Array.isArray(item)) {
      showError('Item fields: expected a JSON object such as {"answer": "42"}');
      return;
    }
  }
  state.busy = true;
  $('generate').disabled = true;
  try {
    await runAll(promptCards, { prompt }, prompt, item);
  } finally {
    state.busy = false;
    $('generate').disabled = false;
  }
}

// ---- the dataset tab ----

let datasetCards = null;

function rowInput(row) {
  if (Array.isArray(row.messages)) return { messages: row.messages };
  return { prompt: row.prompt };
}

function rowPromptText(row) {
  if (Array.isArray(row.messages)) {
    return row.messages.map((m) => `${m.role}: ${typeof m.content === 'string' ? m.content : JSON.stringify(m.content)}`).join('\n');
  }
  return row.prompt;
}

// The prompt the reward sees: the text, or a conversation's last user message.
function rowGradePrompt(row) {
  if (Array.isArray(row.messages)) {
    const users = row.messages.filter((m) => m.role === 'user' && typeof m.content === 'string');
    return users.length ? users[users.length - 1].content : '';
  }
  return row.prompt;
}

function loadRows(text, name) {
  const rows = [];
  const lines = text.split('\n');
  let bad = 0;
  lines.forEach((line, i) => {
    if (!line.trim()) return;
    let row;
    try {
      row = JSON.parse(line);
    } catch (e) {
      bad += 1;
      if (bad <= 5) showError(`${name} line ${i + 1}: not valid JSON (${e.message})`);
      return;
    }
    if (row === null || typeof row !== 'object' || (typeof row.prompt !== 'string' && !Array.isArray(row.messages))) {
      bad += 1;
      if (bad <= 5) showError(`${name} line ${i + 1}: expected an object with a string "prompt" or a "messages" list`);
      return;
    }
    rows.push(row);
  });
  if (bad > 5) showError(`${name}: ${bad} lines skipped in all`);
  state.rows = rows;
  state.row = 0;
  state.results = new Map();
  datasetCards = makeCards($('dataset-answers'));
  showRow();
  renderSummary();
}

function showRow() {
  const n = state.rows.length;
  $('row-position').textContent = n ? `Row ${state.row + 1} of ${n}` : 'The file has no rows.';
  $('row-prompt').textContent = n ? rowPromptText(state.rows[state.row]) : '';
  updateDatasetButtons();
}

function updateDatasetButtons() {
  const n = state.rows.length;
  $('row-prev').disabled = state.busy || n === 0 || state.row === 0;
  $('row-next').disabled = state.busy || n === 0 || state.row >= n - 1;
  $('row-run').disabled = state.busy || n === 0;
  $('run-all').disabled = state.busy || n === 0;
  $('run-stop').disabled = !state.busy;
}

async function runRow() {
  const row = state.rows[state.row];
  const graded = await runAll(datasetCards, rowInput(row), rowGradePrompt(row), row);
  state.results.set(state.row, graded);
  renderSummary();
}

async function guarded(task) {
  if (state.busy) return;
  state.busy = true;
  updateDatasetButtons();
  try {
    await task();
  } finally {
    state.busy = false;
    updateDatasetButtons();
  }
}

function step(delta) {
  const next = state.row + delta;
  if (next < 0 || next >= state.rows.length) return;
  state.row = next;
  showRow();
  guarded(runRow);
}

function runEveryRow() {
  state.stopAll = false;
  guarded(async () => {
    for (let i = state.row; i < state.rows.length && !state.stopAll; i++) {
      state.row = i;
      showRow();
      await runRow();
    }
  });
}

// Mean reward per component for each model, over the rows run so far.
function renderSummary() {
  const table = $('summary');
  const names = state.grader ? state.grader.components.map((c) => c.name) : [];
  const head = el('tr', {}, el('th', { scope: 'col', textContent: 'model' }),
    el('th', { scope: 'col', className: 'num', textContent: 'rows' }),
    el('th', { scope: 'col', className: 'num', textContent: 'mean total' }),
    ...names.map((n) => el('th', { scope: 'col', className: 'num', textContent: `mean ${n}` })));
  table.tHead.replaceChildren(head);
  const body = [];
  for (const model of state.models) {
    let count = 0;
    let total = 0;
    const sums = names.map(() => 0);
    for (const graded of state.results.values()) {
      const r = graded[model];
      if (!r) continue;
      count += 1;
      total += r.total;
      names.forEach((n, k) => { sums[k] += r.components[n] || 0; });
    }
    const mean = (x) => (count ? fmt(x / count) : '–');
    const tr = el('tr', {}, el('th', { scope: 'row', textContent: model }),
      el('td', { className: 'num', textContent: String(count) }),
      el('td', { className: 'num', textContent: mean(total) }),
      ...sums.map((s) => el('td', { className: 'num', textContent: mean(s) })));
    tr.dataset.model = model;
    body.push(tr);
  }
  table.tBodies[0].replaceChildren(...body);
}

// ---- tabs (arrow keys move between them, as the ARIA tab pattern has it) ----

function selectTab(tab) {
  for (const t of document.querySelectorAll('[role=tab]')) {
    const on = t === tab;
    t.setAttribute('aria-selected', String(on));
    t.tabIndex = on ? 0 : -1;
    $(t.getAttribute('aria-controls')).hidden = !on;
  }
  tab.focus();
}

function setupTabs() {
  const tabs = [...document.querySelectorAll('[role=tab]')];
  tabs.forEach((t, i) => {
    t.addEventListener('click', () => selectTab(t));
    t.addEventListener('keydown', (e) => {
      let j = null;
      if (e.key === 'ArrowRight') j = (i + 1) % tabs.length;
      if (e.key === 'ArrowLeft') j = (i - 1 + tabs.length) % tabs.length;
      if (e.key === 'Home') j = 0;
      if (e.key === 'End') j = tabs.length - 1;
      if (j !== null) {
        e.preventDefault();
        selectTab(tabs[j]);
      }
    });
  });
}

// ---- start-up ----

async function loadServer() {
  try {
    const models = await api('GET', '/v1/models');
    state.models = models.data.map((m) => m.id);
  } catch (e) {
    $('info').textContent = 'The models could not be listed.';
    showError(e.message);
    return;
  }
  state.grader = null;
  try {
    state.grader = await api('GET', '/v1/grade');
  } catch (e) {
    // A server started without --spec grades nothing; that is a setting, not a failure.
    if (e.code !== 'no_grader') showError(e.message);
  }
  const g = state.grader;
  $('info').textContent = `Models: ${state.models.join(', ')}. ` + (g
    ? `Reward: ${g.reward} from ${g.spec} (${g.components.map((c) => c.name).join(', ')}).`
    : 'No reward loaded (start rft serve with --spec and --reward to see scores).');
  const itemFields = g ? g.item : [];
  $('item-field').hidden = itemFields.length === 0;
  if (itemFields.length && !$('item').value) {
    const example = {};
    for (const f of itemFields) example[f.name] = f.type === 'num' ? 0 : f.type === 'bool' ? false : '';
    $('item').value = JSON.stringify(example);
  }
  $('item-hint').textContent = itemFields.length
    ? `(${itemFields.map((f) => `${f.name}: ${f.type}`).join(', ')})` : '';
  promptCards = makeCards($('prompt-answers'));
  datasetCards = makeCards($('dataset-answers'));
  renderSummary();
}

function setup() {
  setupTabs();
  $('prompt-form').addEventListener('submit', onGenerate);
  $('settings').addEventListener('submit', (e) => e.preventDefault());
  $('prompt').addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      $('prompt-form').requestSubmit();
    }
  });
  $('clear-errors').addEventListener('click', () => {
    $('errors').replaceChildren();
    $('errors-box').hidden = true;
    $('prompt').focus();
  });
  $('api-key').addEventListener('change', loadServer);
  $('eval-file').addEventListener('change', async () => {
    const file = $('eval-file').files[0];
    if (!file) return;
    try {
      loadRows(await file.text(), file.name);
    } catch (e) {
      showError(`${file.name}: cannot be read (${e.message})`);
    }
  });
  $('row-prev').addEventListener('click', () => step(-1));
  $('row-next').addEventListener('click', () => step(1));
  $('row-run').addEventListener('click', () => guarded(runRow));
  $('run-all').addEventListener('click', runEveryRow);
  $('run-stop').addEventListener('click', () => { state.stopAll = true; });
  loadServer();
}

setup();
