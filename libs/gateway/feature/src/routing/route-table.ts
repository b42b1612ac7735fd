/**
 * Which service answers which public path (distributed mode). The gateway's own routes (token checks)
 * and operations endpoints are answered locally. Method matters once: POST /api/v1/leaks adds leaks (ingest),
 * every other /api/v1/leaks route reads or decides (leak-lifecycle).
 */
export type UpstreamService = 'ingest' | 'leak-lifecycle' | 'access-control' | 'stats' | 'notifications';

const RULES: Array<{ test: (method: string, path: string) => boolean; service: UpstreamService }> = [
  { test: (m, p) => m === 'POST' && /^\/api\/v1\/leaks\/?$/.test(p), service: 'ingest' },
  { test: (_, p) => p.startsWith('/api/v1/ingest/') || p === '/api/v1/ingest', service: 'ingest' },
  { test: (_, p) => p === '/api/v1/leaks' || p.startsWith('/api/v1/leaks/'), service: 'leak-lifecycle' },
  { test: (_, p) => p.startsWith('/api/v1/audit/'), service: 'leak-lifecycle' },
  { test: (_, p) => /^\/api\/v1\/(orgs|api-keys|domains)(\/|$)/.test(p), service: 'access-control' },
  { test: (_, p) => p === '/api/stats' || p.startsWith('/api/v1/stats'), service: 'stats' },
  { test: (_, p) => p.startsWith('/api/v1/reports/'), service: 'stats' },
  { test: (_, p) => p === '/api/v1/notifications' || p.startsWith('/api/v1/notifications/'), service: 'notifications' },
];

export function upstreamFor(method: string, path: string): UpstreamService | null {
  const normalized = path.split('?')[0];
  return RULES.find((rule) => rule.test(method.toUpperCase(), normalized))?.service ?? null;
}

/** Paths a service authenticates by other means (Leak-Lookup's stats takes its key in the body). */
export function isPublicPath(path: string): boolean {
  const bare = path.split('?')[0];
  // GitHub's webhook proves itself with the organisation's HMAC signature instead of an API key.
  return bare === '/api/stats' || bare === '/api/v1/ingest/github';
}
