/**
 * Token-check benchmark (not a test): requests/s and p50/p99 of `POST /api/v1/tokens/check` on the
 * embedded Leakwatch, against a bare NestJS endpoint on the same machine (the ratio shows what auth,
 * counting, validation and the lookup cost), and of an authenticated read (`GET /api/v1/leaks?limit=1`).
 * Both servers run as child processes; the load comes from this process over loopback.
 *
 *   npm run bench:token-check -- --tokens 10000 --seconds 10 --clients 32
 */
import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { Command } from 'commander';
import { freePort } from '@leakwatch/postgres-server';
import { LoadResult, load } from './load';

const root = path.resolve(__dirname, '../../..');
const ADMIN_KEY = `lw_bench_${randomBytes(16).toString('hex')}`;
const log = (message: string) => process.stderr.write(`[bench] ${message}\n`);
const children = new Set<ChildProcess>();
let dataDir: string | undefined;

function start(args: string[], env: NodeJS.ProcessEnv): ChildProcess {
  const child = spawn(process.execPath, ['-r', './tools/register.js', ...args], { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

async function cleanUp(): Promise<void> {
  await Promise.all(
    [...children].map(
      (child) =>
        new Promise<void>((resolve) => {
          const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
          child.once('exit', () => (clearTimeout(timer), resolve()));
          child.kill('SIGTERM');
        }),
    ),
  );
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
}

async function waitHealthy(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await fetch(`${url}/health`).then((r) => r.ok, () => false))) {
    if (Date.now() > deadline) throw new Error(`${url} not healthy in time`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function main(options: { tokens: number; seconds: number; clients: number }): Promise<void> {
  const bare = start(['tools/bench/token-check/bare-nest.ts'], {});
  const barePort = Number((await createInterface({ input: bare.stdout! })[Symbol.asyncIterator]().next()).value);

  dataDir = mkdtempSync(path.join(os.tmpdir(), 'leakwatch-bench-'));
  chmodSync(dataDir, 0o755);
  const port = await freePort();
  start(['apps/leakwatch/src/main.ts'], { PORT: String(port), HOST: '127.0.0.1', LEAKWATCH_DATA_DIR: dataDir, LEAKWATCH_ADMIN_KEY: ADMIN_KEY, LOG_LEVEL: 'warn' });
  const url = `http://127.0.0.1:${port}`;
  await waitHealthy(url, 90_000);
  const json = { 'content-type': 'application/json' };
  const org = ((await (await fetch(`${url}/api/v1/orgs`, { method: 'POST', headers: { ...json, 'x-api-key': ADMIN_KEY }, body: JSON.stringify({ name: 'Bench' }) })).json()) as { org_id: string }).org_id;
  const key = ((await (await fetch(`${url}/api/v1/api-keys`, {
    method: 'POST', headers: { ...json, 'x-api-key': ADMIN_KEY }, body: JSON.stringify({ name: 'gateway', role: 'admin', org_id: org, limit: 100_000_000 }),
  })).json()) as { key: string }).key;

  log(`seeding ${options.tokens} leaked tokens`);
  const tokens = Array.from({ length: options.tokens }, () => `ghp_${randomBytes(18).toString('hex')}`);
  for (let i = 0; i < tokens.length; i += 1000) {
    const response = await fetch(`${url}/api/v1/leaks`, {
      method: 'POST', headers: { ...json, 'x-api-key': key }, body: JSON.stringify({ source: { name: 'bench' }, tokens: tokens.slice(i, i + 1000).map((value) => ({ value })) }),
    });
    if (response.status !== 201) throw new Error(`seeding failed: ${response.status} ${await response.text()}`);
  }
  const last = tokens[tokens.length - 1];
  const deadline = Date.now() + 120_000;
  while (!((await (await fetch(`${url}/api/v1/tokens/check`, { method: 'POST', headers: { ...json, 'x-api-key': key }, body: JSON.stringify({ token: last }) })).json()) as { leaked: boolean }).leaked) {
    if (Date.now() > deadline) throw new Error('tokens did not reach the gateway index in time');
    await new Promise((r) => setTimeout(r, 200));
  }

  const duration = options.seconds * 1000;
  let n = 0;
  const probe = () => (n++ % 2 ? tokens[n % tokens.length] : `ghp_${n.toString(16).padStart(36, '0')}`); // half leaked, half clean
  log('warming up');
  await load(() => fetch(`http://127.0.0.1:${barePort}/check`, { method: 'POST', headers: json, body: '{"token":"x"}' }), options.clients, 2000);
  await load(() => fetch(`${url}/api/v1/tokens/check`, { method: 'POST', headers: { ...json, 'x-api-key': key }, body: JSON.stringify({ token: probe() }) }), options.clients, 2000);

  log(`measuring (${options.seconds} s each, ${options.clients} clients)`);
  const bareResult = await load(() => fetch(`http://127.0.0.1:${barePort}/check`, { method: 'POST', headers: json, body: JSON.stringify({ token: probe() }) }), options.clients, duration);
  const checkResult = await load(() => fetch(`${url}/api/v1/tokens/check`, { method: 'POST', headers: { ...json, 'x-api-key': key }, body: JSON.stringify({ token: probe() }) }), options.clients, duration);
  const readResult = await load(() => fetch(`${url}/api/v1/leaks?limit=1`, { headers: { 'x-api-key': key } }), options.clients, duration);

  const row = (name: string, r: LoadResult) =>
    `${name.padEnd(52)} ${String(r.requests).padStart(9)} ${String(r.errors).padStart(7)} ${Math.round(r.rps).toLocaleString('en-US').padStart(10)} ${r.p50.toFixed(2).padStart(8)} ${r.p99.toFixed(2).padStart(8)}`;
  console.log(`\nLeakwatch token-check benchmark — ${options.tokens} leaked tokens, ${options.clients} clients, ${options.seconds} s each; Node ${process.version}, ${os.cpus().length} CPUs\n`);
  console.log(`${'endpoint'.padEnd(52)} ${'requests'.padStart(9)} ${'errors'.padStart(7)} ${'req/s'.padStart(10)} ${'p50 ms'.padStart(8)} ${'p99 ms'.padStart(8)}`);
  console.log(row('bare NestJS POST /check (same framework)', bareResult));
  console.log(row('POST /api/v1/tokens/check (auth + counting)', checkResult));
  console.log(row('GET /api/v1/leaks?limit=1 (auth + counting + SQL)', readResult));
  console.log(`\ntoken check / bare endpoint: ${(checkResult.rps / bareResult.rps).toFixed(2)} of the throughput, p50 ${(checkResult.p50 / bareResult.p50).toFixed(2)}×`);
}

const program = new Command('bench:token-check')
  .description('Token-check throughput and latency vs a bare NestJS endpoint; authenticated reads with counting on')
  .option('--tokens <n>', 'leaked tokens to seed', (v) => Number(v), 10_000)
  .option('--seconds <n>', 'duration of each measurement', (v) => Number(v), 10)
  .option('--clients <n>', 'concurrent keep-alive clients', (v) => Number(v), 32)
  .option('--timeout <minutes>', 'hard limit for the whole run', (v) => Number(v), 10);

program.action(async (options: { tokens: number; seconds: number; clients: number; timeout: number }) => {
  const timer = setTimeout(() => {
    log('timeout: stopping');
    void cleanUp().then(() => process.exit(2));
  }, options.timeout * 60_000);
  process.once('SIGINT', () => void cleanUp().then(() => process.exit(130)));
  try {
    await main(options);
  } catch (error) {
    log(`failed: ${(error as Error).message}`);
    process.exitCode = 1;
  } finally {
    clearTimeout(timer);
    await cleanUp();
  }
});
void program.parseAsync(process.argv);
