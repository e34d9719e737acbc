// Views of the dashboard: apps, the decision log, node telemetry, live events. Each takes
// plain data and returns DOM; app.js decides when to call them.

import { h, slug, text, timeEl, toMillis } from './dom.js';
import { lineChart } from './charts.js';
import { instanceLabel, layerName, stateClass, trustLevel, trustText } from './topology.js';

export const WINDOW_MS = 60_000;

const percent = (v) => `${Math.round(v * 100)} %`;
const watts = (v) => `${v < 10 ? v.toFixed(1) : Math.round(v)} W`;
const gigahertz = (v) => `${(v / 1e9).toFixed(2)} GHz`;

/** Node metrics shown per node: wire name, caption, format, fixed top of the scale. */
export const NODE_METRICS = [
  { metric: 'node_cpu_utilization', title: 'CPU utilisation', format: percent, yMax: 1 },
  { metric: 'node_power_watts', title: 'Power', format: watts },
  { metric: 'node_cpu_scaling_frequency_hertz', title: 'CPU frequency', format: gigahertz },
];

function phaseClass(phase) {
  return `phase-${slug(String(phase ?? 'unknown').toLowerCase())}`;
}

function statusClass(status) {
  return `status-${slug(String(status ?? 'unknown').toLowerCase())}`;
}

const RELATIONS = {
  lower_or_equal: '≤',
  lower_than: '<',
  greater_or_equal: '≥',
  greater_than: '>',
  equal_to: '=',
  equal: '=',
};

/** "≤ 100" from {relation: "lower_or_equal", target: 100}. */
export function relationText(relation, target) {
  const sym = RELATIONS[String(relation ?? '').toLowerCase()] ?? String(relation ?? '');
  return `${sym} ${formatNumber(target)}`.trim();
}

function formatNumber(v) {
  if (typeof v !== 'number' || !Number.isFinite(v)) return text(v);
  if (Math.abs(v) >= 100) return String(Math.round(v));
  if (Math.abs(v) >= 10) return v.toFixed(1).replace(/\.0$/, '');
  return v.toFixed(2).replace(/\.?0+$/, '');
}

function unitOf(metric) {
  const m = String(metric);
  if (/_ms$/.test(m)) return ' ms';
  if (/_seconds$/.test(m)) return ' s';
  if (/_watts$/.test(m)) return ' W';
  if (/_bytes$/.test(m)) return ' B';
  if (/per_second|_rps$/.test(m)) return ' /s';
  return '';
}

// ---------------------------------------------------------------- apps

/**
 * One card per app: phase, owner, running/desired per component with its instances, and a chart
 * per QoS target (current value against the dashed target line).
 *
 * @param {object} summary  AppSummary from GET /api/v1/apps
 * @param {object|undefined} detail  AppDetail from GET /api/v1/apps/{name}
 * @param {Map<string, Array>} qosSeries  "component/metric" → telemetry series
 * @param {number} now  right edge of the charts
 */
export function appCard(summary, detail, qosSeries, now) {
  const app = { ...summary, ...(detail ?? {}) };
  const components = Array.isArray(detail?.components) ? detail.components : [];
  const running = components.length ? components.reduce((n, c) => n + (c.running ?? 0), 0) : summary.running;
  const desired = components.length ? components.reduce((n, c) => n + (c.desired ?? 0), 0) : summary.desired;
  const headingId = `app-title-${slug(app.name)}`;
  const qos = components.flatMap((c) => (c.qos ?? []).map((q) => ({ component: c.name, ...q })));
  return h(
    'article',
    { class: 'app card', 'data-testid': `app-${slug(app.name)}`, 'data-phase': app.phase ?? '', 'aria-labelledby': headingId },
    h(
      'header',
      { class: 'app-head' },
      h('h3', { id: headingId }, app.name),
      h('span', { class: ['badge', phaseClass(app.phase)], 'data-testid': `app-phase-${slug(app.name)}` }, app.phase ?? 'unknown'),
      h('span', { class: 'replicas', title: 'instances running / desired' }, `${running ?? '?'}/${desired ?? '?'} running`),
      h(
        'span',
        { class: 'muted app-meta' },
        app.owner ? `owner ${app.owner} · ` : '',
        'submitted ',
        timeEl(app.submitted),
      ),
    ),
    components.length === 0
      ? h('p', { class: 'muted' }, detail ? 'No components reported yet.' : 'Loading components…')
      : h(
          'table',
          { class: 'components' },
          h('caption', { class: 'visually-hidden' }, `Components of ${app.name}`),
          h(
            'thead',
            {},
            h('tr', {}, h('th', { scope: 'col' }, 'Component'), h('th', { scope: 'col' }, 'Cluster'), h('th', { scope: 'col' }, 'Running'), h('th', { scope: 'col' }, 'Instances')),
          ),
          h(
            'tbody',
            {},
            components.map((c) =>
              h(
                'tr',
                { 'data-testid': `component-${slug(app.name)}-${slug(c.name)}` },
                h('th', { scope: 'row' }, c.name),
                h('td', {}, c.cluster || h('span', { class: 'muted' }, 'unassigned')),
                h(
                  'td',
                  {
                    class: ['replica-count', (c.running ?? 0) < (c.desired ?? 0) && 'is-short'],
                    title: `${c.running ?? 0} of ${c.desired ?? 0} instances running`,
                  },
                  `${c.running ?? 0}/${c.desired ?? 0}`,
                ),
                h(
                  'td',
                  {},
                  (c.instances ?? []).length === 0
                    ? h('span', { class: 'muted' }, 'none')
                    : h(
                        'ul',
                        { class: 'instances' },
                        (c.instances ?? []).map((i) =>
                          h(
                            'li',
                            { class: ['instance', `state-${stateClass(i.state)}`], title: [i.id, i.reason].filter(Boolean).join(' — ') },
                            h('span', { class: 'state-dot', 'aria-hidden': 'true' }),
                            `${instanceLabel({ ...i, component: c.name })} on `,
                            h('a', { href: `#node-card-${slug(i.node ?? '')}` }, i.node ?? '?'),
                            ` (${stateClass(i.state)})`,
                          ),
                        ),
                      ),
                ),
              ),
            ),
          ),
        ),
    qos.length === 0
      ? null
      : h(
          'div',
          { class: 'qos-charts' },
          qos.map((q) => {
            const target = typeof q.target === 'number' ? q.target : Number(q.target);
            const unit = unitOf(q.metric);
            const fmt = (v) => `${formatNumber(v)}${unit}`;
            const series = (qosSeries.get(`${q.component}/${q.metric}`) ?? []).map((sr) => ({
              name: instanceLabel({ id: sr.labels?.instance ?? '', component: q.component }) + (sr.labels?.node ? ` on ${sr.labels.node}` : ''),
              points: sr.points ?? [],
            }));
            if (series.length === 0 && typeof q.current === 'number') series.push({ name: q.component, points: [[now, q.current]] });
            return lineChart({
              title: `${q.component}: ${q.metric}`,
              series,
              format: fmt,
              windowMs: WINDOW_MS,
              now,
              target: Number.isFinite(target) ? target : undefined,
              targetLabel: `target ${relationText(q.relation, target)}${unit}`,
              status: q.met === true ? 'ok' : q.met === false ? 'bad' : undefined,
              testid: `qos-${slug(app.name)}-${slug(q.component)}-${slug(q.metric)}`,
            });
          }),
        ),
    Array.isArray(detail?.history) && detail.history.length
      ? h(
          'details',
          { class: 'history', 'data-key': `history-${app.name}` },
          h('summary', {}, `History (${detail.history.length})`),
          h(
            'ol',
            { tabindex: 0, 'aria-label': `History of ${app.name}, newest first` },
            detail.history
              .slice()
              .reverse()
              .slice(0, 30)
              .map((e) => h('li', {}, timeEl(e.time), ' ', e.message)),
          ),
        )
      : null,
  );
}

// ---------------------------------------------------------------- decisions

/** One entry of the decision log. `fresh` marks plans that arrived while the page was open. */
export function planItem(plan, fresh) {
  const commands = Array.isArray(plan.commands) ? plan.commands : [];
  return h(
    'li',
    { class: ['plan', statusClass(plan.status), fresh && 'is-new'], 'data-testid': `plan-${slug(plan.id)}`, 'data-plan-id': plan.id, 'data-status': plan.status ?? '' },
    h(
      'div',
      { class: 'plan-head' },
      h('span', { class: ['badge', statusClass(plan.status)] }, plan.status ?? 'unknown'),
      h('strong', { class: 'plan-policy' }, plan.policy ?? '?'),
      plan.core ? h('span', { class: 'tag', title: 'core policy' }, 'core') : null,
      h('span', { class: 'muted' }, 'on ', plan.agent ?? '?'),
      plan.app ? h('span', { class: 'plan-app' }, 'app ', h('a', { href: `#app-title-${slug(plan.app)}` }, plan.app)) : null,
      h('span', { class: 'muted plan-time' }, timeEl(plan.created ?? plan.updated)),
    ),
    plan.explanation ? h('p', { class: 'explanation' }, text(plan.explanation)) : null,
    plan.reason
      ? h('p', { class: 'outcome' }, h('span', { class: 'label' }, 'Outcome: '), text(plan.reason))
      : null,
    commands.length || plan.inputs
      ? h(
          'details',
          { class: 'plan-more', 'data-key': `plan-${plan.id}` },
          h('summary', {}, commands.length ? `${commands.length} command${commands.length === 1 ? '' : 's'}` : 'inputs', plan.attempts > 1 ? ` · ${plan.attempts} attempts` : ''),
          commands.length
            ? h(
                'ul',
                { class: 'commands' },
                commands.map((c) => h('li', {}, h('code', {}, `${c.mechanism ?? '?'}.${c.action ?? '?'}`), ' ', argsText(c.args))),
              )
            : null,
          plan.inputs ? h('p', { class: 'inputs' }, h('span', { class: 'label' }, 'Inputs: '), h('code', {}, argsText(plan.inputs))) : null,
        )
      : null,
  );
}

function argsText(args) {
  if (!args || typeof args !== 'object') return text(args);
  return Object.entries(args)
    .map(([k, v]) => `${k}=${text(v)}`)
    .join(' ');
}

// ---------------------------------------------------------------- nodes

/**
 * A node's card: identity, health, trust and its three charts.
 *
 * @param {object} node    node from GET /api/v1/continuum, with `cluster` added
 * @param {Map<string, Array>} seriesByMetric  metric → series of this node
 * @param {number} now
 */
export function nodeCard(node, seriesByMetric, now) {
  const healthy = node.healthy !== false;
  const layer = layerName(node.layer);
  const trust = trustText(node);
  return h(
    'article',
    {
      class: ['node-card', 'card', healthy ? 'is-healthy' : 'is-unreachable'],
      id: `node-card-${slug(node.name)}`,
      'data-testid': `telemetry-${slug(node.name)}`,
      'aria-labelledby': `node-title-${slug(node.name)}`,
      tabindex: -1,
    },
    h(
      'header',
      {},
      h('span', { class: 'health-dot', 'aria-hidden': 'true' }),
      h('h3', { id: `node-title-${slug(node.name)}` }, node.name),
      h('span', { class: 'muted' }, `${layer} · ${node.cluster}`),
      h('span', { class: ['health', healthy ? 'ok' : 'bad'] }, healthy ? 'healthy' : 'unreachable'),
      h(
        'span',
        {
          class: ['trust-text', `trust-${trustLevel(node)}`],
          'data-trust': trustLevel(node),
          title: trust === 'n/a' ? 'Trust is not computed yet' : node.trust?.explanation ?? `trust ${trust}`,
        },
        `trust ${trust}`,
      ),
    ),
    NODE_METRICS.map((m) =>
      lineChart({
        title: m.title,
        series: (seriesByMetric.get(m.metric) ?? []).map((sr) => ({ name: node.name, points: sr.points ?? [] })),
        format: m.format,
        windowMs: WINDOW_MS,
        now,
        yMax: m.yMax,
        testid: `chart-${slug(node.name)}-${m.metric}`,
      }),
    ),
  );
}

// ---------------------------------------------------------------- live events

/** One line of the live event feed (SSE data {time, agent, kind, message}). */
export function eventItem(type, data) {
  return h(
    'li',
    { class: ['event', `event-${slug(type)}`] },
    h('span', { class: 'muted' }, timeEl(data.time ?? Date.now())),
    ' ',
    h('span', { class: 'tag' }, type),
    ' ',
    data.agent ? h('span', { class: 'muted' }, `${data.agent}: `) : null,
    text(data.message ?? data.kind ?? ''),
  );
}

/** Milliseconds of the newest point of any series, or `fallback`. */
export function newestPoint(seriesLists, fallback) {
  let newest = -Infinity;
  for (const list of seriesLists) {
    for (const sr of list ?? []) {
      const pts = sr.points ?? [];
      if (pts.length) newest = Math.max(newest, toMillis(pts[pts.length - 1][0]));
    }
  }
  return Number.isFinite(newest) ? newest : fallback;
}
