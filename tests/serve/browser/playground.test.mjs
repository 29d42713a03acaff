// Drives the playground page of a running `rft serve --model M --compare B --spec S --reward R`
// in headless Chromium (Debian's, through playwright-core): keyboard-only prompt entry, both
// answers streamed and graded, the dataset tab's summary, a server error shown on the page, a
// narrow window, and no console error or request off the server. Writes screenshots.
// Usage: node playground.test.mjs BASE_URL EVAL_JSONL EVAL_ROWS OUT_DIR
import { chromium } from 'playwright-core';
import assert from 'node:assert/strict';

const [base, evalFile, evalRowsText, outDir] = process.argv.slice(2);
const evalRows = Number(evalRowsText);
const executablePath = process.env.CHROMIUM || '/usr/bin/chromium';

const consoleErrors = [];
const offServer = [];
let expectErrors = false;  // while the test provokes a 400, Chromium logs the failed request

async function api(path, body) {
  const res = await fetch(base + path, {
    method: body ? 'POST' : 'GET',
    headers: { 'Content-Type': 'application/json' },
    body: body ? JSON.stringify(body) : undefined,
  });
  assert.equal(res.status, 200, `${path}: HTTP ${res.status}`);
  return res.json();
}

function check(name, fn) {
  return fn().then(() => console.log(`ok: ${name}`));
}

const browser = await chromium.launch({
  executablePath,
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run'],
});
try {
  const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
  page.on('console', (msg) => {
    if (msg.type() !== 'error') return;
    if (expectErrors && /status of 400/.test(msg.text())) return;
    consoleErrors.push(msg.text());
  });
  page.on('pageerror', (e) => consoleErrors.push(`page error: ${e.message}`));
  page.on('request', (req) => {
    if (!req.url().startsWith(base)) offServer.push(req.url());
  });

  const models = (await api('/v1/models')).data.map((m) => m.id);
  assert.equal(models.length, 2, 'the server serves two models');
  const grader = await api('/v1/grade');
  const components = grader.components.map((c) => c.name);

  await page.goto(base + '/');
  await page.waitForFunction(() => document.getElementById('info').textContent.startsWith('Models:'));

  await check('keyboard-only prompt: both answers stream and are graded', async () => {
    // Tab from the top of the page to the prompt box: every control on the way is reachable.
    let reached = false;
    for (let i = 0; i < 20 && !reached; i++) {
      await page.keyboard.press('Tab');
      reached = await page.evaluate(() => document.activeElement.id === 'prompt');
    }
    assert.ok(reached, 'the prompt box is reachable with Tab');
    await page.keyboard.type('12+34=');
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'item');
    await page.keyboard.press('Control+A');
    await page.keyboard.type('{"answer": "46"}');
    await page.keyboard.press('Shift+Tab');
    await page.keyboard.press('Control+Enter');
    await page.waitForFunction((n) => document.querySelectorAll('#prompt-answers .reward').length === n,
      models.length, { timeout: 120000 });
    const cards = await page.$$eval('#prompt-answers .answer-card', (cs) => cs.map((c) => ({
      model: c.dataset.model,
      answer: c.querySelector('.answer').textContent,
      status: c.querySelector('.status').textContent,
      live: c.querySelector('.answer').getAttribute('aria-live'),
      rows: [...c.querySelectorAll('.reward tr')].map((tr) => [tr.cells[0].textContent, tr.cells[1].textContent]),
    })));
    assert.deepEqual(cards.map((c) => c.model), models);
    for (const c of cards) {
      assert.equal(c.live, 'polite');
      assert.match(c.status, /^done \(finish: (stop|length)\)$/);
      assert.deepEqual(c.rows.map((r) => r[0]), ['total', ...components]);
      // The page shows what the API says: the same greedy text, and the same grade for it.
      const direct = await api('/v1/completions',
        { model: c.model, prompt: '12+34=', temperature: 0, max_tokens: 64 });
      assert.equal(c.answer, direct.choices[0].text, `${c.model}: streamed text`);
      const graded = (await api('/v1/grade',
        { samples: [{ prompt: '12+34=', completion: c.answer, item: { answer: '46' } }] })).data[0];
      const shown = Object.fromEntries(c.rows.map(([k, v]) => [k, Number(v)]));
      assert.ok(Math.abs(shown.total - graded.total) < 1e-4, `${c.model}: total`);
      for (const name of components) {
        assert.ok(Math.abs(shown[name] - graded.components[name]) < 1e-4, `${c.model}: ${name}`);
      }
    }
    // A check that the numbers compared above are not all zero.
    assert.ok(cards.some((c) => Number(c.rows[0][1]) > 0), 'some answer scores above 0');
    await page.screenshot({ path: `${outDir}/playground.png`, fullPage: true });
  });

  await check('dataset tab: rows run one after another, mean per component per model', async () => {
    await page.focus('#tab-prompt');
    await page.keyboard.press('ArrowRight');
    assert.equal(await page.evaluate(() => document.getElementById('panel-dataset').hidden), false);
    assert.equal(await page.evaluate(() => document.activeElement.id), 'tab-dataset');
    await page.setInputFiles('#eval-file', evalFile);
    await page.waitForFunction(() => document.getElementById('row-position').textContent.startsWith('Row 1 of'));
    assert.equal(await page.textContent('#row-position'), `Row 1 of ${evalRows}`);
    await page.focus('#run-all');
    await page.keyboard.press('Enter');
    await page.waitForFunction((n) => {
      const rows = [...document.querySelectorAll('#summary tbody tr')];
      return rows.length > 0 && rows.every((tr) => tr.cells[1].textContent === String(n));
    }, evalRows, { timeout: 180000 });
    const head = await page.$$eval('#summary thead th', (ths) => ths.map((t) => t.textContent));
    assert.deepEqual(head, ['model', 'rows', 'mean total', ...components.map((c) => `mean ${c}`)]);
    const summary = await page.$$eval('#summary tbody tr', (trs) => trs.map((tr) => [...tr.cells].map((c) => c.textContent)));
    assert.deepEqual(summary.map((r) => r[0]), models);
    for (const r of summary) for (const v of r.slice(2)) assert.ok(Number.isFinite(Number(v)), `summary value ${v}`);
    assert.equal(await page.textContent('#row-position'), `Row ${evalRows} of ${evalRows}`);
    await page.screenshot({ path: `${outDir}/playground-dataset.png`, fullPage: true });
  });

  await check('a server error is shown on the page', async () => {
    expectErrors = true;
    await page.fill('#max-tokens', '0');
    await page.focus('#tab-dataset');
    await page.keyboard.press('ArrowLeft');
    await page.focus('#prompt');
    await page.keyboard.press('Control+Enter');
    // Each card says that its request failed, and the error list has the server's message.
    await page.waitForFunction((n) => document.querySelectorAll('#prompt-answers .status.error').length === n,
      models.length, { timeout: 60000 });
    assert.equal(await page.evaluate(() => document.getElementById('errors-box').hidden), false);
    const errors = await page.$$eval('#errors li', (lis) => lis.map((l) => l.textContent));
    assert.equal(errors.filter((e) => /HTTP 400/.test(e) && /max_tokens/.test(e)).length, models.length,
      errors.join('\n'));
    await page.waitForFunction(() => !document.getElementById('generate').disabled);
    expectErrors = false;
    await page.fill('#max-tokens', '64');
    await page.click('#clear-errors');
  });

  await check('a narrow window: no sideways scrolling, answers stacked', async () => {
    await page.setViewportSize({ width: 360, height: 800 });
    // Names every element that reaches past the window, so a failure says what to fix.
    const wide = await page.evaluate(() => [...document.querySelectorAll('body *')]
      .filter((e) => e.getBoundingClientRect().right > window.innerWidth + 0.5 ||
        (getComputedStyle(e).overflowX === 'visible' && e.scrollWidth > e.clientWidth + 1 && e.clientWidth > 0))
      .map((e) => `${e.tagName.toLowerCase()}${e.id ? '#' + e.id : ''}: ${e.scrollWidth} px of content in ${e.clientWidth} px`));
    const fit = await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);
    assert.ok(fit && wide.length === 0, `the page fits 360 px; too wide:\n${wide.join('\n')}`);
    const boxes = await page.$$eval('#prompt-answers .answer-card', (cs) => cs.map((c) => c.getBoundingClientRect().toJSON()));
    assert.ok(boxes[1].top >= boxes[0].bottom, 'the second answer is below the first');
  });
} finally {
  await browser.close();
}

assert.deepEqual(offServer, [], 'the page requested nothing off its server');
assert.deepEqual(consoleErrors, [], 'console errors');
console.log('ok: no console errors, no requests off the server');
