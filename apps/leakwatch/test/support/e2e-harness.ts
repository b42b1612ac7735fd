/**
 * The set-up every e2e suite shares: `npm start`'s real process with a known bootstrap admin key, a JSON
 * client that checks answers against the OpenAPI document, and organisations with keys issued through the API.
 *
 *   const e2e = await startE2e();
 *   const acme = await e2e.organisation('Acme', { admin: { role: 'admin' }, analyst: { role: 'analyst' } });
 *   await e2e.call('GET', '/api/v1/leaks', acme.keys.admin);
 *   ...
 *   await e2e.stop();
 */
import { ApiAnswer, apiClient } from './api-client';
import { LeakwatchProcess, startLeakwatchProcess } from './leakwatch-process';

/** The bootstrap global_admin key of every e2e process (a test key: never a real installation's). */
export const E2E_ADMIN_KEY = 'lw_e2e_bootstrap_global_admin_key_0123456';

export interface KeySpec {
  role: 'admin' | 'analyst';
  user_email?: string;
  /** Requests per day (the default 10,000 is too few for the bigger suites). */
  limit?: number;
}

export interface Organisation<K extends string> {
  orgId: string;
  keys: Record<K, string>;
  keyIds: Record<K, string>;
}

export interface E2e {
  /** The running process (replaced by `restart`). */
  app: LeakwatchProcess;
  /** `call(method, path, key?, body?)`; answers are checked against the served OpenAPI document. */
  call(method: string, path: string, key?: string, body?: unknown): Promise<ApiAnswer>;
  /** Creates an organisation and issues the named keys in it (as the bootstrap admin). */
  organisation<K extends string>(name: string, keys: Record<K, KeySpec>): Promise<Organisation<K>>;
  /** Stops the process (SIGTERM), removes its data directory, and answers the exit code. */
  stop(): Promise<number | null>;
  /** Stops the process (SIGTERM) and starts a new one on the same data directory; answers the old exit code. */
  restart(): Promise<number | null>;
}

export async function startE2e(env: Record<string, string> = {}): Promise<E2e> {
  const settings = { LEAKWATCH_ADMIN_KEY: E2E_ADMIN_KEY, ...env };
  const e2e: E2e = {
    app: await startLeakwatchProcess(settings),
    call: (...args) => call(...args),
    async organisation<K extends string>(name: string, specs: Record<K, KeySpec>): Promise<Organisation<K>> {
      const created = await e2e.call('POST', '/api/v1/orgs', E2E_ADMIN_KEY, { name });
      if (created.status !== 201) throw new Error(`creating organisation ${name}: ${created.status} ${JSON.stringify(created.body)}`);
      const orgId = created.body.org_id as string;
      const keys = {} as Record<K, string>;
      const keyIds = {} as Record<K, string>;
      for (const [label, spec] of Object.entries(specs) as Array<[K, KeySpec]>) {
        const issued = await e2e.call('POST', '/api/v1/api-keys', E2E_ADMIN_KEY, { name: label, org_id: orgId, ...spec });
        if (issued.status !== 201) throw new Error(`issuing key ${label} in ${name}: ${issued.status} ${JSON.stringify(issued.body)}`);
        keys[label] = issued.body.key;
        keyIds[label] = issued.body.id;
      }
      return { orgId, keys, keyIds };
    },
    async stop() {
      const code = await e2e.app.stop();
      e2e.app.cleanUp();
      return code;
    },
    async restart() {
      const code = await e2e.app.stop();
      e2e.app = await startLeakwatchProcess(settings, 60_000, e2e.app.dataDir);
      return code;
    },
  };
  const call = apiClient(() => e2e.app.url);
  return e2e;
}
