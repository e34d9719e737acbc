// Real-browser test of the dashboard: headless Debian chromium driven by playwright-core,
// against a running `mls up` (scripts/browser-test.sh starts it and sets the environment).
//
//   MLS_URL          base URL of the continuum agent (default http://127.0.0.1:18080)
//   MLS_TOKEN        admin token (required)
//   MLS_DEPLOY_CMD   shell command that deploys examples/demo-app.yaml; without it the test
//                    POSTs the file to /api/v1/apps itself
//   MLS_SCREENSHOT   where to save the screenshot (default docs/screenshots/dashboard.png)
//   CHROMIUM         browser binary (default /usr/bin/chromium)

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { chromium } from 'playwright-core';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const BASE = (process.env.MLS_URL ?? 'http://127.0.0.1:18080').replace(/\/$/, '');
const TOKEN = process.env.MLS_TOKEN ?? '';
const SCREENSHOT = resolve(repo, process.env.MLS_SCREENSHOT ?? 'docs/screenshots/dashboard.png');
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const APP = 'smart-camera';
const NODES = ['cloud-1', 'cloud-2', 'cloud-3', 'edge-1', 'edge-2', 'edge-3', 'far-1', 'far-2'];
const LAYERS = { 'cloud-1': 'cloud', 'edge-1': 'edge', 'far-1': 'far-edge' };

// The flags known to work on this CI's machines: no GPU, no sandbox (root), and no background
// networking (the network is closed; Chromium's own connections would be refused). Playwright
// adds --headless and a fresh temporary --user-data-dir itself.
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Collects what the page says on the console and what it throws, to assert on at the end. */
function watch(page) {
  const seen = { console: [], errors: [], failed: [] };
  page.on('console', (msg) => {
    if (msg.type() === 'error' || msg.type() === 'warning') {
      seen.console.push(`${msg.type()}: ${msg.text()} (${msg.location().url}:${msg.location().lineNumber})`);
    }
  });
  page.on('pageerror', (err) => seen.errors.push(String(err?.stack ?? err)));
  page.on('requestfailed', (req) => {
    // The event stream is cut when the page closes; that is not a failure of the page.
    if (!req.url().includes('/api/v1/events')) seen.failed.push(`${req.method()} ${req.url()}: ${req.failure()?.errorText}`);
  });
  return seen;
}

async function deployDemoApp() {
  const cmd = process.env.MLS_DEPLOY_CMD;
  if (cmd) {
    const { stdout, stderr } = await promisify(execFile)('bash', ['-c', cmd], { cwd: repo, timeout: 60_000 });
    console.log(`# deployed with: ${cmd.replace(TOKEN, '<token>')}\n# ${(stdout + stderr).trim().split('\n').join('\n# ')}`);
    return;
  }
  const body = await readFile(resolve(repo, 'examples/demo-app.yaml'));
  const res = await fetch(`${BASE}/api/v1/apps`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/yaml' },
    body,
  });
  assert.equal(res.status, 201, `POST /api/v1/apps answered ${res.status}: ${await res.text()}`);
  console.log('# deployed with: POST /api/v1/apps (no MLS_DEPLOY_CMD)');
}

describe('dashboard', { timeout: 180_000 }, () => {
  let browser;
  let page;
  let seen;
  let navigations = 0;

  before(async () => {
    assert.ok(TOKEN, 'MLS_TOKEN must be set (scripts/browser-test.sh reads it from <data-dir>/admin.token)');
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, deviceScaleFactor: 1, colorScheme: 'light' });
    page = await context.newPage();
    seen = watch(page);
    page.on('framenavigated', (frame) => {
      if (frame === page.mainFrame()) navigations += 1;
    });
  });

  after(async () => {
    await browser?.close();
  });

  it('opens with the token, then drops it from the address bar', async () => {
    const response = await page.goto(`${BASE}/?token=${encodeURIComponent(TOKEN)}`);
    assert.equal(response?.status(), 200);
    await page.getByTestId('topology').locator('svg').waitFor({ timeout: 15_000 });
    assert.ok(!page.url().includes('token='), `token still in the URL: ${page.url()}`);
    assert.equal(await page.evaluate(() => sessionStorage.getItem('mlsysops.token')), TOKEN);
    assert.equal(await page.getByTestId('auth-prompt').isVisible(), false);
  });

  it("shows every node of mls up's built-in topology, with its layer and health", async () => {
    for (const name of NODES) {
      const node = page.getByTestId(`node-${name}`);
      await node.waitFor({ timeout: 10_000 });
      assert.equal(await node.getAttribute('data-healthy'), 'true', `${name} should be healthy`);
    }
    for (const [name, layer] of Object.entries(LAYERS)) {
      assert.equal(await page.getByTestId(`node-${name}`).getAttribute('data-layer'), layer);
    }
    // Trust colours the ring around each node: every registered node has a level.
    for (const name of NODES) {
      assert.match(await page.getByTestId(`node-${name}`).getAttribute('data-trust'), /^(high|medium|low)$/, `${name} trust level`);
    }
    assert.match(await page.getByTestId('node-edge-1').locator('title').first().textContent(), /trust: \d+ % \((high|medium|low)\)/);
    assert.ok(await page.getByTestId('node-edge-1').locator('rect.trust-ring').count() === 1, 'a trust ring around the node');
  });

  it('draws live telemetry for the nodes', async () => {
    for (const name of ['cloud-1', 'edge-1']) {
      await page
        .getByTestId(`chart-${name}-node_cpu_utilization`)
        .locator('polyline.series')
        .waitFor({ state: 'attached', timeout: 15_000 });
    }
    const charts = await page.locator('[data-testid^="chart-"] polyline.series').count();
    assert.ok(charts >= NODES.length, `expected a line per node chart, found ${charts}`);
  });

  it(`shows ${APP} live after a deploy from the CLI, with its instances on nodes`, async () => {
    assert.equal(await page.getByTestId(`app-${APP}`).count(), 0, `${APP} is already deployed; start from an empty data dir`);
    const before = navigations;
    await page.evaluate(() => {
      window.__sameDocument = true;
    });
    await deployDemoApp();
    await page.getByTestId(`app-${APP}`).waitFor({ timeout: 20_000 });
    const instances = page.locator(`[data-testid^="node-"] [data-app="${APP}"]`);
    await instances.first().waitFor({ state: 'attached', timeout: 20_000 });
    assert.equal(navigations, before, 'the page reloaded');
    assert.equal(await page.evaluate(() => window.__sameDocument), true, 'the page reloaded');
    // Give the pipeline time to start every component (depends_on orders the start), for the
    // screenshot; the assertion above is the contract, this only reports.
    await page
      .waitForFunction((app) => document.querySelectorAll(`[data-testid^="node-"] [data-app="${app}"]`).length >= 4, APP, { timeout: 20_000 })
      .catch(() => {});
    const where = await instances.evaluateAll((els) =>
      els.map((el) => `${el.getAttribute('data-component')}@${el.closest('[data-testid^="node-"]').getAttribute('data-testid').slice(5)}`),
    );
    console.log(`# ${APP} instances on nodes: ${where.join(', ')}; phase ${await page.getByTestId(`app-${APP}`).getAttribute('data-phase')}`);
    assert.ok(where.length > 0, 'instances on nodes');
  });

  it('shows the QoS target of the detector against its current value', async () => {
    const chart = page.getByTestId(`qos-${APP}-detector-detector_latency_ms`);
    await chart.waitFor({ timeout: 20_000 });
    assert.equal(await chart.locator('line.target').count(), 1, 'a dashed target line');
  });

  it('lists plans in the decision log, newest first, with their outcome', async () => {
    const plans = page.getByTestId('decision-log').locator('li.plan');
    await plans.first().waitFor({ timeout: 20_000 });
    const n = await plans.count();
    assert.ok(n >= 1, 'at least one plan');
    const first = plans.first();
    assert.ok((await first.getAttribute('data-status'))?.length, 'a status');
    console.log(`# decision log: ${n} plans shown; newest: ${(await first.innerText()).split('\n').join(' | ').slice(0, 200)}`);
  });

  it('has no serious accessibility problems (axe-core, WCAG 2 A/AA)', async () => {
    const axeSource = await readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
    await page.evaluate(axeSource); // evaluated over CDP, so a Content-Security-Policy does not stop it
    const result = await page.evaluate(() =>
      window.axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } }),
    );
    const serious = result.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.id} (${v.impact}): ${v.help}; e.g. ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')}`);
    const minor = result.violations.filter((v) => !(v.impact === 'serious' || v.impact === 'critical'));
    if (minor.length) console.log(`# axe, minor: ${minor.map((v) => `${v.id} (${v.nodes.length})`).join(', ')}`);
    assert.deepEqual(serious, []);
  });

  it('saves a screenshot', async () => {
    // A picture worth keeping: wait (at most 15 s) until the detector's latency has a line.
    await page
      .getByTestId(`qos-${APP}-detector-detector_latency_ms`)
      .locator('polyline.series')
      .waitFor({ state: 'attached', timeout: 15_000 })
      .catch(() => console.log('# (no latency line yet for the screenshot)'));
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.waitForTimeout(300);
    await mkdir(dirname(SCREENSHOT), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: false });
    console.log(`# screenshot: ${SCREENSHOT}`);
  });

  it('logged no console errors or warnings, threw nothing and lost no request', () => {
    assert.deepEqual(seen.errors, [], 'page errors / unhandled rejections');
    assert.deepEqual(seen.console, [], 'console errors and warnings');
    assert.deepEqual(seen.failed, [], 'failed requests');
  });

  it('asks for the token when there is none, and connects with the one typed in', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const p = await context.newPage();
    const s = watch(p);
    try {
      await p.goto(`${BASE}/`);
      const prompt = p.getByTestId('auth-prompt');
      await prompt.waitFor({ timeout: 10_000 });
      assert.match(await prompt.innerText(), /admin\.token/);
      await p.getByLabel('API token', { exact: true }).fill(TOKEN);
      await p.getByRole('button', { name: 'Connect' }).click();
      await p.getByTestId('node-edge-1').waitFor({ timeout: 15_000 });
      assert.deepEqual(s.errors, []);
      // The one probe without a token is answered 401, which Chromium reports on the console.
      assert.deepEqual(s.console.filter((m) => !/status of 401/.test(m)), []);
    } finally {
      await context.close();
    }
  });
});
