/**
 * `leakwatch projections list | rebuild` against real PostgreSQL: a store with a realistic history written
 * through the real deciders, projected live — by ProjectionRunners, and by the real bus consumers (stats,
 * token index, notifications) on the embedded-mode bus — then rebuilt by the CLI (a child process): every
 * registered table must come back row for row as the live run built it.
 */
import { createHash, randomUUID } from 'node:crypto';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { Pool } from 'pg';
import { apiKeyAggregate, domainAggregate, organizationAggregate, orgStream, apiKeyStream, domainStream } from '@leakwatch/access-control/domain';
import { EventMetadata, GlobalPosition, PostgresEventStore, comparePositions, decideAndAppend, decodePosition } from '@leakwatch/event-store';
import { TokenIndex, TokenIndexFeed } from '@leakwatch/gateway/feature';
import { leakIntegrationMapper } from '@leakwatch/leak-lifecycle/feature';
import { IntegrationMapperRegistry, PostgresCheckpointStore, StoreBackedMessageBus, TOPICS } from '@leakwatch/messaging';
import { DeliveryLog, LeakEventsConsumer, NotificationsRuntime } from '@leakwatch/notifications/feature';
import { ApiUsageConsumer, ApiUsageReadModel, LeakDecisionsConsumer, LeakDecisionsReadModel, LeakStatsConsumer, LeakStatsReadModel, StatsSchema } from '@leakwatch/stats/feature';
import { LeakCommand, leakAggregate, leakStream } from '@leakwatch/leak-lifecycle/domain';
import { ParkedEvents, ProjectionRunner, unionFilter } from '@leakwatch/projections';
import { eventually, startThrowawayPostgres, ThrowawayPostgres } from '@leakwatch/testing';
import { RUNNERS, runnerTables } from '../src/projections/registry';

const root = path.resolve(__dirname, '../../..');
type RunResult = { code?: number; stdout: string; stderr: string };
const run = (args: string[], env: NodeJS.ProcessEnv = {}): Promise<RunResult> =>
  promisify(execFile)(process.execPath, ['-r', './tools/register.js', 'tools/cli/src/main.ts', ...args], {
    cwd: root,
    env: { ...process.env, ...env },
  }).catch((error: RunResult) => error);

const LEAKS = 200;
/** Runners a ProjectionRunner feeds live; the others are fed by bus consumer groups. */
const STORE_RUNNERS = RUNNERS.filter((r) => !r.busGroups);
const md5 = (text: string) => createHash('md5').update(text).digest('hex');
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const at = (minute: number) => new Date(Date.UTC(2025, 0, 1) + minute * 60_000).toISOString();

/** Runs `work` over `items` with at most `limit` in flight (the store sees concurrent writers, as in production). */
async function eachLimit<T>(items: T[], limit: number, work: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: limit }, async () => {
    while (next < items.length) {
      const i = next++;
      await work(items[i], i);
    }
  }));
}

async function buildHistory(store: PostgresEventStore): Promise<void> {
  const admin: EventMetadata = { actor: { key_id: 'bootstrap', role: 'global_admin' } };
  const orgs = ['Acme', 'Bravo', 'Charlie'].map((name) => ({ id: randomUUID(), name, domain: `${name.toLowerCase()}.example` }));
  let minute = 0;
  for (const org of orgs) {
    const meta = { ...admin, occurred_at: at(minute++) };
    await decideAndAppend(store, orgStream(org.id), organizationAggregate, { type: 'CreateOrganization', orgId: org.id, name: org.name }, meta);
    for (const role of ['admin', 'analyst'] as const) {
      const keyId = randomUUID();
      const key = { key_id: keyId, name: `${role}@${org.domain}`, role, org_id: org.id, user_email: `${role}@${org.domain}`, type: 'private' as const, limit: 10_000, expires_at: null, key_hash: sha256(keyId), prefix: `lw_${keyId.slice(0, 8)}` };
      await decideAndAppend(store, apiKeyStream(keyId), apiKeyAggregate, { type: 'IssueApiKey', key, at: at(minute++) }, meta);
      if (role === 'admin') await decideAndAppend(store, apiKeyStream(keyId), apiKeyAggregate, { type: 'RotateApiKey', keyId, keyHash: sha256(`${keyId}-2`), prefix: 'lw_rotated0', at: at(minute++) }, meta);
      else if (org.name === 'Bravo') await decideAndAppend(store, apiKeyStream(keyId), apiKeyAggregate, { type: 'RevokeApiKey', keyId, at: at(minute++) }, meta);
    }
    const domain = domainStream(org.id, org.domain);
    await decideAndAppend(store, domain, domainAggregate, { type: 'ClaimDomain', orgId: org.id, domain: org.domain, token: randomUUID(), at: at(minute++) }, meta);
    if (org.name !== 'Charlie') await decideAndAppend(store, domain, domainAggregate, { type: 'RecordVerification', method: 'dns', at: at(minute++), validForDays: 30 }, meta);
    if (org.name === 'Bravo') await decideAndAppend(store, domain, domainAggregate, { type: 'RevokeDomain', at: at(minute++) }, meta);
  }

  // API usage, as the gateway records it: one stream per key and UTC day, a batch of requests per event.
  for (const [k, key] of ['key-a', 'key-b'].entries()) {
    for (const day of ['2025-01-01', '2025-01-02']) {
      for (let batch = 0; batch < 3 + k; batch++) {
        const stream = `usage-${key}-${day}`;
        const data = { key_id: key, day, requests: 1 + batch * 7, first_request_at: `${day}T0${batch}:00:00.000Z`, last_request_at: `${day}T0${batch}:30:00.000Z` };
        await store.appendToStream(stream, [{ id: randomUUID(), type: 'ApiUsageRecorded', data }], { expectedRevision: batch === 0 ? 'no_stream' : batch - 1 });
      }
    }
  }

  await eachLimit(Array.from({ length: LEAKS }, (_, i) => i), 16, async (i) => {
    const org = orgs[i % orgs.length];
    const leakid = md5(`leak-${i}-${randomUUID()}`);
    const credential = i % 4 === 0;
    const finding = {
      leakid,
      kind: credential ? ('credential' as const) : ('token' as const),
      secret_type: credential ? 'password' : 'github-pat',
      fingerprint: sha256(`secret-${leakid}`),
      preview: credential ? 'hunt…(12)' : 'ghp_…(40)',
      identity: credential ? { email: `User${i}@${org.domain}`, username: null } : null,
      site: credential ? { url: `https://shop.${org.domain}/login`, domain: `shop.${org.domain}` } : null,
      org_id: credential ? null : org.id,
      source: { name: i % 3 ? 'gitleaks' : 'pastebin', url: `https://paste.example/${i}` },
      risk: (['critical', 'high', 'medium', 'low'] as const)[i % 4],
      blockable: !credential,
      location: { file: `src/config-${i}.ts`, line: i },
      finding_id: randomUUID(),
    };
    const steps: LeakCommand[] = [{ type: 'RecordFinding', finding, at: at(1000 + i) }];
    if (i % 5 === 1) steps.push({ type: 'ChangeStatus', to: 'fixed', comment: 'rotated' });
    if (i % 5 === 2 && !credential) {
      steps.push({ type: 'SetVirtualPatch', enabled: true });
      if (i % 10 === 2) steps.push({ type: 'ChangeStatus', to: 'fixed', comment: null }); // removes the patch
    }
    if (i % 5 === 3) steps.push({ type: 'ChangeStatus', to: 'false_positive', comment: 'test fixture' });
    if (i % 13 === 1) steps.push({ type: 'ChangeStatus', to: 'open', comment: 'reopened' });
    if (i % 7 === 0 || i % 5 === 1) steps.push({ type: 'RecordFinding', finding: { ...finding, source: { name: 'github' }, finding_id: randomUUID() }, at: at(5000 + i) }); // fixed + seen again = regression
    if (i % 11 === 0) steps.push({ type: 'RecordTokenUseAttempt', at: at(6000 + i), keyId: null });
    for (const [step, command] of steps.entries()) {
      const meta: EventMetadata = { occurred_at: at(2000 + i * 10 + step), actor: { key_id: 'k', org_id: org.id, role: 'admin', user_email: `admin@${org.domain}` } };
      const outcome = await decideAndAppend(store, leakStream(leakid), leakAggregate, command, meta);
      if (!outcome.result.ok) throw new Error(`fixture command refused: ${outcome.result.refusal}`);
    }
  });
}

/** Every projection table and the checkpoints, ordered by primary key: what "the same read model" means. */
async function snapshot(pool: Pool): Promise<Record<string, unknown[]>> {
  const tables: Record<string, unknown[]> = {};
  for (const table of RUNNERS.flatMap(runnerTables)) {
    const { rows: keys } = await pool.query<{ column: string }>(
      `SELECT a.attname AS column FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)
        WHERE i.indrelid = $1::regclass AND i.indisprimary ORDER BY array_position(i.indkey::int2[], a.attnum)`,
      [table],
    );
    expect(keys.length).toBeGreaterThan(0);
    tables[table] = (await pool.query(`SELECT * FROM ${table} ORDER BY ${keys.map((k) => `"${k.column}"`).join(', ')}`)).rows;
  }
  // The store runners' checkpoints (bus-fed read models keep theirs in messaging_checkpoints, per consumer group).
  tables.projection_checkpoints = (await pool.query(`SELECT name, position FROM projection_checkpoints WHERE name = ANY($1) ORDER BY name`, [STORE_RUNNERS.map((r) => r.name)])).rows;
  return tables;
}

describe('leakwatch projections (CLI)', () => {
  let pg: ThrowawayPostgres;
  let url: string;
  let pool: Pool;
  let live: Record<string, unknown[]>;

  beforeAll(async () => {
    pg = await startThrowawayPostgres();
    pool = await pg.newPool('projections_cli'); // ended by pg.stop(), and deaf to the server stopping under idle clients
    url = pool.options.connectionString as string;
    const store = await PostgresEventStore.create(pool, { pollIntervalMs: 50 });
    // Live runners project while the history is being written, as in the running services.
    const runners = STORE_RUNNERS.map((r) => new ProjectionRunner(r.name, store, pool, r.projections));
    await Promise.all(runners.map((r) => r.start()));
    // The bus-fed read models, live as the embedded services run them: their real consumers (which take the
    // pages the store-backed bus delivers), on the bus, through leak-lifecycle's integration mapper.
    const mappers = new IntegrationMapperRegistry();
    mappers.register(TOPICS.leaks, leakIntegrationMapper);
    const bus = new StoreBackedMessageBus({ store, checkpoints: await PostgresCheckpointStore.create(pool), source: 'leakwatch/leakwatch', mappers, checkpointAfterMs: 50 });
    const statsSchema = new StatsSchema(pool);
    const decisions = new LeakDecisionsReadModel(pool);
    const deliveries = new DeliveryLog(pool);
    await deliveries.setup();
    // Nobody subscribed: the consumer's read model (nt_leak_orgs) is what is compared; deliveries are not a read model.
    const notifications = { log: deliveries, subscriptions: { liveOf: async () => [], matching: async () => [] }, dispatcher: { wake: () => undefined }, maxAttempts: 3 } as unknown as NotificationsRuntime;
    const consumers = [
      new LeakStatsConsumer(statsSchema, new LeakStatsReadModel(pool), decisions, bus, 'all'),
      new LeakDecisionsConsumer(statsSchema, decisions, bus, 'all'),
      new ApiUsageConsumer(statsSchema, new ApiUsageReadModel(pool), bus, 'all'),
      new TokenIndexFeed(new TokenIndex(pool), bus, 'all'),
      new LeakEventsConsumer(notifications, bus, 'all'),
    ];
    for (const consumer of consumers) await consumer.onModuleInit();
    await buildHistory(store);
    // The all-stream shows events only below the oldest running transaction — and the live runners' and
    // consumers' own page transactions count (under load they stay open for hundreds of ms). Read it only once it
    // shows every stored event: a read taken earlier ends short, and waiting for its last event would let the
    // snapshot below be taken while the slowest consumer still has the rest to apply (the flake this fixed).
    const stored = Number((await pool.query(`SELECT count(*) AS n FROM es_events`)).rows[0].n);
    let all: Awaited<ReturnType<typeof store.readAll>> = [];
    await eventually('the all-stream shows every stored event', async () => (all = await store.readAll()).length, (shown) => shown === stored);
    const last = all[all.length - 1].position;
    for (const runner of runners) expect(await runner.waitFor(last, 20_000)).toBe(true);
    const lastOf = (category: string) => [...all].reverse().find((e) => e.streamId.startsWith(`${category}-`))?.position as GlobalPosition;
    const lastLeak = lastOf('leak');
    const lastUsage = lastOf('usage');
    await eventually(
      'every bus group has consumed the last event of its topic',
      async () => (await pool.query<{ name: string; position: string }>(`SELECT name, position FROM messaging_checkpoints WHERE name LIKE 'bus:all.%'`)).rows,
      (rows) => rows.length === consumers.length && rows.every((r) => comparePositions(decodePosition(r.position), r.name.endsWith('.usage') ? lastUsage : lastLeak) >= 0),
    );
    for (const consumer of consumers) await consumer.onApplicationShutdown();
    await bus.close();
    await Promise.all(runners.map((r) => r.stop()));
    await store.close();
    live = await snapshot(pool);
  }, 60_000);

  afterAll(async () => pg?.stop());

  it('the fixture is a realistic history (else equality below would prove little)', () => {
    const leaks = live.ll_leaks as Array<{ status: string; virtual_patch: boolean; sightings: number; attempts: number; fixed_at: Date | null }>;
    expect(leaks).toHaveLength(LEAKS);
    for (const status of ['open', 'fixed', 'false_positive']) expect(leaks.some((l) => l.status === status)).toBe(true);
    expect(leaks.some((l) => l.virtual_patch)).toBe(true);
    expect(leaks.some((l) => l.sightings > 1)).toBe(true);
    expect(leaks.some((l) => l.attempts > 0)).toBe(true);
    expect(live.ac_orgs).toHaveLength(3);
    expect(live.ac_api_keys).toHaveLength(6);
    expect((live.ac_domains as Array<{ status: string }>).map((d) => d.status).sort()).toEqual(['pending', 'revoked', 'verified']);
    expect(live.projection_checkpoints).toHaveLength(STORE_RUNNERS.length);
    // The bus-fed read models (stats, token index, leak owners) have rows of every kind too.
    expect(live.st_leaks).toHaveLength(LEAKS);
    expect((live.st_leak_activity as Array<{ kind: string }>).map((a) => a.kind)).toEqual(expect.arrayContaining(['opened', 'fixed', 'false_positive', 'reopened', 'attempt']));
    expect((live.st_leak_decisions as unknown[]).length).toBeGreaterThan(0);
    expect((live.gw_leak_tokens as Array<{ blocked: boolean }>).some((t) => t.blocked)).toBe(true);
    expect((live.gw_leak_tokens as unknown[]).length).toBe(LEAKS - LEAKS / 4); // tokens only, never passwords
    expect((live.nt_leak_orgs as unknown[]).length).toBe(LEAKS - LEAKS / 4); // credentials here have no ingesting org
    expect(live.st_usage_daily).toEqual(expect.arrayContaining([expect.objectContaining({ key_id: 'key-b', requests: 1 + 8 + 15 + 22 })]));
  });

  it('rebuild refuses while a Leakwatch process is live on the database, and changes nothing', async () => {
    const service = new Pool({ connectionString: url, application_name: 'leakwatch-all', max: 1 });
    service.on('error', () => undefined);
    const session = await service.connect(); // what a running Leakwatch looks like in pg_stat_activity
    try {
      const refused = await run(['projections', 'rebuild', '--all'], { DATABASE_URL: url });
      expect(refused.code).toBe(1);
      expect(refused.stderr).toMatch(/Leakwatch is live .*leakwatch-all/);
      expect(refused.stderr).toMatch(/--yes/);
    } finally {
      session.release();
      await service.end();
    }
    expect(await snapshot(pool)).toEqual(live);
  });

  it('rebuild --all --yes gives every table back exactly as the live runners built it', async () => {
    // Damage the read models first, so only a real truncate-and-replay can restore them.
    await pool.query(`UPDATE ll_leaks SET status = 'bogus', revision = 999 WHERE leakid IN (SELECT leakid FROM ll_leaks LIMIT 20)`);
    await pool.query(`DELETE FROM ll_leaks WHERE leakid IN (SELECT leakid FROM ll_leaks ORDER BY leakid DESC LIMIT 5)`);
    await pool.query(`DELETE FROM ac_orgs WHERE name = 'Bravo'`);
    await pool.query(`UPDATE st_leaks SET status = 'fixed', revision = 999 WHERE leakid IN (SELECT leakid FROM st_leaks LIMIT 10)`);
    await pool.query(`DELETE FROM st_leak_decisions WHERE revision = 1`);
    await pool.query(`UPDATE gw_leak_tokens SET blocked = NOT blocked, revision = 999 WHERE leakid IN (SELECT leakid FROM gw_leak_tokens LIMIT 10)`);
    await pool.query(`DELETE FROM nt_leak_orgs WHERE leakid IN (SELECT leakid FROM nt_leak_orgs LIMIT 10)`);
    await pool.query(`UPDATE st_usage_daily SET requests = requests + 100`);
    await pool.query(`INSERT INTO ac_domains (org_id, domain, status, token, claimed_at, revision) VALUES ('x', 'stale.example', 'pending', 't', now(), 0)`);
    expect(await snapshot(pool)).not.toEqual(live);

    const rebuilt = await run(['projections', 'rebuild', '--all', '--yes', '--batch-size', '97'], { DATABASE_URL: url });
    expect(rebuilt.stderr).not.toMatch(/leakwatch:/);
    expect(rebuilt.code ?? 0).toBe(0);
    expect(await snapshot(pool)).toEqual(live);

    for (const runner of RUNNERS) {
      // A runner reads only the stream categories its projections handle (a filtered read).
      const categories = unionFilter(runner.projections)?.streamCategories ?? null;
      const total = Number((await pool.query(`SELECT count(*) AS n FROM es_events WHERE $1::text[] IS NULL OR stream_category = ANY($1)`, [categories])).rows[0].n);
      expect(total).toBeGreaterThan(0);
      expect(rebuilt.stdout).toMatch(new RegExp(`Rebuilt ${runner.name} \\(.*\\): ${total} events .* events/s`));
      // stderr is not a terminal here: one progress line per 10 %, ending at 100 %.
      expect(rebuilt.stderr).toContain(`${runner.name}: 100% (${total}/${total} events)`);
      expect(rebuilt.stderr.split('\n').filter((l) => l.startsWith(`${runner.name}: `)).length).toBeLessThanOrEqual(12);
    }
    // Runners that read the same events (the leak streams) were rebuilt in one pass over the store.
    expect(rebuilt.stdout).toMatch(/Rebuilt leak-lifecycle \(ll_leaks\): .* \(one pass with leak-versions, gateway-tokens, notifications\)/);
    expect(rebuilt.stdout).toMatch(/^All: \d+ events replayed in [\d.]+ s — \d+ events\/s$/m);
  });

  it('rebuild --copy-yardstick also times a raw COPY of the same events and prints the ratio', async () => {
    const result = await run(['projections', 'rebuild', 'leak-lifecycle', '--yes', '--copy-yardstick', '--json'], { DATABASE_URL: url });
    expect(result.code ?? 0).toBe(0);
    type Summary = { events: number; events_per_second: number };
    const { runners, total } = JSON.parse(result.stdout) as { runners: Summary[]; total: Summary & { copy: { events: number; events_per_second: number; ratio: number } } };
    expect(total.events).toBe(runners[0].events);
    expect(total.copy.events).toBe(total.events);
    expect(total.copy.events_per_second).toBeGreaterThan(0);
    expect(total.copy.ratio).toBeCloseTo(total.events_per_second / total.copy.events_per_second, 1);
    expect(await snapshot(pool)).toEqual(live); // the scratch table is gone, the read model untouched
    expect((await pool.query(`SELECT count(*)::int AS n FROM pg_tables WHERE tablename LIKE 'rebuild_copy_yardstick%'`)).rows[0].n).toBe(0);
  });

  it('list shows every runner with its tables, the checkpoint and lag 0 after the rebuild', async () => {
    const json = await run(['projections', 'list', '--json'], { DATABASE_URL: url });
    const { runners } = JSON.parse(json.stdout) as { runners: Array<{ runner: string; lag: number; checkpoint: string; tables: Array<{ name: string; rows: number }> }> };
    expect(runners.map((r) => r.runner)).toEqual(RUNNERS.map((r) => r.name));
    for (const runner of runners) {
      expect(runner.lag).toBe(0);
      const fedByBus = RUNNERS.find((r) => r.name === runner.runner)?.busGroups;
      // A bus-fed read model reports its consumer groups' checkpoint (the least advanced of them).
      if (fedByBus) expect(runner.checkpoint).toMatch(/^\d+\/\d+$/);
      else expect(runner.checkpoint).toBe((live.projection_checkpoints as Array<{ name: string; position: string }>).find((c) => c.name === runner.runner)?.position);
    }
    expect(runners.find((r) => r.runner === 'leak-lifecycle')?.tables).toEqual([{ name: 'll_leaks', rows: LEAKS }]);

    const text = await run(['projections', 'list'], { DATABASE_URL: url });
    expect(text.stdout).toMatch(/leak-lifecycle\s+ll_leaks \(200\)\s+\d+\/\d+\s+0 \(up to date\)/);
    expect(text.stdout).toMatch(/access-control\s+ac_orgs \(3\), ac_api_keys \(6\), ac_domains \(3\)\s+\d+\/\d+\s+0 \(up to date\)/);
  });

  it('list reports the lag of events not yet projected (only the events a runner reads)', async () => {
    const store = await PostgresEventStore.create(pool);
    await store.appendToStream(`org-${randomUUID()}`, [{ id: randomUUID(), type: 'OrganizationCreated', data: { org_id: 'late', name: 'Late' } }], { expectedRevision: 'no_stream' });
    await store.close();
    const { runners } = JSON.parse((await run(['projections', 'list', '--json'], { DATABASE_URL: url })).stdout) as { runners: Array<{ lag: number }> };
    // An organisation event: access-control reads it, leak-lifecycle's filtered read never will.
    expect(runners.map((r) => r.lag)).toEqual(RUNNERS.map((r) => (r.name === 'access-control' ? 1 : 0)));
  });

  it('rebuild over a store with a poison LeakDetected (source []) finishes, parks it and says so, and projects the leaks after it', async () => {
    // Issue 15.1: `rebuild` failed on the same event the live projection had stopped on. The event as an old
    // API version stored it (before the validation was fixed), written straight to the store; a leak after it.
    const store = await PostgresEventStore.create(pool);
    const poison = md5(`poison-${randomUUID()}`);
    const after = md5(`after-${randomUUID()}`);
    const finding = (leakid: string) => ({
      leakid, kind: 'token' as const, secret_type: 'github-pat', fingerprint: sha256(`secret-${leakid}`), preview: 'ghp_…(40)', identity: null, site: null,
      org_id: randomUUID(), source: { name: 'gitleaks' }, risk: 'high' as const, blockable: true, finding_id: randomUUID(),
    });
    const poisonId = randomUUID();
    await store.appendToStream(leakStream(poison), [{ id: poisonId, type: 'LeakDetected', data: { ...finding(poison), source: [], detected_at: at(9000) } }], { expectedRevision: 'no_stream' });
    const outcome = await decideAndAppend(store, leakStream(after), leakAggregate, { type: 'RecordFinding', finding: finding(after), at: at(9001) }, {});
    expect(outcome.result.ok).toBe(true);
    await store.close();

    const rebuilt = await run(['projections', 'rebuild', 'leak-lifecycle', '--yes'], { DATABASE_URL: url });
    expect(rebuilt.stderr).not.toMatch(/leakwatch:/);
    expect(rebuilt.code ?? 0).toBe(0);
    expect(rebuilt.stdout).toMatch(/Rebuilt leak-lifecycle \(ll_leaks\): /);
    expect(rebuilt.stdout).toMatch(/^ {2}1 event parked, not applied: leakwatch events parked list --consumer projection:leak-lifecycle$/m);

    const leakids = (await pool.query<{ leakid: string }>(`SELECT leakid FROM ll_leaks`)).rows.map((r) => r.leakid);
    expect(leakids).toHaveLength(LEAKS + 1);
    expect(leakids).toContain(after);
    expect(leakids).not.toContain(poison);
    const parked = await new ParkedEvents(pool).list({ consumer: 'projection:leak-lifecycle' });
    expect(parked).toEqual([expect.objectContaining({ event_id: poisonId, event_type: 'LeakDetected', stream_id: leakStream(poison), state: 'parked' })]);
    expect(parked[0].error).toMatch(/source/);
  }, 240_000);

  it('rebuild names unknown runners, and --help explains the race with a live process', async () => {
    const unknown = await run(['projections', 'rebuild', 'nope'], { DATABASE_URL: url });
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/unknown runner "nope" \(runners: leak-lifecycle, access-control, leak-versions, stats, gateway-tokens, notifications\)/);
    const help = await run(['projections', 'rebuild', '--help']);
    expect(help.stdout).toMatch(/--all/);
    expect(help.stdout).toMatch(/--yes/);
    expect(help.stdout).toMatch(/race/);
  });
});
