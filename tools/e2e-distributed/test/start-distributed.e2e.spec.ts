/**
 * `npm run start:distributed` as a user runs it (issue 10.6): no Docker, no database or topic created by hand.
 * It starts a PostgreSQL from npm, creates a database per service, starts the Kafka-protocol test broker with
 * the topics and the six services; the test waits for the gateway's /health (every upstream up), works through
 * the gateway with the admin key the first start prints (org → key → manual leak → listed), then:
 * - Ctrl-C (SIGINT to the whole process group, as a terminal sends it) stops everything: no process of the
 *   group is left, every port it printed is free;
 * - a second start on the same data directory reuses the databases (no new key printed, the same data is
 *   there), and SIGTERM to the `npm` process alone (a supervisor's `kill <pid>`, which npm does not pass on to
 *   the script) stops everything too.
 */
import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '@leakwatch/postgres-server';
import { ALL_TOPICS } from '@leakwatch/messaging';
import { eventually, startKafkaMock, startThrowawayPostgres, TEST_BROKER_ENV } from '@leakwatch/testing';

const ROOT = path.resolve(__dirname, '../../..');
const SIX = ['gateway', 'access-control', 'ingest', 'leak-lifecycle', 'stats', 'notifications'];
const UPSTREAMS = ['access_control', 'ingest', 'leak_lifecycle', 'stats', 'notifications'];

interface Run {
  child: ChildProcess;
  output(): string;
  exited: Promise<number | null>;
}

/** The environment of a user who has set nothing Leakwatch-specific. */
function cleanEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const name of Object.keys(env)) {
    if (/^(DATABASE_URL|KAFKA_|LEAKWATCH_|PORT$|HOST$|LOG_LEVEL$|EVENTSTORE_URL$|[A-Z_]+_URL$)/.test(name)) delete env[name];
  }
  return env;
}

function startDistributed(args: string[], env: Record<string, string> = {}): Run {
  // detached: its own process group, as a terminal's foreground job is; Ctrl-C = SIGINT to the group.
  const child = spawn('npm', ['run', 'start:distributed', '--', ...args], { cwd: ROOT, env: { ...cleanEnv(), ...env }, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const collect = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-2_000_000));
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => output, exited };
}

/** Live (not zombie) processes of process group `pgid`: pid → command line. */
function processGroup(pgid: number): Map<number, string> {
  const found = new Map<number, string>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const [state, , group] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(group) !== pgid || state === 'Z') continue;
      found.set(Number(entry), readFileSync(`/proc/${entry}/cmdline`, 'utf8').replace(/\0/g, ' ').trim());
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** Every port the script printed: PostgreSQL, the broker, each service. */
function printedPorts(output: string): Record<string, number> {
  const ports: Record<string, number> = {};
  const pg = /PostgreSQL from npm on 127\.0\.0\.1:(\d+)/.exec(output);
  if (pg) ports.postgresql = Number(pg[1]);
  const broker = /test broker \(in memory\) on [^:]+:(\d+)/.exec(output);
  if (broker) ports.broker = Number(broker[1]);
  for (const service of SIX) {
    const line = new RegExp(`\\[start:distributed\\] ${service} +http://127\\.0\\.0\\.1:(\\d+) \\(pid \\d+\\)`).exec(output);
    if (line) ports[service] = Number(line[1]);
  }
  return ports;
}

async function call(base: string, method: string, route: string, key?: string, body?: unknown) {
  const response = await fetch(`${base}${route}`, {
    method,
    headers: { ...(key ? { 'x-api-key': key } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(15_000),
  });
  const text = await response.text();
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  return { status: response.status, body: (text && (response.headers.get('content-type') ?? '').includes('json') ? JSON.parse(text) : text) as any };
}

describe('npm run start:distributed', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'lw-start-distributed-'));
  chmodSync(dir, 0o755); // as root, PostgreSQL runs as nobody and must enter it
  const dataDir = path.join(dir, 'data');
  let port: number;
  let run: Run | undefined;
  let adminKey: string;
  let orgKey: string;
  let leakid: string;

  beforeAll(async () => {
    port = await freePort();
  });

  afterAll(async () => {
    // Only if a test failed half-way: take down whatever of the group is left.
    if (run && processGroup(run.child.pid as number).size > 0) {
      try {
        process.kill(-(run.child.pid as number), 'SIGKILL');
      } catch {
        // already gone
      }
    }
    rmSync(dir, { recursive: true, force: true });
  });

  /** Waits until the script says it is up and the gateway's /health is 200 with every upstream up. */
  const waitUp = async (current: Run) => {
    await eventually(
      'start:distributed printed that Leakwatch is up',
      () => {
        if (current.child.exitCode !== null) throw new Error(`npm exited ${current.child.exitCode}:\n${current.output().slice(-4000)}`);
        return /Leakwatch \(distributed, 6 services\) is up/.test(current.output());
      },
      (ok) => ok,
      { timeoutMs: 240_000, intervalMs: 250 },
    );
    const health = await eventually('gateway /health 200', () => call(`http://127.0.0.1:${port}`, 'GET', '/health'), (r) => r.status === 200, { timeoutMs: 30_000 });
    for (const upstream of UPSTREAMS) expect(health.body.details[`upstream_${upstream}`]).toMatchObject({ status: 'up', url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/) });
    expect(health.body.status).toBe('ok');
  };

  /** Sends `signal` (to the group or to npm alone), then: npm exits, no process of its group is left, every printed port is free. */
  const stopAndCheck = async (current: Run, signal: NodeJS.Signals, target: 'group' | 'npm') => {
    const pgid = current.child.pid as number;
    const before = processGroup(pgid);
    // npm, its shell, the script, PostgreSQL, the broker, six services (and what they spawn).
    expect([...before.values()].filter((cmd) => /apps\/[a-z-]+\/src\/main\.ts/.test(cmd))).toHaveLength(6);
    expect([...before.values()].some((cmd) => /kafka-mock/.test(cmd))).toBe(true);
    expect([...before.values()].some((cmd) => /bin\/postgres /.test(cmd))).toBe(true);
    const ports = printedPorts(current.output());
    expect(Object.keys(ports).sort()).toEqual([...SIX, 'broker', 'postgresql'].sort());

    process.kill(target === 'group' ? -pgid : pgid, signal);
    await current.exited;
    await eventually('every process of the group gone', () => [...processGroup(pgid).values()], (left) => left.length === 0, { timeoutMs: 60_000, intervalMs: 250 });
    for (const [what, p] of Object.entries(ports)) expect({ what, port: p, free: await portIsFree(p) }).toEqual({ what, port: p, free: true });
    expect(current.output()).toMatch(/\[start:distributed\] .*stopping…/);
    expect(current.output()).toMatch(/\[start:distributed\] stopped/);
  };

  it('--help names the six services, the flags, the topics and the settings', () => {
    const help = spawnSync('npm', ['run', '--silent', 'start:distributed', '--', '--help'], { cwd: ROOT, env: cleanEnv(), encoding: 'utf8', timeout: 60_000 });
    expect(help.status).toBe(0);
    for (const service of SIX) expect(help.stdout).toMatch(new RegExp(`^  ${service} +\\S`, 'm'));
    for (const flag of ['--port', '--host', '--data-dir', '--database-url', '--kafka-brokers', '--log-level']) expect(help.stdout).toContain(flag);
    for (const topic of ['leakwatch.findings.v1', 'leakwatch.leaks.v1', 'leakwatch.access.v1', 'leakwatch.gateway.v1']) expect(help.stdout).toContain(topic);
    expect(help.stdout).toContain('retention.ms=-1');
    expect(help.stdout).toContain('LEAKWATCH_ADMIN_KEY');
    const wrong = spawnSync('npm', ['run', '--silent', 'start:distributed', '--', '--port', 'eighty'], { cwd: ROOT, env: cleanEnv(), encoding: 'utf8', timeout: 60_000 });
    expect(wrong.status).not.toBe(0);
    expect(wrong.stderr).toMatch(/--port.*not a port/);
  }, 120_000);

  it('a first start creates everything itself; the printed admin key works through the gateway; Ctrl-C stops it all', async () => {
    run = startDistributed(['--port', String(port), '--data-dir', dataDir, '--log-level', 'warn']);
    await waitUp(run);
    const output = run.output();
    expect(output).toMatch(/databases: leakwatch_access_control, leakwatch_ingest, leakwatch_leak_lifecycle, leakwatch_stats, leakwatch_notifications, leakwatch_gateway/);
    const printed = /Your global_admin API key[^\n]*\n(?:[^\n]*\n){0,3}?[^\n]*?\b(lw_[A-Za-z0-9_-]{20,})/.exec(output);
    expect(printed).not.toBeNull();
    adminKey = (printed as RegExpExecArray)[1];

    const gateway = `http://127.0.0.1:${port}`;
    const org = await eventually('POST /api/v1/orgs with the printed key', () => call(gateway, 'POST', '/api/v1/orgs', adminKey, { name: 'Acme' }), (r) => r.status === 201);
    const issued = await call(gateway, 'POST', '/api/v1/api-keys', adminKey, { name: 'ops', role: 'admin', org_id: org.body.org_id, user_email: 'ops@acme.example' });
    expect(issued.status).toBe(201);
    orgKey = issued.body.key;
    // access-control → Kafka → the gateway's access directory
    await eventually('the new key at the gateway', () => call(gateway, 'GET', '/api/v1/leaks', orgKey), (r) => r.status === 200);
    // ingest → Kafka → leak-lifecycle
    const added = await call(gateway, 'POST', '/api/v1/leaks', orgKey, { source: { name: 'start-distributed test' }, tokens: [{ value: `ghp_${'a1b2c3'.repeat(6)}` }] });
    expect(added).toMatchObject({ status: 201, body: { created: 1 } });
    leakid = added.body.leakids[0];
    const listed = await eventually('the leak listed', () => call(gateway, 'GET', '/api/v1/leaks', orgKey), (r) => r.status === 200 && r.body.items.length === 1);
    expect(listed.body.items[0]).toMatchObject({ leakid, status: 'open' });

    await stopAndCheck(run, 'SIGINT', 'group');
  }, 420_000);

  it('a second start reuses the databases (no new key, the same data); SIGTERM to npm alone stops it all', async () => {
    run = startDistributed(['--port', String(port), '--data-dir', dataDir, '--log-level', 'warn']);
    await waitUp(run);
    expect(run.output()).not.toMatch(/Your global_admin API key/);
    const gateway = `http://127.0.0.1:${port}`;
    // The broker started empty: the relays published every stored event again, so the gateway knows the keys.
    const orgs = await eventually('the admin key after a restart', () => call(gateway, 'GET', '/api/v1/orgs', adminKey), (r) => r.status === 200);
    expect(orgs.body.items).toEqual([expect.objectContaining({ name: 'Acme' })]);
    const listed = await eventually('the leak after a restart', () => call(gateway, 'GET', '/api/v1/leaks', orgKey), (r) => r.status === 200 && r.body.items.length === 1);
    expect(listed.body.items[0]).toMatchObject({ leakid });

    await stopAndCheck(run, 'SIGTERM', 'npm');
  }, 420_000);

  it('runs against a PostgreSQL server and a broker it is given: creates the databases, even when the URL\'s own does not exist', async () => {
    const [pg, kafka] = await Promise.all([startThrowawayPostgres(), startKafkaMock({ topics: [...ALL_TOPICS] })]);
    try {
      const server = new URL(pg.url);
      server.pathname = '/acme_lw'; // no such database: it only names the others
      const externalPort = await freePort();
      run = startDistributed(['--port', String(externalPort), '--data-dir', path.join(dir, 'external'), '--log-level', 'warn', '--database-url', server.toString(), '--kafka-brokers', kafka.brokers.join(',')], { ...TEST_BROKER_ENV });
      await eventually('start:distributed printed that Leakwatch is up', () => {
        if (run?.child.exitCode !== null) throw new Error(`npm exited ${run?.child.exitCode}:\n${run?.output().slice(-4000)}`);
        return /Leakwatch \(distributed, 6 services\) is up/.test(run.output());
      }, (ok) => ok, { timeoutMs: 240_000, intervalMs: 250 });
      const output = run.output();
      expect(output).toMatch(/databases: acme_lw_access_control, acme_lw_ingest, acme_lw_leak_lifecycle, acme_lw_stats, acme_lw_notifications, acme_lw_gateway/);
      expect(output).toContain(`Kafka on ${kafka.brokers.join(',')}`);
      expect(output).not.toMatch(/PostgreSQL from npm|test broker \(in memory\)/);
      const key = (/Your global_admin API key[^\n]*\n(?:[^\n]*\n){0,3}?[^\n]*?\b(lw_[A-Za-z0-9_-]{20,})/.exec(output) as RegExpExecArray)[1];
      const gateway = `http://127.0.0.1:${externalPort}`;
      const org = await eventually('POST /api/v1/orgs with the printed key', () => call(gateway, 'POST', '/api/v1/orgs', key, { name: 'External' }), (r) => r.status === 201);
      expect(org.body).toMatchObject({ name: 'External' });

      const pgid = run.child.pid as number;
      process.kill(-pgid, 'SIGINT');
      await run.exited;
      await eventually('every process of the group gone', () => [...processGroup(pgid).values()], (left) => left.length === 0, { timeoutMs: 60_000, intervalMs: 250 });
      // What it was given is left running: the server still answers and has the six databases.
      const { Client } = await import('pg');
      const client = new Client({ connectionString: pg.url });
      await client.connect();
      try {
        const { rows } = await client.query<{ datname: string }>(`SELECT datname FROM pg_database WHERE datname LIKE 'acme_lw_%' ORDER BY 1`);
        expect(rows.map((r) => r.datname)).toEqual(['acme_lw_access_control', 'acme_lw_gateway', 'acme_lw_ingest', 'acme_lw_leak_lifecycle', 'acme_lw_notifications', 'acme_lw_stats']);
      } finally {
        await client.end();
      }
    } finally {
      await Promise.all([kafka.stop(), pg.stop()]);
    }
  }, 420_000);
});
