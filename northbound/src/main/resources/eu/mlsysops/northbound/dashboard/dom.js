// Small DOM builders. Server data only ever reaches the page as text nodes or attribute
// values, never as markup, so a hostile app or policy name cannot inject anything.

const SVG_NS = 'http://www.w3.org/2000/svg';

function build(el, attrs, children) {
  for (const [key, value] of Object.entries(attrs ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'class') el.setAttribute('class', Array.isArray(value) ? value.filter(Boolean).join(' ') : value);
    else if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2), value);
    else el.setAttribute(key, value === true ? '' : String(value));
  }
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

/** An HTML element: h('li', {class: 'x', 'data-testid': 'y'}, 'text', otherNode). */
export function h(tag, attrs, ...children) {
  return build(document.createElement(tag), attrs, children);
}

/** An SVG element, same calling convention as {@link h}. */
export function s(tag, attrs, ...children) {
  return build(document.createElementNS(SVG_NS, tag), attrs, children);
}

/** Replaces the children of `el`. */
export function replace(el, ...children) {
  el.replaceChildren(...children.flat(Infinity).filter((c) => c !== null && c !== undefined && c !== false));
}

/** A stable fingerprint of JSON-like data, to skip re-rendering what did not change. */
export function fingerprint(value) {
  return JSON.stringify(value);
}

/** Characters that are safe in an id; anything else becomes '-'. */
export function slug(text) {
  return String(text).replace(/[^A-Za-z0-9_.-]/g, '-');
}

/** Milliseconds since the epoch from an ISO-8601 string or a number; NaN when neither. */
export function toMillis(t) {
  if (typeof t === 'number') return t;
  if (typeof t === 'string') return Date.parse(t);
  return NaN;
}

const timeFormat = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' });
const dateTimeFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' });

/** A <time> element for an instant, local clock time shown, full date in the tooltip. */
export function timeEl(t) {
  const ms = toMillis(t);
  if (Number.isNaN(ms)) return h('span', { class: 'muted' }, '–');
  const d = new Date(ms);
  return h('time', { datetime: d.toISOString(), title: dateTimeFormat.format(d) }, timeFormat.format(d));
}

/** A text rendering of a value that may be a string, a number or a JSON object. */
export function text(value) {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

/**
 * Like {@link replace}, but a <details data-key="…"> the user opened or closed keeps that state
 * across the redraw (the views redraw every 2 s).
 */
export function replaceKeepingOpen(el, ...children) {
  const before = new Map([...el.querySelectorAll('details[data-key]')].map((d) => [d.dataset.key, d.open]));
  replace(el, ...children);
  for (const d of el.querySelectorAll('details[data-key]')) {
    if (before.has(d.dataset.key)) d.open = before.get(d.dataset.key);
  }
}
