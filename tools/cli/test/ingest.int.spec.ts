/**
 * `leakwatch ingest` against a real Leakwatch (embedded modules, real PostgreSQL, real HTTP).
 */
import { execFile } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { AccessControlModule } from '@leakwatch/access-control/feature';
import { AuthModule } from '@leakwatch/auth';
import { GatewayModule } from '@leakwatch/gateway/feature';
import { IngestModule } from '@leakwatch/ingest/feature';
import { LeakLifecycleModule } from '@leakwatch/leak-lifecycle/feature';
import { RunningLeakwatch, loadConfig, startLeakwatch } from '@leakwatch/runtime';
import { ThrowawayPostgres, startThrowawayPostgres } from '@leakwatch/testing';

const root = path.resolve(__dirname, '../../..');
const fixtures = path.join(root, 'libs/ingest/domain/test/fixtures');
const ADMIN_KEY = 'lw_cli_ingest_bootstrap_admin_key_012345';

const cli = (args: string[], env: NodeJS.ProcessEnv) =>
  promisify(execFile)(process.execPath, ['-r', './tools/register.js', 'tools/cli/src/main.ts', ...args], { cwd: root, env: { ...process.env, ...env } })
    .then((r) => ({ code: 0, ...r }))
    .catch((error: { code: number; stdout: string; stderr: string }) => error);

describe('leakwatch ingest', () => {
  let pg: ThrowawayPostgres;
  let app: RunningLeakwatch;
  let admin: string;
  let tmp: string;

  beforeAll(async () => {
    pg = await startThrowawayPostgres();
    app = await startLeakwatch(
      { name: 'all', modules: [AuthModule.forRoot(), GatewayModule, IngestModule, LeakLifecycleModule, AccessControlModule.forRoot()] },
      { ...loadConfig({ LOG_LEVEL: 'silent' }), port: 0, databaseUrl: await pg.newDatabase('cli_ingest'), adminKey: ADMIN_KEY },
    );
    const headers = { 'x-api-key': ADMIN_KEY, 'content-type': 'application/json' };
    const org = ((await (await fetch(`${app.url}/api/v1/orgs`, { method: 'POST', headers, body: JSON.stringify({ name: 'Acme' }) })).json()) as { org_id: string }).org_id;
    admin = ((await (await fetch(`${app.url}/api/v1/api-keys`, { method: 'POST', headers, body: JSON.stringify({ name: 'ci', role: 'admin', org_id: org }) })).json()) as { key: string }).key;
    tmp = mkdtempSync(path.join(os.tmpdir(), 'leakwatch-cli-'));
    chmodSync(tmp, 0o755);
  }, 90_000);
  afterAll(async () => {
    await app?.stop();
    await pg?.stop();
    rmSync(tmp, { recursive: true, force: true });
  });

  it('sends a gitleaks report with progress and prints the summary; a second run reports duplicates', async () => {
    const env = { LEAKWATCH_URL: app.url, LEAKWATCH_API_KEY: admin };
    const first = await cli(['ingest', path.join(fixtures, 'gitleaks-v8.json')], env);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/\(gitleaks\): \d+ accepted, 0 already known, 0 rejected/);
    expect(first.stderr).toMatch(/upload .*100%/);
    const again = await cli(['ingest', path.join(fixtures, 'gitleaks-v8.json')], env);
    expect(again.stdout).toMatch(/(\d+) accepted, \1 already known/);
  }, 60_000);

  it('lists rejected records of a broken TruffleHog report and reads SARIF by extension', async () => {
    const env = { LEAKWATCH_URL: app.url, LEAKWATCH_API_KEY: admin };
    const truffle = await cli(['ingest', path.join(fixtures, 'trufflehog-broken.ndjson')], env);
    expect(truffle.stdout).toMatch(/\(trufflehog\): \d+ accepted, \d+ already known, [1-9]\d* rejected/);
    expect(truffle.stdout).toMatch(/record \d+: /);
    const sarif = await cli(['ingest', path.join(fixtures, 'secretlint.sarif')], env);
    expect(sarif.stdout).toMatch(/\(sarif\): [1-9]\d* accepted/);
  }, 60_000);

  it('fails clearly without a key, with an unknown format, or when refused', async () => {
    const file = path.join(tmp, 'report.txt');
    writeFileSync(file, 'not a report');
    expect(await cli(['ingest', path.join(fixtures, 'gitleaks-v8.json')], { LEAKWATCH_URL: app.url, LEAKWATCH_API_KEY: '' })).toMatchObject({ code: 1, stderr: expect.stringMatching(/API key is required/) });
    expect(await cli(['ingest', file], { LEAKWATCH_URL: app.url, LEAKWATCH_API_KEY: admin })).toMatchObject({ code: 1, stderr: expect.stringMatching(/pass --format/) });
    const refused = await cli(['ingest', file, '--format', 'gitleaks'], { LEAKWATCH_URL: app.url, LEAKWATCH_API_KEY: admin });
    expect(refused).toMatchObject({ code: 1, stderr: expect.stringMatching(/refused \(400\)/) });
  }, 60_000);
});
