// The MLSysOps dashboard: polls the northbound API every 2 s and on every server-sent event,
// and redraws what changed. No framework, no build step (docs/dashboard.md).

import { adoptTokenFromUrl, ApiError, AuthError, eventsUrl, getJson, getToken, items, setToken } from './api.js';
import { fingerprint, h, replace, replaceKeepingOpen, slug } from './dom.js';
import { renderTopology } from './topology.js';
import { appCard, eventItem, NODE_METRICS, newestPoint, nodeCard, planItem, WINDOW_MS } from './views.js';

const REFRESH_MS = 2000;
const EVENT_DEBOUNCE_MS = 150;
const PLAN_LIMIT = 50;
const MAX_EVENTS = 40;
const FRESH_MS = 3000;
const EVENT_TYPES = ['app', 'plan', 'node', 'instance', 'cluster'];

const $ = (id) => document.getElementById(id);

const view = {
  status: $('status'),
  auth: $('auth'),
  authForm: $('auth-form'),
  authInput: $('token-input'),
  authError: $('auth-error'),
  main: $('main'),
  topology: $('topology-view'),
  apps: $('app-list'),
  appCount: $('app-count'),
  log: $('decision-log'),
  logCount: $('plan-count'),
  logStatus: $('plan-filter-status'),
  logText: $('plan-filter-text'),
  nodes: $('node-charts'),
  events: $('event-feed'),
  banner: $('banner'),
};

const state = {
  continuum: null,
  apps: [],
  appDetails: new Map(),
  qosSeries: new Map(), // app → Map("component/metric" → series)
  plans: [],
  plansTotal: 0,
  nodeSeries: new Map(), // metric → series
  seenPlans: null, // Set of plan ids once the first list arrived
  freshPlans: new Map(), // plan id → when it arrived, highlighted for a few seconds
  rendered: new Map(), // region → fingerprint of what it shows
  lastRefresh: 0,
  live: false,
};

// ---------------------------------------------------------------- refresh loop

let running = false;
let inFlight = false;
let again = false;
let timer = 0;
let eventTimer = 0;

/** Runs one refresh now, or right after the one in flight (bursts coalesce into one). */
function refreshSoon(delay = 0) {
  if (!running) return;
  window.clearTimeout(timer);
  timer = window.setTimeout(() => {
    refresh().catch(reportUnexpected);
  }, delay);
}

async function refresh() {
  if (inFlight) {
    again = true;
    return;
  }
  inFlight = true;
  try {
    await refreshOnce();
    state.lastRefresh = Date.now();
    showBanner('');
    renderStatus();
  } catch (e) {
    if (e instanceof AuthError) {
      stop();
      showAuth(getToken() ? `The API refused the token (${e.status}): ${e.message}` : '');
      return;
    }
    showBanner(e instanceof ApiError ? `${e.message} Retrying every ${REFRESH_MS / 1000} s.` : `Refresh failed: ${e.message}`);
    renderStatus();
  } finally {
    inFlight = false;
  }
  if (!running) return;
  if (again) {
    again = false;
    refreshSoon(0);
  } else {
    refreshSoon(REFRESH_MS);
  }
}

/**
 * A node metric's series per node: the cluster agents hold them; with agents in separate
 * processes there are none here, and the continuum's own per-node copy stands in.
 */
async function nodeSeries(metric, window_) {
  const atCluster = await getJson('/api/v1/telemetry', { metric, window: window_, level: 'cluster' }).catch(softFail);
  if (atCluster?.series?.length) return atCluster;
  return getJson('/api/v1/telemetry', { metric, window: window_, level: 'continuum' }).catch(softFail);
}

async function refreshOnce() {
  const window_ = `${WINDOW_MS / 1000}s`;
  const [continuum, apps, plans, ...nodeMetrics] = await Promise.all([
    getJson('/api/v1/continuum'),
    getJson('/api/v1/apps', { limit: 200 }),
    getJson('/api/v1/plans', { limit: PLAN_LIMIT }),
    ...NODE_METRICS.map((m) => nodeSeries(m.metric, window_)),
  ]);
  state.continuum = continuum;
  state.apps = items(apps);
  state.plans = items(plans);
  state.plansTotal = typeof plans?.total === 'number' ? plans.total : state.plans.length;
  NODE_METRICS.forEach((m, i) => state.nodeSeries.set(m.metric, nodeMetrics[i]?.series ?? []));
  trackNewPlans();

  // Per app: its detail (components, instances, QoS targets), then the series of each target.
  const names = new Set(state.apps.map((a) => a.name));
  for (const name of [...state.appDetails.keys()]) if (!names.has(name)) state.appDetails.delete(name);
  for (const name of [...state.qosSeries.keys()]) if (!names.has(name)) state.qosSeries.delete(name);
  await Promise.all(
    state.apps.map(async (a) => {
      const detail = await getJson(`/api/v1/apps/${encodeURIComponent(a.name)}`).catch(softFail);
      if (!detail) return;
      state.appDetails.set(a.name, detail);
      const targets = (detail.components ?? []).flatMap((c) => (c.qos ?? []).map((q) => [c.name, q.metric]));
      const series = new Map();
      await Promise.all(
        targets.map(async ([component, metric]) => {
          const t = await getJson('/api/v1/telemetry', {
            metric,
            window: window_,
            'label.app': a.name,
            'label.component': component,
          }).catch(softFail);
          series.set(`${component}/${metric}`, t?.series ?? []);
        }),
      );
      state.qosSeries.set(a.name, series);
    }),
  );
  render();
}

/** A secondary request that failed leaves its part empty, unless the token was refused. */
function softFail(e) {
  if (e instanceof AuthError && e.status === 401) throw e;
  return null;
}

function trackNewPlans() {
  const ids = state.plans.map((p) => p.id);
  if (state.seenPlans === null) {
    state.seenPlans = new Set(ids);
    return;
  }
  for (const id of ids) {
    if (!state.seenPlans.has(id)) {
      state.seenPlans.add(id);
      state.freshPlans.set(id, Date.now());
    }
  }
}

// ---------------------------------------------------------------- rendering

/** Calls `draw` only when `data` differs from what `region` shows. */
function renderIfChanged(region, data, draw) {
  const fp = fingerprint(data);
  if (state.rendered.get(region) === fp) return;
  state.rendered.set(region, fp);
  draw();
}

function render() {
  renderTopologyView();
  renderApps();
  renderPlans();
  renderNodes();
}

const byName = (a, b) => String(a).localeCompare(String(b), undefined, { numeric: true });

/** The continuum with clusters and their nodes in name order (cloud-2 before cloud-10). */
function sortedContinuum() {
  const c = state.continuum;
  if (!c) return c;
  return {
    ...c,
    clusters: (c.clusters ?? [])
      .slice()
      .sort((a, b) => byName(a.id, b.id))
      .map((cl) => ({ ...cl, nodes: (cl.nodes ?? []).slice().sort((a, b) => byName(a.name, b.name)) })),
  };
}

function renderTopologyView() {
  const width = view.topology.clientWidth || 800;
  const continuum = sortedContinuum();
  renderIfChanged('topology', [continuum, width], () => {
    replace(view.topology, renderTopology(continuum, width, selectNode));
  });
}

function selectNode(name) {
  const card = document.getElementById(`node-card-${slug(name)}`);
  if (!card) return;
  card.scrollIntoView({ behavior: 'smooth', block: 'center' });
  card.focus({ preventScroll: true });
}

function chartNow() {
  return newestPoint([...state.nodeSeries.values()], Date.now());
}

function renderApps() {
  const now = chartNow();
  const data = state.apps.map((a) => [a, state.appDetails.get(a.name), [...(state.qosSeries.get(a.name) ?? new Map())]]);
  renderIfChanged('apps', [data, now], () => {
    view.appCount.textContent = `${state.apps.length}`;
    if (state.apps.length === 0) {
      replace(
        view.apps,
        h(
          'p',
          { class: 'empty', 'data-testid': 'no-apps' },
          'No apps deployed. Deploy one with ',
          h('code', {}, 'mls apps deploy-app --path examples/demo-app.yaml'),
          '.',
        ),
      );
      return;
    }
    const sorted = state.apps.slice().sort((a, b) => String(a.name).localeCompare(String(b.name)));
    replaceKeepingOpen(
      view.apps,
      sorted.map((a) => appCard(a, state.appDetails.get(a.name), state.qosSeries.get(a.name) ?? new Map(), now)),
    );
  });
}

function renderPlans() {
  const status = view.logStatus.value;
  const needle = view.logText.value.trim().toLowerCase();
  const shown = state.plans.filter(
    (p) =>
      (!status || p.status === status) &&
      (!needle || [p.policy, p.app, p.agent, p.explanation, p.reason].some((f) => String(f ?? '').toLowerCase().includes(needle))),
  );
  for (const [id, t] of state.freshPlans) if (Date.now() - t > FRESH_MS) state.freshPlans.delete(id);
  renderIfChanged('plans', [shown, [...state.freshPlans.keys()], state.plansTotal], () => {
    view.logCount.textContent =
      state.plansTotal > state.plans.length
        ? `${shown.length} shown of the newest ${state.plans.length} (${state.plansTotal} in all)`
        : `${shown.length} shown of ${state.plans.length}`;
    replaceKeepingOpen(
      view.log,
      shown.length
        ? shown.map((p) => planItem(p, state.freshPlans.has(p.id)))
        : h('li', { class: 'empty' }, state.plans.length ? 'No plan matches the filter.' : 'No decisions yet.'),
    );
  });
}

function renderNodes() {
  const nodes = (sortedContinuum()?.clusters ?? []).flatMap((c) => (c.nodes ?? []).map((n) => ({ ...n, cluster: c.id })));
  const now = chartNow();
  const byNode = new Map();
  for (const [metric, series] of state.nodeSeries) {
    for (const sr of series) {
      const name = sr.labels?.node;
      if (!name) continue;
      if (!byNode.has(name)) byNode.set(name, new Map());
      const m = byNode.get(name);
      m.set(metric, [...(m.get(metric) ?? []), sr]);
    }
  }
  const slim = nodes.map(({ name, layer, healthy, trust, cluster }) => ({ name, layer, healthy, trust, cluster }));
  renderIfChanged('nodes', [slim, [...byNode].map(([k, v]) => [k, [...v]]), now], () => {
    replace(
      view.nodes,
      slim.length ? slim.map((n) => nodeCard(n, byNode.get(n.name) ?? new Map(), now)) : h('p', { class: 'empty' }, 'No nodes yet.'),
    );
  });
}

function renderStatus() {
  const parts = [];
  parts.push(state.live ? 'live' : running ? 'connecting to events…' : 'offline');
  if (state.lastRefresh) parts.push(`updated ${new Date(state.lastRefresh).toLocaleTimeString()}`);
  if (state.continuum?.mode) parts.push(`mode ${state.continuum.mode}`);
  view.status.textContent = parts.join(' · ');
  view.status.dataset.live = String(state.live);
}

function showBanner(message) {
  view.banner.hidden = !message;
  view.banner.textContent = message;
}

// ---------------------------------------------------------------- events (SSE)

let source = null;
let reconnectTimer = 0;

function connectEvents() {
  disconnectEvents();
  source = new EventSource(eventsUrl());
  source.onopen = () => {
    state.live = true;
    renderStatus();
  };
  source.onerror = () => {
    state.live = false;
    renderStatus();
    // EventSource retries by itself while the stream is only interrupted; once it gave up
    // (e.g. a refused token), reconnect later, and let the next refresh tell about 401s.
    if (source?.readyState === EventSource.CLOSED) {
      window.clearTimeout(reconnectTimer);
      reconnectTimer = window.setTimeout(() => running && connectEvents(), 5000);
    }
  };
  for (const type of [...EVENT_TYPES, 'message']) {
    source.addEventListener(type, (e) => onEvent(type, e.data));
  }
}

function disconnectEvents() {
  window.clearTimeout(reconnectTimer);
  if (source) {
    source.close();
    source = null;
  }
  state.live = false;
}

function onEvent(type, raw) {
  let data;
  try {
    data = JSON.parse(raw);
  } catch {
    data = { message: String(raw) };
  }
  view.events.prepend(eventItem(type, data ?? {}));
  while (view.events.children.length > MAX_EVENTS) view.events.lastElementChild.remove();
  // Something changed: refresh soon; a burst of events makes one refresh.
  window.clearTimeout(eventTimer);
  eventTimer = window.setTimeout(() => refreshSoon(0), EVENT_DEBOUNCE_MS);
}

// ---------------------------------------------------------------- start, stop, sign-in

function start() {
  view.auth.hidden = true;
  view.main.hidden = false;
  running = true;
  state.rendered.clear();
  refreshSoon(0);
  connectEvents();
}

function stop() {
  running = false;
  window.clearTimeout(timer);
  window.clearTimeout(eventTimer);
  disconnectEvents();
  renderStatus();
}

function showAuth(error) {
  view.main.hidden = true;
  view.auth.hidden = false;
  view.authError.textContent = error;
  view.authError.hidden = !error;
  view.authInput.value = '';
  view.authInput.focus();
}

view.authForm.addEventListener('submit', (e) => {
  e.preventDefault();
  const token = view.authInput.value.trim();
  if (!token) return;
  setToken(token);
  start();
});

view.logText.form?.addEventListener('submit', (e) => e.preventDefault());
for (const control of [view.logStatus, view.logText]) {
  control.addEventListener('input', () => renderPlans());
}

let resizeTimer = 0;
window.addEventListener('resize', () => {
  window.clearTimeout(resizeTimer);
  resizeTimer = window.setTimeout(() => running && renderTopologyView(), 150);
});

document.addEventListener('visibilitychange', () => {
  if (!document.hidden && running) refreshSoon(0);
});

function reportUnexpected(e) {
  showBanner(`Unexpected error: ${e?.message ?? e}`);
}

// Token from ?token= (then stripped from the address bar) or from this tab's session. Without
// one, try anyway: `mls up --no-auth` needs none; a 401 brings up the sign-in prompt.
adoptTokenFromUrl();
start();
