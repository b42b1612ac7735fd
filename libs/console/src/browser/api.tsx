/**
 * Same-origin calls to the Leakwatch API with the session's key. Errors arrive as RFC 9457 problems and are
 * kept whole (the console shows `detail`, field `errors[]` and the refused `leakids`). `getFresh` polls with
 * ETags: it answers `undefined` when the server says 304 Not Modified.
 */
import { forgetKey, storedKey } from './session';

export interface Problem {
  type?: string;
  title?: string;
  status: number;
  detail?: string;
  errors?: Array<{ field: string; message: string }>;
  leakids?: string[];
}

export class ApiError extends Error {
  constructor(readonly problem: Problem) {
    super(problem.detail ?? problem.title ?? `HTTP ${problem.status}`);
  }
}

let onUnauthorized: (reason: string) => void = () => undefined;
export const whenUnauthorized = (handler: (reason: string) => void): void => {
  onUnauthorized = handler;
};

export async function api<T>(method: string, path: string, body?: unknown, options: { key?: string; headers?: Record<string, string> } = {}): Promise<T> {
  const response = await request(method, path, body, options.key ?? storedKey() ?? undefined, undefined, options.headers);
  return (await read(response)) as T;
}

/** The last answer per path, with the key it was asked with (another key never revalidates it). */
const etags = new Map<string, { etag: string; body: unknown; key: string | undefined }>();

/**
 * GET with If-None-Match: `undefined` when the server answers 304 Not Modified, i.e. nothing changed since the
 * last answer for this path, so the caller redraws nothing (`always`: the last answer instead, for a page drawn
 * for the first time).
 */
export async function getFresh<T>(path: string, always = false): Promise<T | undefined> {
  const key = storedKey() ?? undefined;
  const known = etags.get(path);
  const usable = known && known.key === key ? known : undefined;
  const response = await request('GET', path, undefined, key, usable?.etag);
  if (response.status === 304 && usable) return always ? (usable.body as T) : undefined;
  const body = (await read(response)) as T;
  const etag = response.headers.get('etag');
  if (etag) etags.set(path, { etag, body, key });
  else etags.delete(path);
  return body;
}

async function request(method: string, path: string, body: unknown, key: string | undefined, ifNoneMatch?: string, extra: Record<string, string> = {}): Promise<Response> {
  const headers: Record<string, string> = { accept: 'application/json', ...extra };
  if (key) headers['x-api-key'] = key;
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (ifNoneMatch) headers['if-none-match'] = ifNoneMatch;
  try {
    return await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), cache: 'no-store', credentials: 'omit' });
  } catch {
    throw new ApiError({ status: 0, title: 'Network error', detail: 'Leakwatch did not answer. Is it running?' });
  }
}

async function read(response: Response): Promise<unknown> {
  const text = await response.text();
  let parsed: unknown = undefined;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = { detail: text };
  }
  if (response.ok) return parsed;
  const problem = { status: response.status, ...(typeof parsed === 'object' && parsed ? parsed : {}) } as Problem;
  if (response.status === 401) {
    forgetKey();
    onUnauthorized(problem.detail ?? 'The key was not accepted.');
  }
  throw new ApiError(problem);
}

export const query = (params: Record<string, string | number | boolean | undefined | null>): string => {
  const search = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') search.set(k, String(v));
  const text = search.toString();
  return text ? `?${text}` : '';
};
