/**
 * Runs `npm start`'s entry point as a real child process on a free port with a fresh data directory,
 * and keeps everything it prints (tests search the output for secrets).
 */
import { ChildProcess, spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '@leakwatch/postgres-server';
import { withEmbeddedDatabase } from './stored-events';
import { leakwatchNodeFlags } from '@leakwatch/testing';

const root = path.resolve(__dirname, '../../../..');

export interface LeakwatchProcess {
  url: string;
  child: ChildProcess;
  dataDir: string;
  output(): string;
  /** SIGTERM, wait for exit; returns the exit code. */
  stop(): Promise<number | null>;
  /** Removes the data directory (after stop). */
  cleanUp(): void;
}

export async function startLeakwatchProcess(env: Record<string, string> = {}, timeoutMs = 60_000, existingDataDir?: string): Promise<LeakwatchProcess> {
  const dataDir = existingDataDir ?? mkdtempSync(path.join(os.tmpdir(), 'leakwatch-e2e-'));
  chmodSync(dataDir, 0o755); // like a directory made by mkdir; mkdtemp's 0700 would lock out the server's user
  const port = await freePort();
  const child = spawn(process.execPath, [...leakwatchNodeFlags(), '-r', './tools/register.js', 'apps/leakwatch/src/main.ts'], {
    cwd: root,
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', LEAKWATCH_DATA_DIR: dataDir, LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (c) => (output += c));
  child.stderr?.on('data', (c) => (output += c));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`leakwatch exited with ${child.exitCode}:\n${output}`);
    const healthy = await fetch(`${url}/health`).then((r) => r.status === 200, () => false);
    if (healthy) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`leakwatch not healthy within ${timeoutMs} ms:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    url,
    child,
    dataDir,
    output: () => output,
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      return exited;
    },
    cleanUp: () => {
      rmSync(dataDir, { recursive: true, force: true });
      rmSync(`${dataDir}-secrets.key`, { force: true }); // the generated secrets key file lives beside the data directory
    },
  };
}

/** Every row of every table of the embedded database, as text (to search for secrets). */
export async function dumpEmbeddedDatabase(dataDir: string): Promise<string> {
  return withEmbeddedDatabase(dataDir, async (client) => {
    const tables = await client.query<{ name: string }>(`SELECT quote_ident(tablename) AS name FROM pg_tables WHERE schemaname = 'public'`);
    let dump = '';
    for (const { name } of tables.rows) {
      const rows = await client.query(`SELECT t::text AS row FROM ${name} t`);
      dump += rows.rows.map((r) => r.row).join('\n');
    }
    return dump;
  });
}
