// The northbound API client of the dashboard (docs/api.md is the contract).

const TOKEN_KEY = 'mlsysops.token';

/** Thrown when the API refuses the token (401) or the role (403). */
export class AuthError extends Error {
  constructor(status, detail) {
    super(detail || (status === 401 ? 'The API did not accept the token.' : 'The token does not allow this.'));
    this.name = 'AuthError';
    this.status = status;
  }
}

/** Thrown for any other failed request; `retriable` is false for 4xx answers. */
export class ApiError extends Error {
  constructor(message, status) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.retriable = !(status >= 400 && status < 500);
  }
}

/**
 * Takes `?token=` from the address bar once: it moves to sessionStorage and leaves the URL
 * (history.replaceState), so it is neither bookmarked nor shown.
 */
export function adoptTokenFromUrl() {
  const url = new URL(window.location.href);
  const fromUrl = url.searchParams.get('token');
  if (fromUrl !== null) {
    url.searchParams.delete('token');
    window.history.replaceState(window.history.state, '', url.pathname + url.search + url.hash);
    if (fromUrl.trim() !== '') setToken(fromUrl.trim());
  }
}

export function getToken() {
  try {
    return window.sessionStorage.getItem(TOKEN_KEY) ?? '';
  } catch {
    return '';
  }
}

export function setToken(token) {
  try {
    if (token) window.sessionStorage.setItem(TOKEN_KEY, token);
    else window.sessionStorage.removeItem(TOKEN_KEY);
  } catch {
    // Storage can be disabled; the token then lives only as long as this page.
  }
  memoryToken = token;
}

let memoryToken = '';

function currentToken() {
  return getToken() || memoryToken;
}

/** GET a JSON resource under the API; `query` values that are undefined are left out. */
export async function getJson(path, query = {}, { signal } = {}) {
  const url = new URL(path, window.location.origin);
  for (const [k, v] of Object.entries(query)) {
    if (v !== undefined && v !== null && v !== '') url.searchParams.set(k, String(v));
  }
  const headers = { Accept: 'application/json' };
  const token = currentToken();
  if (token) headers.Authorization = `Bearer ${token}`;
  let response;
  try {
    response = await fetch(url, { headers, signal, cache: 'no-store' });
  } catch (e) {
    if (e?.name === 'AbortError') throw e;
    throw new ApiError(`The API at ${window.location.host} cannot be reached.`, 0);
  }
  if (response.status === 401 || response.status === 403) {
    throw new AuthError(response.status, await problemDetail(response));
  }
  if (!response.ok) {
    throw new ApiError(
      (await problemDetail(response)) || `${url.pathname} answered ${response.status} ${response.statusText}`,
      response.status,
    );
  }
  try {
    return await response.json();
  } catch {
    throw new ApiError(`${url.pathname} did not answer JSON.`, response.status);
  }
}

async function problemDetail(response) {
  try {
    const body = await response.json();
    return body?.detail || body?.title || '';
  } catch {
    return '';
  }
}

/** Items of a paginated list (`{items, total, …}`) or of a plain array. */
export function items(page) {
  if (Array.isArray(page)) return page;
  if (page && Array.isArray(page.items)) return page.items;
  return [];
}

/** The URL of the event stream; EventSource cannot send headers, so the token goes in the query. */
export function eventsUrl() {
  const url = new URL('/api/v1/events', window.location.origin);
  const token = currentToken();
  if (token) url.searchParams.set('token', token);
  return url.toString();
}
