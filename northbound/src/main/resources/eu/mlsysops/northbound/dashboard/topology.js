// The continuum → clusters → nodes → instances tree, drawn in SVG at the container's pixel
// width (so text keeps its size); redrawn when the data or the width changes.

import { s, slug } from './dom.js';

const PAD = 12;
const TRUNK_X = 26;
const CLUSTER_X = 44;
const GAP = 12;
const MIN_NODE_W = 160;
const MAX_NODE_W = 230;
const CHIP_H = 20;
const CHIP_GAP = 4;
const NODE_HEAD = 46;
const CHAR_W = 6.9; // average advance of the 12px UI font, to clip labels

/** Layer wire names to what the page shows. */
export function layerName(layer) {
  return String(layer ?? 'unknown').replace(/_/g, '-');
}

/** Normalised instance state: running, starting, failed, stopped or unknown. */
export function stateClass(state) {
  const v = String(state ?? '').toLowerCase();
  return ['running', 'starting', 'failed', 'stopped'].includes(v) ? v : 'unknown';
}

/** The node's trust score 0..1 (the API's `trust.score`), or null while not computed. */
export function trustScore(node) {
  const t = node.trust;
  const v = typeof t === 'number' ? t : t?.score;
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

/** "high", "medium" or "low" (the API's `trust.level`, bands 0.8 and 0.5), or "na". */
export function trustLevel(node) {
  const level = node.trust?.level;
  if (level === 'high' || level === 'medium' || level === 'low') return level;
  const v = trustScore(node);
  if (v === null) return 'na';
  return v >= 0.8 ? 'high' : v >= 0.5 ? 'medium' : 'low';
}

/** "n/a" until the trust score is computed; else the score as a percentage. */
export function trustText(node) {
  const v = trustScore(node);
  return v === null ? 'n/a' : `${Math.round(v * 100)} %`;
}

/** Why the trust is what it is, one reason a line; empty when nothing lowers it. */
export function trustReasons(node) {
  const r = node.trust?.reasons;
  return Array.isArray(r) ? r.map(String) : [];
}

function trustClass(node) {
  return `trust-${trustLevel(node)}`;
}

function clip(text, px) {
  const max = Math.max(1, Math.floor(px / CHAR_W));
  return text.length <= max ? text : `${text.slice(0, Math.max(1, max - 1))}…`;
}

/** "detector #0" from an instance {id: "app/detector/0.1", component: "detector"}. */
export function instanceLabel(inst) {
  const slot = String(inst.id ?? '').split('/').pop()?.split('.')[0];
  const component = inst.component ?? String(inst.id ?? '?').split('/')[1] ?? '?';
  return slot !== undefined && /^\d+$/.test(slot) ? `${component} #${slot}` : component;
}

/**
 * Renders the topology tree.
 *
 * @param {object} continuum GET /api/v1/continuum
 * @param {number} width     pixels available
 * @param {(name: string) => void} onSelectNode called when a node is clicked or activated
 */
export function renderTopology(continuum, width, onSelectNode) {
  const clusters = continuum?.clusters ?? [];
  const W = Math.max(320, Math.floor(width));
  const innerW = W - CLUSTER_X - PAD * 2;
  const cols = Math.max(1, Math.floor((innerW + GAP) / (MIN_NODE_W + GAP)));
  const nodeW = Math.min(MAX_NODE_W, (innerW - (cols - 1) * GAP) / cols);

  const parts = [];
  let yCursor = PAD;
  const nodeCount = clusters.reduce((n, c) => n + (c.nodes?.length ?? 0), 0);
  const unhealthy = clusters.reduce((n, c) => n + (c.nodes ?? []).filter((x) => x.healthy === false).length, 0);

  // The continuum itself.
  const rootLabel = `continuum ${continuum?.id ?? '?'}`;
  const modeLabel = continuum?.mode ? `mode: ${continuum.mode}` : '';
  parts.push(
    s(
      'g',
      { class: 'topo-continuum', 'data-testid': 'topology-continuum' },
      s('rect', { x: PAD, y: yCursor, width: Math.min(W - PAD * 2, 360), height: 30, rx: 6 }),
      s('text', { x: PAD + 10, y: yCursor + 20, class: 'topo-title' }, rootLabel, modeLabel ? s('tspan', { class: 'topo-muted', dx: 10 }, modeLabel) : null),
    ),
  );
  yCursor += 30;
  const trunkTop = yCursor;
  let trunkBottom = yCursor;

  for (const cluster of clusters) {
    yCursor += 14;
    const nodes = cluster.nodes ?? [];
    const rows = [];
    for (let i = 0; i < nodes.length; i += cols) rows.push(nodes.slice(i, i + cols));
    const rowHeights = rows.map((row) =>
      Math.max(...row.map((n) => NODE_HEAD + Math.max(1, (n.instances ?? []).length) * (CHIP_H + CHIP_GAP) + 6)),
    );
    const clusterH = 30 + rowHeights.reduce((a, b) => a + b + GAP, 0) + (rows.length === 0 ? 20 : 0);
    const clusterTop = yCursor;
    const clusterW = W - CLUSTER_X - PAD;
    const nodeGroups = [];
    let rowY = clusterTop + 30;
    rows.forEach((row, r) => {
      row.forEach((node, c) => {
        nodeGroups.push(renderNode(node, cluster.id, CLUSTER_X + PAD + c * (nodeW + GAP), rowY, nodeW, rowHeights[r], onSelectNode));
      });
      rowY += rowHeights[r] + GAP;
    });
    const unhealthyHere = nodes.filter((n) => n.healthy === false).length;
    parts.push(
      s(
        'g',
        {
          class: 'topo-cluster',
          role: 'list',
          'aria-label': `cluster ${cluster.id}: ${nodes.length} nodes${unhealthyHere ? `, ${unhealthyHere} unreachable` : ''}`,
          'data-testid': `cluster-${slug(cluster.id)}`,
          'data-status': cluster.status ?? '',
        },
        s('line', { class: 'topo-edge', x1: TRUNK_X, y1: clusterTop + 15, x2: CLUSTER_X, y2: clusterTop + 15 }),
        s('rect', { class: 'topo-cluster-box', x: CLUSTER_X, y: clusterTop, width: clusterW, height: clusterH, rx: 8 }),
        s(
          'text',
          { class: 'topo-title', x: CLUSTER_X + 10, y: clusterTop + 20 },
          `cluster ${cluster.id}`,
          s(
            'tspan',
            { class: 'topo-muted', dx: 10 },
            `${nodes.length} node${nodes.length === 1 ? '' : 's'}${unhealthyHere ? ` · ${unhealthyHere} unreachable` : ''}` +
              (cluster.status && cluster.status !== 'running' ? ` · ${cluster.status}` : ''),
          ),
        ),
        nodeGroups,
      ),
    );
    trunkBottom = clusterTop + 15;
    yCursor += clusterH;
  }
  if (clusters.length > 0) {
    parts.unshift(s('line', { class: 'topo-edge', x1: TRUNK_X, y1: trunkTop, x2: TRUNK_X, y2: trunkBottom }));
  } else {
    parts.push(s('text', { class: 'topo-muted', x: CLUSTER_X, y: yCursor + 24 }, 'No clusters have joined yet.'));
    yCursor += 36;
  }
  const height = yCursor + PAD;
  return s(
    'svg',
    {
      class: 'topology',
      width: W,
      height,
      viewBox: `0 0 ${W} ${height}`,
      role: 'group',
      'aria-label': `Topology of ${continuum?.id ?? 'the continuum'}: ${clusters.length} clusters, ${nodeCount} nodes${unhealthy ? `, ${unhealthy} unreachable` : ', all healthy'}`,
    },
    parts,
  );
}

function renderNode(node, clusterId, x, y, w, hgt, onSelectNode) {
  const healthy = node.healthy !== false;
  const instances = node.instances ?? [];
  const layer = layerName(node.layer);
  const trust = trustText(node);
  const level = trustLevel(node);
  const reasons = trustReasons(node);
  const summary =
    `${node.name}: ${layer} layer, cluster ${clusterId}, ${healthy ? 'healthy' : 'unreachable'}, trust ${trust}` +
    `${level === 'na' ? '' : ` (${level})`}, ` +
    (instances.length === 0
      ? 'no instances'
      : `${instances.length} instance${instances.length === 1 ? '' : 's'}: ` +
        instances.map((i) => `${i.app ?? '?'} ${instanceLabel(i)} (${stateClass(i.state)})`).join(', '));
  const chips = instances.map((inst, i) => {
    const cy = y + NODE_HEAD + i * (CHIP_H + CHIP_GAP);
    const state = stateClass(inst.state);
    const label = instanceLabel(inst);
    const app = inst.app ?? '';
    const room = w - 16 - 16;
    const shown = clip(label, room);
    // The app's name follows when it fits whole; the tooltip always has it.
    const appShown = shown === label && (label.length + 1 + app.length) * CHAR_W <= room ? app : '';
    return s(
      'g',
      {
        class: ['topo-instance', `state-${state}`],
        'data-testid': `instance-${slug(inst.id ?? `${app}-${label}`)}`,
        'data-app': app,
        'data-component': inst.component ?? '',
        'data-state': state,
      },
      s('title', {}, `${inst.id ?? label} — ${app}, ${state}`),
      s('rect', { x: x + 8, y: cy, width: w - 16, height: CHIP_H, rx: 4 }),
      s('circle', { class: 'state-dot', cx: x + 17, cy: cy + CHIP_H / 2, r: 4 }),
      s(
        'text',
        { x: x + 26, y: cy + 14 },
        shown,
        appShown ? s('tspan', { class: 'topo-muted', dx: 6 }, appShown) : null,
      ),
    );
  });
  const select = () => onSelectNode?.(node.name);
  return s(
    'g',
    {
      class: ['topo-node', healthy ? 'is-healthy' : 'is-unreachable', `layer-${slug(layer)}`],
      role: 'listitem',
      tabindex: 0,
      'aria-label': summary,
      'data-testid': `node-${slug(node.name)}`,
      'data-healthy': String(healthy),
      'data-trust': level,
      'data-layer': layer,
      onclick: select,
      onkeydown: (e) => {
        if (e.key === 'Enter' || e.key === ' ') {
          e.preventDefault();
          select();
        }
      },
    },
    s(
      'title',
      {},
      `${node.name}\nlayer: ${layer}\ncluster: ${clusterId}\nhealth: ${healthy ? 'healthy' : 'unreachable'}\ntrust: ${trust}` +
        (level === 'na' ? ' (not computed yet)' : ` (${level})`) +
        reasons.map((r) => `\n  · ${r}`).join(''),
    ),
    // Health colours the node; trust colours the ring around it.
    s('rect', { class: ['trust-ring', trustClass(node)], x: x - 3, y: y - 3, width: w + 6, height: hgt + 6, rx: 8 }),
    s('rect', { class: 'topo-node-box', x, y, width: w, height: hgt, rx: 6 }),
    s('circle', { class: 'health-dot', cx: x + 14, cy: y + 15, r: 5 }),
    s('text', { class: 'topo-name', x: x + 25, y: y + 19 }, clip(node.name, w - 60)),
    s(
      'g',
      { class: ['trust', trustClass(node)] },
      s('rect', { x: x + w - 36, y: y + 7, width: 28, height: 16, rx: 8 }),
      s('text', { x: x + w - 22, y: y + 19, 'text-anchor': 'middle' }, trust === 'n/a' ? 'T?' : trust.replace(' %', '')),
    ),
    s('text', { class: 'topo-muted', x: x + 10, y: y + 37 }, `${layer}${healthy ? '' : ' · unreachable'}`),
    instances.length === 0 ? s('text', { class: 'topo-muted topo-idle', x: x + 10, y: y + NODE_HEAD + 14 }, 'no instances') : chips,
  );
}
