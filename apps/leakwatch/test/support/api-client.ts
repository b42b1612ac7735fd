/** A JSON client for the e2e suites: `call(method, path, key?, body?)` → status, headers, parsed body. */
export interface ApiAnswer {
  status: number;
  type: string;
  headers: Headers;
  // Tests assert on arbitrary response shapes.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
}

export function apiClient(baseUrl: () => string) {
  return async function call(method: string, path: string, key?: string, body?: unknown): Promise<ApiAnswer> {
    const response = await fetch(`${baseUrl()}${path}`, {
      method,
      headers: { ...(key ? { 'x-api-key': key } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    const type = response.headers.get('content-type') ?? '';
    // JSON (and problem+json) parsed; other answers (CSV, NDJSON exports, text) as text.
    return { status: response.status, type, headers: response.headers, body: text ? (/(^|[/+])json(;|$)/.test(type) ? JSON.parse(text) : text) : undefined };
  };
}
