// Line charts in plain SVG. The plot stretches to its box (preserveAspectRatio="none" with
// non-scaling strokes); the labels are HTML around it, so text never distorts.

import { h, s } from './dom.js';

const VIEW_W = 300;
const VIEW_H = 100;

/**
 * A time-series chart.
 *
 * @param {object} o
 * @param {string} o.title        caption, e.g. "CPU utilisation"
 * @param {Array<{name: string, points: Array<[number, number]>}>} o.series  value lines
 * @param {(v: number) => string} o.format   how a value is written
 * @param {number} o.windowMs      the time span shown, ending at `o.now`
 * @param {number} o.now           the right edge (epoch millis)
 * @param {number} [o.target]      drawn as a dashed line
 * @param {string} [o.targetLabel] e.g. "≤ 100 ms"
 * @param {number} [o.yMax]        fixed top of the scale (else from the data and target)
 * @param {string} [o.testid]
 * @param {string} [o.status]      'ok' | 'bad' | undefined: colours the current value
 */
export function lineChart(o) {
  const from = o.now - o.windowMs;
  const visible = o.series
    .map((sr) => ({ name: sr.name, points: sr.points.filter(([t, v]) => t >= from && Number.isFinite(v)) }))
    .filter((sr) => sr.points.length > 0);
  let top = o.yMax ?? 0;
  if (o.yMax === undefined) {
    for (const sr of visible) for (const [, v] of sr.points) top = Math.max(top, v);
    if (Number.isFinite(o.target)) top = Math.max(top, o.target);
    top = top > 0 ? niceCeil(top * 1.1) : 1;
  }
  const x = (t) => ((t - from) / o.windowMs) * VIEW_W;
  const y = (v) => VIEW_H - (Math.min(Math.max(v, 0), top) / top) * VIEW_H;

  const svg = s(
    'svg',
    {
      viewBox: `0 0 ${VIEW_W} ${VIEW_H}`,
      preserveAspectRatio: 'none',
      role: 'img',
      'aria-label': describe(o, visible),
      focusable: 'false',
    },
    s('line', { class: 'grid', x1: 0, x2: VIEW_W, y1: VIEW_H / 2, y2: VIEW_H / 2, 'vector-effect': 'non-scaling-stroke' }),
    visible.map((sr, i) =>
      s('polyline', {
        class: `series s${i % 6}`,
        points: sr.points.map(([t, v]) => `${x(t).toFixed(2)},${y(v).toFixed(2)}`).join(' '),
        'vector-effect': 'non-scaling-stroke',
        'data-series': sr.name,
      }),
    ),
    Number.isFinite(o.target)
      ? s('line', {
          class: 'target',
          x1: 0,
          x2: VIEW_W,
          y1: y(o.target).toFixed(2),
          y2: y(o.target).toFixed(2),
          'vector-effect': 'non-scaling-stroke',
        })
      : null,
  );

  const latest = visible.map((sr) => sr.points[sr.points.length - 1][1]);
  const current = latest.length === 0 ? '–' : latest.length === 1 ? o.format(latest[0]) : latest.map(o.format).join(' / ');
  return h(
    'figure',
    { class: 'chart', 'data-testid': o.testid },
    h(
      'figcaption',
      {},
      h('span', { class: 'chart-title' }, o.title),
      h('span', { class: ['chart-value', o.status && `is-${o.status}`] }, current),
    ),
    h(
      'div',
      { class: 'plot' },
      svg,
      h('span', { class: 'axis y-top', 'aria-hidden': 'true' }, o.format(top)),
      h('span', { class: 'axis y-bottom', 'aria-hidden': 'true' }, o.format(0)),
      Number.isFinite(o.target) ? targetLabel(o, y(o.target) / VIEW_H) : null,
      visible.length === 0 ? h('span', { class: 'no-data' }, 'no data yet') : null,
    ),
    visible.length > 1
      ? h(
          'ul',
          { class: 'legend' },
          visible.map((sr, i) => h('li', { class: `s${i % 6}` }, h('span', { class: 'swatch', 'aria-hidden': 'true' }), sr.name)),
        )
      : null,
  );
}

// The target's label sits just under its dashed line (above it when the line is low), placed
// through the CSSOM rather than a style attribute, which a strict CSP would refuse.
function targetLabel(o, fraction) {
  const label = h('span', { class: 'axis target-label', 'aria-hidden': 'true' }, o.targetLabel ?? `target ${o.format(o.target)}`);
  if (fraction < 0.7) label.style.top = `calc(${(fraction * 100).toFixed(1)}% + 2px)`;
  else label.style.top = `calc(${(fraction * 100).toFixed(1)}% - 1.1em)`;
  return label;
}

function describe(o, visible) {
  const secs = Math.round(o.windowMs / 1000);
  if (visible.length === 0) return `${o.title}: no data in the last ${secs} s`;
  const parts = visible.map((sr) => {
    const vs = sr.points.map((p) => p[1]);
    return `${visible.length > 1 ? `${sr.name}: ` : ''}now ${o.format(vs[vs.length - 1])}, range ${o.format(Math.min(...vs))} to ${o.format(Math.max(...vs))}`;
  });
  const target = Number.isFinite(o.target) ? `; target ${o.targetLabel ?? o.format(o.target)}` : '';
  return `${o.title}, last ${secs} s: ${parts.join('; ')}${target}`;
}

function niceCeil(v) {
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}
