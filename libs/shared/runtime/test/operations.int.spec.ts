/**
 * Operations that tell the truth, over real HTTP and a real PostgreSQL:
 * - `/health` and `/health/ready` answer 503 naming each failing dependency (with its reason), `/health/live` 200;
 *   `leakwatch health` prints which dependency failed;
 * - `/metrics` follows Prometheus' naming rules (checked on the parsed exposition, and by `promtool check metrics`
 *   when a promtool exists) and carries the domain metrics read from the database at scrape time.
 */
import { execFile, execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { promisify } from 'node:util';
import { INestApplication, Injectable, Module, OnModuleInit } from '@nestjs/common';
import type { Pool } from 'pg';
import { EVENT_STORE, EventStore } from '@leakwatch/event-store';
import { startThrowawayPostgres, ThrowawayPostgres } from '@leakwatch/testing';
import { createLeakwatchApp, HealthRegistry, loadConfig, PG_POOL } from '../src';

const root = path.resolve(__dirname, '../../../..');

@Injectable()
class FlakyDependency implements OnModuleInit {
  constructor(private readonly health: HealthRegistry) {}
  onModuleInit(): void {
    this.health.register('payments_api', async () => {
      throw new Error('connect ECONNREFUSED 10.0.0.7:443');
    });
  }
}

@Module({ providers: [FlakyDependency] })
class FlakyModule {}

interface Family {
  name: string;
  help?: string;
  type?: string;
  samples: string[];
}

/** The text exposition format (0.0.4) as metric families: HELP, TYPE and sample names. */
function parseExposition(text: string): Map<string, Family> {
  const families = new Map<string, Family>();
  const family = (name: string): Family => {
    const known = families.get(name);
    if (known) return known;
    const created: Family = { name, samples: [] };
    families.set(name, created);
    return created;
  };
  for (const line of text.split('\n')) {
    const help = /^# HELP (\S+) (.*)$/.exec(line);
    const type = /^# TYPE (\S+) (\S+)$/.exec(line);
    if (help) family(help[1]).help = help[2];
    else if (type) family(type[1]).type = type[2];
    else if (line && !line.startsWith('#')) {
      const sample = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{.*\})? (\S+)/.exec(line);
      if (!sample) throw new Error(`unparseable sample line: ${line}`);
      const base = [...families.keys()].reverse().find((n) => sample[1] === n || /^(_bucket|_sum|_count)$/.test(sample[1].slice(n.length)) && sample[1].startsWith(n));
      if (!base) throw new Error(`sample ${sample[1]} has no HELP/TYPE before it`);
      family(base).samples.push(sample[1]);
    }
  }
  return families;
}

/** Prometheus' naming rules (https://prometheus.io/docs/practices/naming/); returns every violation. */
function namingViolations(families: Map<string, Family>): string[] {
  const problems: string[] = [];
  for (const f of families.values()) {
    if (!/^[a-zA-Z_:][a-zA-Z0-9_:]*$/.test(f.name)) problems.push(`${f.name}: invalid name`);
    if (!f.help) problems.push(`${f.name}: no HELP`);
    if (!f.type) problems.push(`${f.name}: no TYPE`);
    if (f.type === 'counter' && !f.name.endsWith('_total')) problems.push(`${f.name}: a counter must end in _total`);
    if (f.type !== 'counter' && f.name.endsWith('_total')) problems.push(`${f.name}: only counters end in _total`);
    // Base units, as a suffix (before _total): seconds not milliseconds, bytes not kilobytes.
    if (/(^|_)(milliseconds|millis|ms|microseconds|us|minutes|hours|kilobytes|megabytes|kb|mb)(_|$)/.test(f.name)) problems.push(`${f.name}: not a base unit`);
    for (const unit of ['seconds', 'bytes']) {
      if (f.name.includes(`_${unit}_`) && !new RegExp(`_${unit}_total$`).test(f.name)) problems.push(`${f.name}: unit ${unit} must be the suffix`);
    }
    if (f.type === 'histogram' && f.samples.length && !f.samples.some((s) => s.endsWith('_bucket'))) problems.push(`${f.name}: histogram without buckets`);
  }
  return problems;
}

describe('operations: health and metrics', () => {
  let pg: ThrowawayPostgres;
  let app: INestApplication;
  let url: string;

  beforeAll(async () => {
    pg = await startThrowawayPostgres();
    const databaseUrl = await pg.newDatabase('operations');
    app = await createLeakwatchApp({ name: 'test', modules: [FlakyModule] }, { ...loadConfig({ LOG_LEVEL: 'silent' }), databaseUrl });
    await app.listen(0, '127.0.0.1');
    url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
    // Tables other services own, as they look: the metrics read them only where they exist.
    const pool = app.get<Pool>(PG_POOL);
    await pool.query(`CREATE TABLE ll_leaks (leakid text PRIMARY KEY, status text NOT NULL, risk text NOT NULL)`);
    await pool.query(`INSERT INTO ll_leaks VALUES ('a', 'open', 'high'), ('b', 'open', 'high'), ('c', 'fixed', 'low')`);
    const store = app.get<EventStore>(EVENT_STORE);
    await store.appendToStream(`finding-${randomUUID()}-0`, [1, 2, 3].map(() => ({ id: randomUUID(), type: 'FindingReceived', data: {} })), { expectedRevision: 'no_stream' });
    await pool.query(`CREATE TABLE IF NOT EXISTS projection_checkpoints (name text PRIMARY KEY, position text NOT NULL, updated_at timestamptz NOT NULL DEFAULT now())`);
    await pool.query(`INSERT INTO projection_checkpoints (name, position) VALUES ('behind', '0/0') ON CONFLICT (name) DO UPDATE SET position = '0/0'`);
  }, 60_000);
  afterAll(async () => {
    await app?.close();
    await pg?.stop();
  });

  it('/health and /health/ready answer 503 naming the failing dependency and why, with every detail', async () => {
    for (const path of ['/health', '/health/ready']) {
      const response = await fetch(`${url}${path}`);
      expect(response.status).toBe(503);
      expect(response.headers.get('content-type')).toMatch(/application\/json/);
      const body = await response.json();
      expect(body).toMatchObject({
        status: 'error',
        failing: ['payments_api'],
        error: { payments_api: { status: 'down', message: 'connect ECONNREFUSED 10.0.0.7:443' } },
        details: { database: { status: 'up' }, event_store: { status: 'up' }, payments_api: { status: 'down' } },
      });
    }
  });

  it('/health/live answers 200 without asking any dependency', async () => {
    const response = await fetch(`${url}/health/live`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ status: 'ok' });
  });

  it('leakwatch health prints the failing dependency and its reason, and exits 1', async () => {
    const result = await promisify(execFile)(process.execPath, ['-r', './tools/register.js', 'tools/cli/src/main.ts', 'health', '--url', url], { cwd: root })
      .then((r) => ({ code: 0, ...r }))
      .catch((error: { code: number; stdout: string; stderr: string }) => error);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('✗ payments_api — connect ECONNREFUSED 10.0.0.7:443');
    expect(result.stdout).toContain('✓ database');
    expect(result.stderr).toContain('down: payments_api');
  }, 30_000);

  it('/metrics follows the Prometheus naming rules, with standard process metrics unprefixed', async () => {
    await fetch(`${url}/health/live`);
    const text = await (await fetch(`${url}/metrics`)).text();
    const families = parseExposition(text);
    expect(namingViolations(families)).toEqual([]);
    expect(families.get('process_cpu_seconds_total')?.type).toBe('counter');
    expect(families.get('nodejs_eventloop_lag_seconds')?.type).toBe('gauge');
    expect([...families.keys()].filter((n) => n.startsWith('leakwatch_process') || n.startsWith('leakwatch_nodejs'))).toEqual([]);
    expect(families.get('leakwatch_http_request_duration_seconds')?.type).toBe('histogram');
    let promtool: string | undefined;
    try {
      promtool = execFileSync('sh', ['-c', 'command -v promtool'], { encoding: 'utf8' }).trim() || undefined;
    } catch {
      promtool = undefined;
    }
    if (!promtool) {
      console.log('promtool not found on PATH: `promtool check metrics` skipped (the naming rules above were checked)');
      return;
    }
    expect(execFileSync(promtool, ['check', 'metrics'], { input: text, encoding: 'utf8' }).trim()).toBe('');
  });

  it('serves the domain metrics read from the database at scrape time', async () => {
    const text = await (await fetch(`${url}/metrics`)).text();
    expect(text).toMatch(/^# TYPE leakwatch_leaks gauge$/m);
    expect(text).toMatch(/^leakwatch_leaks\{status="open",risk="high"\} 2$/m);
    expect(text).toMatch(/^leakwatch_leaks\{status="fixed",risk="low"\} 1$/m);
    expect(text).toMatch(/^leakwatch_findings_ingested_total 3$/m);
    expect(text).toMatch(/^# TYPE leakwatch_findings_ingested_total counter$/m);
    const lag = /^leakwatch_projection_lag_events\{projection="behind"\} (\d+)$/m.exec(text);
    expect(Number(lag?.[1])).toBeGreaterThanOrEqual(3);
    expect(text).toMatch(/^# TYPE leakwatch_consumer_lag_events gauge$/m);
  });
});
