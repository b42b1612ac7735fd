/**
 * Child processes of a benchmark run: the embedded Leakwatch (`npm start`'s entry point) on a free port
 * with a throwaway data directory, the operator CLI, and everything to end them. The app and the CLI run
 * as child processes, exactly as an operator runs them: lint forbids a tool from importing an app (or
 * another tool) by path, and a separate process keeps the benchmark's own work out of the server's event loop.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '@leakwatch/postgres-server';
import { leakwatchNodeFlags } from '@leakwatch/testing';

/** The repository root (this file is tools/bench/support/process.ts). */
export const root = path.resolve(__dirname, '../../..');

export const log = (message: string) => process.stderr.write(`[bench] ${message}\n`);

/** Everything this run started or created, so any exit path can end or remove it. */
export class Resources {
  dataDir?: string;
  readonly children = new Set<ChildProcess>();
  /** Further temporary files and directories (removed after the processes have stopped). */
  readonly paths = new Set<string>();
  /** Stops for what the run started in-process (servers, clusters), run first, newest first. */
  private readonly stops: Array<() => Promise<unknown>> = [];

  onCleanUp(stop: () => Promise<unknown>): void {
    this.stops.push(stop);
  }

  spawn(args: string[], env: NodeJS.ProcessEnv): ChildProcess {
    // BENCH_NODE_ARGS: extra Node flags for the children (e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`, which NODE_OPTIONS refuses).
    const extra = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
    // The flags `npm start` runs Leakwatch with (the heap limit), then the benchmark's own.
    const child = spawn(process.execPath, [...leakwatchNodeFlags(env), ...extra, '-r', './tools/register.js', ...args], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    this.children.add(child);
    child.once('exit', () => this.children.delete(child));
    return child;
  }

  async cleanUp(): Promise<void> {
    for (const stop of this.stops.splice(0).reverse()) await stop().catch((error: Error) => log(`clean-up: ${error.message}`));
    await Promise.all([...this.children].map((child) => stopChild(child, 20_000)));
    for (const p of this.paths) rmSync(p, { recursive: true, force: true });
    this.paths.clear();
    if (!this.dataDir) return;
    // A child killed hard leaves its embedded PostgreSQL behind: stop that postmaster (ours: it lives in our data dir).
    const pidFile = path.join(this.dataDir, 'postgres', 'pgdata', 'postmaster.pid');
    if (existsSync(pidFile)) {
      const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
      if (pid > 0 && signal(pid, 'SIGINT')) await waitUntil(() => !signal(pid, 0), 15_000);
    }
    rmSync(this.dataDir, { recursive: true, force: true });
    rmSync(`${this.dataDir}-secrets.key`, { force: true }); // the generated secrets key file lives beside the data directory
    this.dataDir = undefined;
  }
}

export function signal(pid: number, sig: NodeJS.Signals | 0): boolean {
  try {
    process.kill(pid, sig);
    return true;
  } catch {
    return false;
  }
}

export async function waitUntil(done: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 100));
  }
  return true;
}

export async function waitUntilAsync(done: () => Promise<boolean>, timeoutMs: number, everyMs = 200): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!(await done())) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, everyMs));
  }
  return true;
}

/** SIGTERM (the app then stops its database cleanly), SIGKILL if it has not exited in time. */
export async function stopChild(child: ChildProcess, timeoutMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), timeoutMs).unref());
  if ((await Promise.race([exited, timer])) === 'timeout') {
    child.kill('SIGKILL');
    await exited;
  }
}

/** Child environment: always the embedded mode, whatever the caller's shell has set. */
export function embeddedEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env = { ...process.env, ...extra };
  for (const name of ['DATABASE_URL', 'EVENTSTORE_URL', 'KAFKA_BROKERS', 'LEAKWATCH_SERVICE']) delete env[name];
  return env;
}

export interface RunningLeakwatch {
  url: string;
  child: ChildProcess;
  /** The last 20,000 characters the app wrote (stdout and stderr). */
  output: () => string;
}

/** Starts the embedded Leakwatch on a fresh data directory and waits until `/health` answers 200. */
export async function startLeakwatch(resources: Resources, adminKey: string, env: Record<string, string> = {}): Promise<RunningLeakwatch> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'leakwatch-bench-'));
  chmodSync(dataDir, 0o755); // mkdtemp's 0700 would lock out the embedded server's user when running as root
  resources.dataDir = dataDir;
  const port = await freePort();
  const child = resources.spawn(
    ['apps/leakwatch/src/main.ts'],
    embeddedEnv({ PORT: String(port), HOST: '127.0.0.1', LEAKWATCH_DATA_DIR: dataDir, LEAKWATCH_ADMIN_KEY: adminKey, LOG_LEVEL: 'warn', ...env }),
  );
  let output = '';
  child.stdout?.on('data', (c) => (output = (output + c).slice(-20_000)));
  child.stderr?.on('data', (c) => (output = (output + c).slice(-20_000)));
  const url = `http://127.0.0.1:${port}`;
  const healthy = await waitUntilAsync(async () => {
    if (child.exitCode !== null) throw new Error(`leakwatch exited with ${child.exitCode}:\n${output}`);
    return fetch(`${url}/health`, { signal: AbortSignal.timeout(2000) }).then((r) => r.status === 200, () => false);
  }, 120_000);
  if (!healthy) throw new Error(`leakwatch not healthy within 120 s:\n${output}`);
  return { url, child, output: () => output };
}

/** Runs the operator CLI (`leakwatch ...`) in the embedded mode; resolves with its stdout. */
export async function runCli(resources: Resources, args: string[], env: Record<string, string>): Promise<string> {
  const child = resources.spawn(['tools/cli/src/main.ts', ...args], embeddedEnv(env));
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (c) => (stdout += c));
  child.stderr?.on('data', (c) => (stderr += c));
  const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
  if (code !== 0) throw new Error(`leakwatch ${args.join(' ')} exited with ${code}:\n${stderr}`);
  return stdout;
}
