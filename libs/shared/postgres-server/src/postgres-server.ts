/**
 * Runs a private PostgreSQL server from the npm-shipped binaries: initialise once into a data directory,
 * start on a loopback port, stop cleanly. Used by embedded mode (`npm start`) and by every integration test.
 *
 * PostgreSQL refuses to run as root, so when we are root the server runs as `nobody` and owns its
 * data directory; the generated password lives in the data directory, readable only by its owner.
 */
import { ChildProcess, execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { findPostgresBinaries } from './postgres-binaries';

const run = promisify(execFile);
const NOBODY = 65534;

export interface PostgresServerOptions {
  /** Holds `pgdata/` and the password file. Created if missing. */
  dir: string;
  /** 0 or omitted: pick a free loopback port. */
  port?: number;
  /** Extra `-c name=value` settings. */
  settings?: Record<string, string>;
  log?: (line: string) => void;
  /**
   * Ports not to pick when choosing a free one: the HTTP port of the app that starts this server, which it binds only
   * later (a free port asked of the OS now may be that very port: the app then fails with EADDRINUSE).
   */
  avoidPorts?: number[];
  /** false: TCP only. Default: clients are given a Unix socket in `<dir>/socket` where the path allows one. */
  unixSocket?: boolean;
}

/** PostgreSQL's limit on a socket path (`<dir>/.s.PGSQL.<port>`, Linux `sun_path`: 108 bytes with the NUL). */
const MAX_SOCKET_PATH = 107;

export class PostgresServer {
  private process?: ChildProcess;
  private exited?: Promise<void>;
  private actualPort = 0;

  constructor(private readonly options: PostgresServerOptions) {}

  get port(): number {
    return this.actualPort;
  }

  /**
   * Connection URL for `database` (default `postgres`): over the Unix socket when the server has one — a query
   * over loopback TCP costs the client about a quarter more CPU (measured with `pg`, 8 connections: ~43 vs ~35 µs
   * of Node per query, and ~20% more queries/s), and every request of the product is a few queries. The server
   * listens on 127.0.0.1 as well, for tools and people (`tcpUrl`).
   */
  url(database = 'postgres'): string {
    if (!this.socketDir) return this.tcpUrl(database);
    return `postgres://postgres:${encodeURIComponent(this.password())}@localhost:${this.actualPort}/${database}?host=${encodeURIComponent(this.socketDir)}`;
  }

  /** Connection URL for `database` over loopback TCP. */
  tcpUrl(database = 'postgres'): string {
    return `postgres://postgres:${encodeURIComponent(this.password())}@127.0.0.1:${this.actualPort}/${database}`;
  }

  /** The directory holding the server's Unix socket, or undefined (TCP only). */
  get socketDir(): string | undefined {
    if (this.options.unixSocket === false || process.platform === 'win32') return undefined;
    const dir = path.resolve(this.options.dir, 'socket');
    // The setting is a comma-separated list: a directory name that needs quoting is not worth the risk.
    if (/[,'"\\\s]/.test(dir) || `${dir}/.s.PGSQL.65535`.length > MAX_SOCKET_PATH) return undefined;
    return dir;
  }

  async start(): Promise<void> {
    await this.initialise();
    await this.stopOrphan();
    this.actualPort = this.options.port || (await freePort(this.options.avoidPorts));
    const { postgres } = findPostgresBinaries();
    const socketDir = this.socketDir;
    if (socketDir) this.prepareSocketDir(socketDir);
    const args = ['-D', this.dataDir, '-p', String(this.actualPort), '-c', 'listen_addresses=127.0.0.1', '-c', `unix_socket_directories=${socketDir ?? ''}`];
    for (const [name, value] of Object.entries(this.options.settings ?? {})) args.push('-c', `${name}=${value}`);
    const child = spawn(postgres, args, { stdio: ['ignore', 'pipe', 'pipe'], ...asOwner() });
    this.process = child;
    const output: string[] = [];
    const collect = (chunk: Buffer) => {
      for (const line of chunk.toString().split('\n').filter(Boolean)) {
        output.push(line);
        if (output.length > 50) output.shift();
        this.options.log?.(line);
      }
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    // If this process exits without stop() (crash, process.exit), take the server down with it.
    const killOnExit = () => child.kill('SIGINT');
    process.once('exit', killOnExit);
    child.once('exit', () => process.off('exit', killOnExit));
    try {
      await this.waitUntilReady(child);
    } catch (error) {
      child.kill('SIGKILL');
      throw new Error(`PostgreSQL did not start: ${(error as Error).message}\n${output.join('\n')}`);
    }
  }

  /** Fast shutdown: rolls back open transactions, writes a checkpoint, exits. */
  async stop(): Promise<void> {
    if (!this.process || this.process.exitCode !== null) return;
    this.process.kill('SIGINT');
    const timeout = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 15_000).unref());
    if ((await Promise.race([this.exited, timeout])) === 'timeout') this.process.kill('SIGKILL');
    await this.exited;
  }

  async createDatabase(name: string): Promise<string> {
    const client = new Client({ connectionString: this.url() });
    await client.connect();
    try {
      await client.query(`CREATE DATABASE "${name.replace(/"/g, '""')}"`);
    } finally {
      await client.end();
    }
    return this.url(name);
  }

  /** Only the server's owner may enter it (the socket also asks for the password, as TCP does). */
  private prepareSocketDir(dir: string): void {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    if (isRoot()) chownSync(dir, NOBODY, NOBODY);
  }

  private get dataDir(): string {
    return path.join(this.options.dir, 'pgdata');
  }

  private get passwordFile(): string {
    return path.join(this.options.dir, 'pg-password');
  }

  private password(): string {
    return readFileSync(this.passwordFile, 'utf8').trim();
  }

  private async initialise(): Promise<void> {
    mkdirSync(this.options.dir, { recursive: true });
    if (existsSync(path.join(this.dataDir, 'PG_VERSION'))) return;
    if (!existsSync(this.passwordFile)) writeFileSync(this.passwordFile, randomBytes(24).toString('hex'), { mode: 0o600 });
    if (isRoot()) {
      assertTraversableByOthers(path.dirname(path.resolve(this.options.dir)));
      chownSync(this.options.dir, NOBODY, NOBODY);
      chownSync(this.passwordFile, NOBODY, NOBODY);
    }
    const { initdb } = findPostgresBinaries();
    await run(
      initdb,
      ['-D', this.dataDir, '-U', 'postgres', `--pwfile=${this.passwordFile}`, '-A', 'scram-sha-256', '-E', 'UTF8', '--locale=C.UTF-8'],
      asOwner(),
    ).catch((error: { stderr?: string; message: string }) => {
      throw new Error(`initdb failed: ${error.stderr || error.message}`);
    });
  }

  /** A server left running by a killed earlier process would hold the data directory: shut it down. */
  private async stopOrphan(): Promise<void> {
    const pidFile = path.join(this.dataDir, 'postmaster.pid');
    if (!existsSync(pidFile)) return;
    const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
    if (!Number.isInteger(pid) || pid <= 0 || !isAlive(pid)) return;
    this.options.log?.(`stopping PostgreSQL left running by an earlier process (pid ${pid})`);
    process.kill(pid, 'SIGINT');
    const deadline = Date.now() + 15_000;
    while (isAlive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    if (isAlive(pid)) process.kill(pid, 'SIGKILL');
  }

  private async waitUntilReady(child: ChildProcess): Promise<void> {
    const deadline = Date.now() + 30_000;
    let lastError: unknown;
    while (Date.now() < deadline) {
      if (child.exitCode !== null) throw new Error(`postgres exited with code ${child.exitCode}`);
      const client = new Client({ connectionString: this.url(), connectionTimeoutMillis: 1000 });
      try {
        await client.connect();
        await client.query('SELECT 1');
        return;
      } catch (error) {
        lastError = error;
        await new Promise((r) => setTimeout(r, 100));
      } finally {
        await client.end().catch(() => undefined);
      }
    }
    throw new Error(`timed out: ${String(lastError)}`);
  }
}

/** As root the server runs as `nobody`, which must be able to reach its directory. */
function assertTraversableByOthers(dir: string): void {
  for (let current = dir; ; current = path.dirname(current)) {
    const { mode, uid } = statSync(current);
    if (uid !== NOBODY && (mode & 0o001) === 0) {
      throw new Error(
        `PostgreSQL runs as user "nobody" when started as root, and cannot enter ${current} (mode ${(mode & 0o777).toString(8)}). ` +
          'Choose a data directory outside it (LEAKWATCH_DATA_DIR) or allow others to traverse it (chmod o+x).',
      );
    }
    if (current === path.dirname(current)) return;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

function asOwner(): { uid?: number; gid?: number } {
  return isRoot() ? { uid: NOBODY, gid: NOBODY } : {};
}

/** Asks the OS for a free loopback port, not one of `avoid`. */
export function freePort(avoid: readonly number[] = []): Promise<number> {
  return portNotIn(avoid, anyFreePort);
}

/** The first port `next` gives that is not in `avoid` (after 20 tries, the last one: the OS keeps giving it). */
export async function portNotIn(avoid: readonly number[], next: () => Promise<number>): Promise<number> {
  for (let attempt = 1; ; attempt++) {
    const port = await next();
    if (!avoid.includes(port) || attempt >= 20) return port;
  }
}

function anyFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
