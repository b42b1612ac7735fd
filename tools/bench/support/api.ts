/** A small JSON client of the Leakwatch HTTP API, timing each call (client side, over loopback). */
import { randomBytes } from 'node:crypto';

export class Api {
  constructor(private readonly url: string, private key: string) {}

  as(key: string): Api {
    return new Api(this.url, key);
  }

  async call<T>(method: string, route: string, body?: unknown): Promise<{ status: number; body: T; ms: number }> {
    const started = performance.now();
    const response = await fetch(`${this.url}${route}`, {
      method,
      headers: { 'x-api-key': this.key, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(120_000),
    });
    const text = await response.text();
    const ms = performance.now() - started;
    return { status: response.status, body: (text ? JSON.parse(text) : undefined) as T, ms };
  }

  async expect<T>(status: number, method: string, route: string, body?: unknown): Promise<{ body: T; ms: number }> {
    const result = await this.call<T>(method, route, body);
    if (result.status !== status) throw new Error(`${method} ${route} answered ${result.status} (expected ${status}): ${JSON.stringify(result.body)}`);
    return result;
  }
}

/** A random bootstrap `global_admin` key (LEAKWATCH_ADMIN_KEY) for one run. */
export const benchAdminKey = () => `lw_bench_${randomBytes(16).toString('hex')}`;

/** As the bootstrap key: an organisation, and an admin key of it with a daily limit no run reaches. */
export async function orgAdmin(bootstrap: Api, orgName = 'Bench'): Promise<{ orgId: string; key: string; api: Api }> {
  const orgId = (await bootstrap.expect<{ org_id: string }>(201, 'POST', '/api/v1/orgs', { name: orgName })).body.org_id;
  const key = (
    await bootstrap.expect<{ key: string }>(201, 'POST', '/api/v1/api-keys', { name: 'bench', role: 'admin', org_id: orgId, user_email: 'bench@bench.example', limit: 100_000_000 })
  ).body.key;
  return { orgId, key, api: bootstrap.as(key) };
}
