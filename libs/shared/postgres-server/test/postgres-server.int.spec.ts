import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { PostgresServer, portNotIn } from '../src';

async function query(server: PostgresServer, sql: string): Promise<unknown[]> {
  const client = new Client({ connectionString: server.url() });
  await client.connect();
  try {
    return (await client.query(sql)).rows;
  } finally {
    await client.end();
  }
}

describe('PostgresServer (npm-shipped binaries)', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'leakwatch-pgserver-'));
    chmodSync(dir, 0o755);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('initialises once, keeps data across a restart, and stops', async () => {
    const first = new PostgresServer({ dir: path.join(dir, 'pg') });
    await first.start();
    await query(first, `CREATE TABLE kept (v text); INSERT INTO kept VALUES ('still here')`);
    await first.stop();

    const second = new PostgresServer({ dir: path.join(dir, 'pg') });
    await second.start();
    try {
      expect(await query(second, 'SELECT v FROM kept')).toEqual([{ v: 'still here' }]);
    } finally {
      await second.stop();
    }
    await expect(query(second, 'SELECT 1')).rejects.toThrow();
  }, 60_000);

  it('takes over a data directory whose server was left running by a dead process', async () => {
    const orphan = new PostgresServer({ dir: path.join(dir, 'pg') });
    await orphan.start();
    const next = new PostgresServer({ dir: path.join(dir, 'pg') });
    await next.start(); // must shut the orphan down instead of failing on postmaster.pid
    try {
      expect(await query(next, 'SELECT 1 AS ok')).toEqual([{ ok: 1 }]);
    } finally {
      await next.stop();
      await orphan.stop();
    }
  }, 60_000);

  it('refuses a password-less connection (scram auth)', async () => {
    const server = new PostgresServer({ dir: path.join(dir, 'pg') });
    await server.start();
    try {
      const client = new Client({ host: '127.0.0.1', port: server.port, user: 'postgres', password: 'wrong', database: 'postgres' });
      await expect(client.connect()).rejects.toThrow(/password authentication failed/);
    } finally {
      await server.stop();
    }
  }, 60_000);

  it('gives clients its Unix socket (password required there too) and still listens on loopback TCP', async () => {
    const server = new PostgresServer({ dir: path.join(dir, 'pg') });
    await server.start();
    try {
      const socketDir = server.socketDir as string;
      expect(socketDir).toBe(path.join(dir, 'pg', 'socket'));
      expect(new URL(server.url('postgres')).searchParams.get('host')).toBe(socketDir);
      const overSocket = await query(server, `SELECT inet_server_addr() IS NULL AS unix, current_database() AS db`);
      expect(overSocket).toEqual([{ unix: true, db: 'postgres' }]);
      const tcp = new Client({ connectionString: server.tcpUrl() });
      await tcp.connect();
      try {
        expect((await tcp.query(`SELECT host(inet_server_addr()) AS addr`)).rows).toEqual([{ addr: '127.0.0.1' }]);
      } finally {
        await tcp.end();
      }
      const wrong = new Client({ host: socketDir, port: server.port, user: 'postgres', password: 'wrong', database: 'postgres' });
      await expect(wrong.connect()).rejects.toThrow(/password authentication failed/);
    } finally {
      await server.stop();
    }
  }, 60_000);

  it('falls back to TCP only when asked, or when the socket path would be too long', async () => {
    expect(new PostgresServer({ dir: path.join(dir, 'pg'), unixSocket: false }).socketDir).toBeUndefined();
    expect(new PostgresServer({ dir: path.join(dir, 'x'.repeat(100)) }).socketDir).toBeUndefined();
    const server = new PostgresServer({ dir: path.join(dir, 'pg'), unixSocket: false });
    await server.start();
    try {
      expect(new URL(server.url()).hostname).toBe('127.0.0.1');
      expect(await query(server, `SELECT inet_server_addr() IS NOT NULL AS tcp`)).toEqual([{ tcp: true }]);
    } finally {
      await server.stop();
    }
  }, 60_000);

  it('picks a free port other than the ones it is told to avoid (the app\'s own HTTP port)', async () => {
    const offered = [8080, 8080, 5433];
    expect(await portNotIn([8080], async () => offered.shift() as number)).toBe(5433);
    expect(await portNotIn([], async () => 8080)).toBe(8080);
    let asked = 0;
    expect(await portNotIn([8080], async () => (asked++, 8080))).toBe(8080); // gives up after 20 tries rather than spin
    expect(asked).toBe(20);
  });
});
