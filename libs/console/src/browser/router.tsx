/**
 * Hash routing: `#/leaks?risk=high&status=open`. The URL holds the page and its filters, so a view can be
 * shared and the back button works; the server only ever serves `/`.
 */
export interface Route {
  path: string;
  params: URLSearchParams;
}

export function currentRoute(hash = location.hash): Route {
  const raw = hash.startsWith('#') ? hash.slice(1) : hash;
  const [path, search = ''] = (raw || '/').split('?');
  return { path: path.startsWith('/') ? path : `/${path}`, params: new URLSearchParams(search) };
}

export function href(path: string, params: Record<string, string | undefined | null> | URLSearchParams = {}): string {
  const search = params instanceof URLSearchParams ? new URLSearchParams(params) : new URLSearchParams();
  if (!(params instanceof URLSearchParams)) for (const [k, v] of Object.entries(params)) if (v) search.set(k, v);
  const text = search.toString();
  return `#${path}${text ? `?${text}` : ''}`;
}

export function navigate(path: string, params: Record<string, string | undefined | null> | URLSearchParams = {}): void {
  const target = href(path, params);
  if (location.hash === target) window.dispatchEvent(new HashChangeEvent('hashchange'));
  else location.hash = target;
}
