// A stand-in for the northbound API (docs/api.md), for working on the dashboard without
// building the Java side: serves the dashboard's static files and canned, slowly changing
// JSON, and an SSE stream. Not used by CI, which tests against the real `mls up`.
//
//   node browser-test/mock-server.mjs [port]      # then open http://127.0.0.1:18081/?token=dev-token
//   curl -X POST -H 'Authorization: Bearer dev-token' -H 'Content-Type: application/yaml' \
//        --data-binary @examples/demo-app.yaml http://127.0.0.1:18081/api/v1/apps

import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';

const port = Number(process.argv[2] ?? process.env.PORT ?? 18081);
const token = process.env.MOCK_TOKEN ?? 'dev-token';
const root = fileURLToPath(new URL('../northbound/src/main/resources/eu/mlsysops/northbound/dashboard/', import.meta.url));
const types = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8', '.svg': 'image/svg+xml' };

const topology = {
  cloud: [['cloud-1', 'cloud', 2.8], ['cloud-2', 'cloud', 2.8], ['cloud-3', 'cloud', 2.8]],
  edge: [['edge-1', 'edge', 1.5], ['edge-2', 'edge', 1.5], ['edge-3', 'edge', 3.0], ['far-1', 'far_edge', 0.168], ['far-2', 'far_edge', 0.168]],
};
const nodes = new Map();
for (const [cluster, list] of Object.entries(topology)) {
  for (const [name, layer, ghz] of list) nodes.set(name, { name, cluster, layer, ghz, healthy: true, instances: [] });
}
const apps = new Map();
const plans = [];
const clients = new Set();
let planSeq = 0;

function emit(type, agent, kind, message) {
  const data = JSON.stringify({ time: new Date().toISOString(), agent, kind, message });
  for (const res of clients) res.write(`event: ${type}\ndata: ${data}\n\n`);
}

function addPlan(agent, policy, app, explanation, commands, status = 'Completed', reason = 'applied') {
  const now = new Date().toISOString();
  const plan = { id: `p-${++planSeq}`, agent, policy, app, core: policy.includes('placement'), status, reason, explanation, inputs: { tick: planSeq }, commands, created: now, updated: now, attempts: 1 };
  plans.unshift(plan);
  emit('plan', agent, status, `${policy}: ${explanation}`);
}

function wave(name, t, base, amp) {
  let hsh = 0;
  for (const c of name) hsh = (hsh * 31 + c.charCodeAt(0)) % 997;
  return base + amp * Math.sin(t / 9000 + hsh) + amp * 0.3 * Math.sin(t / 2300 + hsh * 2);
}

function series(metric, labels) {
  const now = Date.now();
  const out = [];
  for (const n of nodes.values()) {
    if (labels['label.node'] && labels['label.node'] !== n.name) continue;
    if (metric.startsWith('node_') && !n.healthy) continue;
    if (metric.startsWith('node_')) {
      const points = [];
      for (let t = now - 60_000; t <= now; t += 1000) {
        const ts = Math.floor(t / 1000) * 1000;
        const u = Math.min(1, Math.max(0, wave(n.name, ts, 0.35 + 0.1 * n.instances.length, 0.2)));
        const v = metric === 'node_cpu_utilization' ? u : metric === 'node_power_watts' ? 3 + 60 * u * (n.ghz / 3) : n.ghz * 1e9 * (u > 0.5 ? 1 : 0.7);
        points.push([ts, v]);
      }
      out.push({ labels: { node: n.name, cluster: n.cluster }, points });
    } else {
      for (const i of n.instances) {
        if (labels['label.app'] && labels['label.app'] !== i.app) continue;
        if (labels['label.component'] && labels['label.component'] !== i.component) continue;
        const points = [];
        for (let t = now - 60_000; t <= now; t += 1000) {
          const ts = Math.floor(t / 1000) * 1000;
          points.push([ts, Math.max(5, wave(i.id, ts, 80, 35))]);
        }
        out.push({ labels: { node: n.name, app: i.app, component: i.component, instance: i.id }, points });
      }
    }
  }
  return { metric, series: out };
}

function appDetail(app) {
  return {
    name: app.name, phase: app.phase, owner: 'admin', submitted: app.submitted,
    components: app.components.map((c) => {
      const instances = [...nodes.values()].flatMap((n) => n.instances.filter((i) => i.app === app.name && i.component === c.name).map((i) => ({ id: i.id, node: n.name, state: i.state, reason: '', since: app.submitted })));
      const current = instances.length ? Math.round(wave(instances[0].id, Date.now(), 80, 35)) : null;
      return { name: c.name, cluster: c.cluster, desired: c.desired, running: instances.filter((i) => i.state === 'RUNNING').length, instances, qos: c.qos.map((q) => ({ ...q, current, met: current === null ? null : current <= q.target })) };
    }),
    history: app.history,
  };
}

function deploy(body) {
  const name = /name:\s*([\w.-]+)/.exec(body)?.[1];
  if (!name) return [400, { type: 'about:blank', title: 'Bad Request', status: 400, detail: 'no app name' }];
  if (apps.has(name)) return [409, { type: 'about:blank', title: 'Conflict', status: 409, detail: `app ${name} exists` }];
  const comps = [...body.matchAll(/metadata:\s*\{\s*name:\s*([\w.-]+)\s*\}/g)].map((m) => m[1]);
  const components = comps.map((c) => ({
    name: c,
    cluster: c === 'analytics' ? 'cloud' : 'edge',
    desired: c === 'analytics' ? 2 : 1,
    qos: c === 'detector' ? [{ metric: 'detector_latency_ms', relation: 'lower_or_equal', target: 100 }] : [],
  }));
  const app = { name, phase: 'Deploying', submitted: new Date().toISOString(), components, history: [{ time: new Date().toISOString(), message: 'accepted' }] };
  apps.set(name, app);
  emit('app', 'demo-continuum', 'accepted', `app ${name} accepted (${components.length} components)`);
  setTimeout(() => {
    const edge = ['edge-1', 'edge-3'];
    const cloud = ['cloud-1', 'cloud-2'];
    for (const c of components) {
      for (let slot = 0; slot < c.desired; slot++) {
        const node = nodes.get(c.cluster === 'cloud' ? cloud[slot % 2] : edge[c.name === 'camera-ingest' ? 0 : 1]);
        node.instances.push({ id: `${name}/${c.name}/${slot}`, app: name, component: c.name, state: 'STARTING' });
        addPlan(c.cluster, 'static-placement', name, `${c.name}#${slot}: ${node.name} has the most free CPU among the nodes that fit`, [{ mechanism: 'placement', action: 'deploy', args: { app: name, component: c.name, slot: String(slot), node: node.name } }]);
      }
    }
    emit('instance', 'edge', 'starting', `${name} instances starting`);
    setTimeout(() => {
      for (const n of nodes.values()) for (const i of n.instances) if (i.app === name) i.state = 'RUNNING';
      app.phase = 'Running';
      app.history.push({ time: new Date().toISOString(), message: 'all components running' });
      emit('app', 'demo-continuum', 'running', `app ${name} running`);
    }, 1500);
  }, 800);
  return [201, appDetail(app)];
}

setInterval(() => {
  const n = [...nodes.values()][planSeq % nodes.size];
  addPlan(n.name, 'cpu-frequency', null, `utilisation ${wave(n.name, Date.now(), 0.4, 0.2).toFixed(2)} → keep ${n.ghz} GHz`, [{ mechanism: 'cpu_frequency', action: 'set', args: { ghz: String(n.ghz) } }], planSeq % 7 === 3 ? 'Discarded' : 'Completed', planSeq % 7 === 3 ? 'superseded by a newer plan' : 'frequency set');
}, 4000);
setInterval(() => {
  for (const res of clients) res.write(': ping\n\n');
}, 15_000);
addPlan('demo-continuum', 'cluster-placement', null, 'no apps to place', [], 'Completed', 'nothing to do');

function json(res, status, body) {
  res.writeHead(status, { 'Content-Type': status >= 400 ? 'application/problem+json' : 'application/json', 'Cache-Control': 'no-store' });
  res.end(JSON.stringify(body));
}

createServer(async (req, res) => {
  const url = new URL(req.url, `http://${req.headers.host}`);
  const p = url.pathname;
  if (!p.startsWith('/api/') && !p.startsWith('/manage/')) {
    const file = normalize(join(root, p === '/' ? 'index.html' : p));
    if (!file.startsWith(root)) return json(res, 404, { status: 404, title: 'Not Found' });
    try {
      const body = await readFile(file);
      res.writeHead(200, { 'Content-Type': types[extname(file)] ?? 'application/octet-stream' });
      return res.end(body);
    } catch {
      return json(res, 404, { type: 'about:blank', title: 'Not Found', status: 404, detail: p });
    }
  }
  if (p === '/manage/ping') return json(res, 200, { status: 'ok', agent: 'demo-continuum', mode: 'heuristic' });
  const bearer = (req.headers.authorization ?? '').replace(/^Bearer /, '');
  if (bearer !== token && !(p === '/api/v1/events' && url.searchParams.get('token') === token)) {
    return json(res, 401, { type: 'about:blank', title: 'Unauthorized', status: 401, detail: 'missing or unknown token' });
  }
  const q = Object.fromEntries(url.searchParams);
  if (p === '/api/v1/events') {
    res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-store', Connection: 'keep-alive' });
    res.write(': hello\n\n');
    clients.add(res);
    req.on('close', () => clients.delete(res));
    return;
  }
  if (p === '/api/v1/continuum') {
    return json(res, 200, {
      id: 'demo-continuum', mode: 'heuristic',
      clusters: Object.keys(topology).map((id) => ({ id, nodes: [...nodes.values()].filter((n) => n.cluster === id).map((n) => ({ name: n.name, layer: n.layer, healthy: n.healthy, instances: n.instances })) })),
    });
  }
  if (p === '/api/v1/apps' && req.method === 'POST') {
    let body = '';
    for await (const chunk of req) body += chunk;
    const [status, out] = deploy(body);
    return json(res, status, out);
  }
  if (p === '/api/v1/apps') {
    const list = [...apps.values()].map((a) => {
      const d = appDetail(a);
      return { name: a.name, phase: a.phase, owner: 'admin', submitted: a.submitted, components: a.components.length, running: d.components.reduce((s, c) => s + c.running, 0), desired: d.components.reduce((s, c) => s + c.desired, 0) };
    });
    return json(res, 200, { items: list, total: list.length, limit: 50, offset: 0 });
  }
  const appMatch = /^\/api\/v1\/apps\/([^/]+)$/.exec(p);
  if (appMatch) {
    const app = apps.get(decodeURIComponent(appMatch[1]));
    return app ? json(res, 200, appDetail(app)) : json(res, 404, { type: 'about:blank', title: 'Not Found', status: 404, detail: 'no such app' });
  }
  if (p === '/api/v1/plans') {
    const limit = Number(q.limit ?? 50);
    return json(res, 200, { items: plans.slice(0, limit), total: plans.length, limit, offset: 0 });
  }
  if (p === '/api/v1/telemetry') {
    if (!q.metric) return json(res, 200, { metrics: ['node_cpu_utilization', 'node_power_watts', 'node_cpu_scaling_frequency_hertz'] });
    return json(res, 200, series(q.metric, q));
  }
  const nodeMatch = /^\/api\/v1\/nodes\/([^/]+)\/(crash|heal)$/.exec(p);
  if (nodeMatch && req.method === 'POST') {
    const n = nodes.get(nodeMatch[1]);
    if (n) {
      n.healthy = nodeMatch[2] === 'heal';
      emit('node', n.cluster, n.healthy ? 'healthy' : 'unreachable', `node ${n.name} ${n.healthy ? 'is back' : 'missed 3 heartbeats: unreachable'}`);
    }
    return json(res, 200, { ok: true });
  }
  return json(res, 404, { type: 'about:blank', title: 'Not Found', status: 404, detail: p });
}).listen(port, '127.0.0.1', () => {
  console.log(`mock northbound API on http://127.0.0.1:${port}/?token=${token}`);
});
