/**
 * The organisation as of any moment (issue 14.1), over real HTTP against `npm start`'s process: two
 * organisations' admins build a random history (leaks from several sources and risks, status changes, reopens,
 * virtual patches on and off, duplicates — sightings, regressions of fixed leaks — and blocked token checks);
 * then, at random instants between the stored events, `GET /api/v1/leaks?as_of=` (every item, total, summary,
 * filters, pages, export) and `GET /api/v1/stats/leaks?as_of=` must equal a fold of the stored events with the
 * domain's own replay (`leakAsOf`, the same fold `GET /api/v1/leaks/{id}?as_of=` uses). Each organisation sees
 * only its own leaks at every instant; malformed or future `as_of` values are a 400 naming the parameter.
 * The seed of the random history is printed, and `AS_OF_SEED=<n>` replays it.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Client } from 'pg';
import { LeakAsOfView, TimedEvent, leakAsOf } from '@leakwatch/leak-lifecycle/feature';
import { eventually, seededRandom } from '@leakwatch/testing';
import { E2E_ADMIN_KEY, E2e, startE2e } from './support/e2e-harness';

const SOURCES = ['github', 'pastebin', 'gist'];
const RISKS = ['critical', 'high', 'medium', 'low'];
const STATUSES = ['open', 'fixed', 'false_positive'];
const SEED = Number(process.env.AS_OF_SEED ?? Date.now() % 1_000_000);


interface Org {
  id: string;
  key: string;
  leaks: Array<{ leakid: string; token: string }>;
}

type Folded = LeakAsOfView;

describe('as_of on lists and statistics (e2e)', () => {
  let e2e: E2e;
  const orgs: Org[] = [];
  /** Every leak's stored events, read from the event store's table after the history was made. */
  let streams: Map<string, TimedEvent[]>;
  let instants: string[];
  const rand = seededRandom(SEED);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rand() * items.length)];
  const call: E2e['call'] = (...args) => e2e.call(...args);

  /** The fold: every leak's state at `t` from its stored events (leakAsOf), those of `org` only. */
  const foldAt = (t: string, org: string): Folded[] =>
    [...streams.values()].map((events) => leakAsOf(events, t)).filter((v): v is Folded => v !== undefined && v.org_id === org);
  const newestFirst = (a: { first_seen: string; leakid: string }, b: { first_seen: string; leakid: string }) =>
    b.first_seen.localeCompare(a.first_seen) || b.leakid.localeCompare(a.leakid);
  const asItem = ({ as_of: _asOf, ...view }: Folded) => ({ ...view, type: 'organization' });
  const q = (t: string) => encodeURIComponent(t);

  async function readStoredLeakEvents(): Promise<Map<string, TimedEvent[]>> {
    const dir = path.join(e2e.app.dataDir, 'postgres');
    const port = Number(readFileSync(path.join(dir, 'pgdata', 'postmaster.pid'), 'utf8').split('\n')[3]);
    const password = readFileSync(path.join(dir, 'pg-password'), 'utf8').trim();
    const client = new Client({ host: '127.0.0.1', port, user: 'postgres', password, database: 'leakwatch' });
    await client.connect();
    try {
      const { rows } = await client.query<{ stream_id: string; stream_revision: string; event_type: string; data: unknown; time: string }>(
        `SELECT stream_id, stream_revision, event_type, data, COALESCE(metadata->>'occurred_at', to_char(recorded_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')) AS time
           FROM es_events WHERE stream_id LIKE 'leak-%' ORDER BY stream_id, stream_revision`,
      );
      const byStream = new Map<string, TimedEvent[]>();
      for (const r of rows) {
        const events = byStream.get(r.stream_id) ?? [];
        events.push({ type: r.event_type, data: r.data, revision: Number(r.stream_revision), time: r.time });
        byStream.set(r.stream_id, events);
      }
      return byStream;
    } finally {
      await client.end();
    }
  }

  const visible = (org: Org, leakid: string) =>
    eventually(`leak ${leakid} listed`, () => call('GET', `/api/v1/leaks/${leakid}`, org.key), (r) => r.status === 200);

  beforeAll(async () => {
    console.log(`as_of e2e: random history seed ${SEED} (AS_OF_SEED=${SEED} replays it)`);
    e2e = await startE2e();
    for (const name of ['Acme', 'Bravo']) {
      const id = (await call('POST', '/api/v1/orgs', E2E_ADMIN_KEY, { name })).body.org_id as string;
      const key = (await call('POST', '/api/v1/api-keys', E2E_ADMIN_KEY, { name: `${name} admin`, role: 'admin', org_id: id })).body.key as string;
      orgs.push({ id, key, leaks: [] });
    }
    // Leaks in a few batches (one source and risk each), so first_seen differs between batches.
    for (const org of orgs) {
      for (let batch = 0; batch < 3; batch++) {
        const tokens = Array.from({ length: 2 + Math.floor(rand() * 2) }, () => `ghp_${randomBytes(18).toString('hex')}`);
        const added = await call('POST', '/api/v1/leaks', org.key, { source: { name: pick(SOURCES) }, risk: pick(RISKS), tokens: tokens.map((value) => ({ value })) });
        expect(added.status).toBe(201);
        (added.body.leakids as string[]).forEach((leakid, i) => org.leaks.push({ leakid, token: tokens[i] }));
      }
      for (const leak of org.leaks) await visible(org, leak.leakid);
    }
    // A random walk of decisions, duplicates and blocked checks across both organisations.
    let sightings = 0;
    let attempts = 0;
    for (let step = 0; step < 40; step++) {
      const org = pick(orgs);
      const leak = pick(org.leaks);
      const action = rand();
      if (action < 0.4) {
        expect((await call('POST', '/api/v1/leaks/status', org.key, { leakid: leak.leakid, status: pick(STATUSES), comment: `step ${step}` })).status).toBe(200);
      } else if (action < 0.65) {
        // Only an open leak can be patched: 409 otherwise, and nothing happens.
        expect([200, 409]).toContain((await call('POST', '/api/v1/leaks/virtual-patch', org.key, { leakid: leak.leakid, enabled: rand() < 0.7 })).status);
      } else if (action < 0.85) {
        // Seen again (a sighting; a fixed leak reopens): applied asynchronously, like any finding.
        expect((await call('POST', '/api/v1/leaks', org.key, { source: { name: pick(SOURCES) }, tokens: [{ value: leak.token }] })).status).toBe(201);
        sightings++;
      } else {
        // A presented token: a patched leak records an attempt (batched, off the request path).
        const check = await call('POST', '/api/v1/tokens/check', org.key, { token: leak.token });
        expect(check.status).toBe(200);
        if (check.body.blocked) attempts++;
      }
    }
    // Settled: every finding became an event, and both temporal read models show the newest revision of every leak.
    const now = () => new Date().toISOString();
    // Attempts count by their events' `count` (a gateway folds repeats within a flush window into one event).
    const count = (type: string) => [...streams.values()].flat().filter((e) => e.type === type).reduce((n, e) => n + ((e.data as { count?: number }).count ?? 1), 0);
    await eventually(`${sightings} sightings and ${attempts} blocked uses recorded`, async () => {
      streams = await readStoredLeakEvents();
      return count('LeakSighted') === sightings && count('LeakedTokenUseAttempted') === attempts;
    });
    for (const org of orgs) {
      await eventually(`${org.id}: the list as of now carries every leak's latest revision`, async () => {
        streams = await readStoredLeakEvents();
        const list = await call('GET', `/api/v1/leaks?limit=500&as_of=${q(now())}`, org.key);
        const expected = new Map(foldAt(now(), org.id).map((v) => [v.leakid, v.revision]));
        return list.status === 200 && list.body.items.length === expected.size && list.body.items.every((i: Folded) => expected.get(i.leakid) === i.revision);
      });
      await eventually(`${org.id}: statistics as of now settled`, async () => {
        const [past, today] = await Promise.all([call('GET', `/api/v1/stats/leaks?as_of=${q(now())}`, org.key), call('GET', '/api/v1/stats/leaks', org.key)]);
        return JSON.stringify([past.body.by_status, past.body.virtual_patched, past.body.by_source]) === JSON.stringify([today.body.by_status, today.body.virtual_patched, today.body.by_source]);
      });
    }
    streams = await readStoredLeakEvents();
    // Instants: before anything, every event's own time (inclusive bound), between events, and now.
    const times = [...new Set([...streams.values()].flat().map((e) => Date.parse(e.time)))].sort((a, b) => a - b);
    const between = times.slice(1).map((t, i) => Math.floor((times[i] + t) / 2)).filter((t) => !times.includes(t));
    const sample = (xs: number[], n: number) => [...xs].sort(() => rand() - 0.5).slice(0, n);
    instants = [times[0] - 60_000, ...sample(times, 6), ...sample(between, 10), Date.now()].map((t) => new Date(t).toISOString());
  }, 180_000);

  afterAll(async () => e2e?.stop());

  it('the history is varied enough to test something (several statuses, patches, sightings, reopens)', () => {
    const types = [...streams.values()].flat().map((e) => e.type);
    expect(streams.size).toBeGreaterThanOrEqual(8);
    expect(types.filter((t) => t === 'LeakStatusChanged').length).toBeGreaterThanOrEqual(5);
    expect(types).toContain('LeakSighted');
  });

  it('GET /api/v1/leaks?as_of= lists exactly the folded leaks of the caller\'s organisation (every field, total, summary)', async () => {
    for (const org of orgs) {
      for (const t of instants) {
        const expected = foldAt(t, org.id).sort(newestFirst).map(asItem);
        const list = await call('GET', `/api/v1/leaks?limit=500&as_of=${q(t)}`, org.key);
        expect(list.status).toBe(200);
        expect({ t, items: list.body.items }).toEqual({ t, items: expected });
        expect(list.body.total).toBe(expected.length);
        expect(list.body.summary).toEqual({ personal: 0, employee: 0, customer: 0, organization: expected.length });
      }
    }
  });

  it('before the organisation had any leak: an empty page, not a 404', async () => {
    const list = await call('GET', `/api/v1/leaks?as_of=${q(instants[0])}`, orgs[0].key);
    expect(list.status).toBe(200);
    expect(list.body).toMatchObject({ items: [], total: 0, next_cursor: null, summary: { personal: 0, employee: 0, customer: 0, organization: 0 } });
  });

  it('filters, type and the per-type summary apply as of then', async () => {
    for (const org of orgs) {
      for (const t of instants) {
        const folded = foldAt(t, org.id);
        const cases: Array<[string, (v: Folded) => boolean]> = [
          ...STATUSES.map((s): [string, (v: Folded) => boolean] => [`status=${s}`, (v) => v.status === s]),
          ['virtual_patch=true', (v) => v.virtual_patch],
          ['virtual_patch=false', (v) => !v.virtual_patch],
          ...SOURCES.map((s): [string, (v: Folded) => boolean] => [`source=${s}`, (v) => v.sources.includes(s)]),
          ...RISKS.map((r): [string, (v: Folded) => boolean] => [`risk=${r}`, (v) => v.risk === r]),
          ['status=open&virtual_patch=true', (v) => v.status === 'open' && v.virtual_patch],
        ];
        for (const [filter, keep] of cases) {
          const expected = folded.filter(keep).sort(newestFirst).map((v) => v.leakid);
          const list = await call('GET', `/api/v1/leaks?limit=500&${filter}&as_of=${q(t)}`, org.key);
          expect({ t, filter, ids: list.body.items.map((i: Folded) => i.leakid), total: list.body.total, summary: list.body.summary.organization })
            .toEqual({ t, filter, ids: expected, total: expected.length, summary: expected.length });
        }
        // A type filter narrows the page and total; the summary still counts every type.
        const personal = await call('GET', `/api/v1/leaks?type=personal&as_of=${q(t)}`, org.key);
        expect(personal.body).toMatchObject({ items: [], total: 0, summary: { organization: folded.length } });
      }
    }
  });

  it('pages keep the as_of: next_cursor and Link walk the same moment to the end', async () => {
    const org = orgs[0];
    const t = instants[instants.length - 2];
    const expected = foldAt(t, org.id).sort(newestFirst).map((v) => v.leakid);
    const seen: string[] = [];
    let next: string | undefined = `/api/v1/leaks?limit=2&as_of=${q(t)}`;
    while (next) {
      const page = await call('GET', next, org.key);
      expect(page.status).toBe(200);
      seen.push(...page.body.items.map((i: Folded) => i.leakid));
      const link = page.headers.get('link');
      if (page.body.next_cursor) {
        expect(link).toContain(`as_of=${q(t)}`);
        next = /<([^>]+)>; rel="next"/.exec(link ?? '')?.[1];
      } else {
        expect(link).toBeNull();
        next = undefined;
      }
    }
    expect(seen).toEqual(expected);
  });

  it('the export takes as_of with the same filters', async () => {
    const org = orgs[1];
    for (const t of instants.slice(-4)) {
      const expected = foldAt(t, org.id).filter((v) => v.status !== 'open').sort(newestFirst).map((v) => v.leakid);
      const fixed = await call('GET', `/api/v1/leaks/export?format=ndjson&status=fixed&as_of=${q(t)}`, org.key);
      const falsePositive = await call('GET', `/api/v1/leaks/export?format=ndjson&status=false_positive&as_of=${q(t)}`, org.key);
      const lines = (text: string | undefined) => (text ?? '').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Folded);
      const exported = [...lines(fixed.body), ...lines(falsePositive.body)].sort(newestFirst);
      expect(exported.map((l) => l.leakid)).toEqual(expected);
      for (const line of exported) expect(line.status).toBe(foldAt(t, org.id).find((v) => v.leakid === line.leakid)?.status);
    }
  });

  it('GET /api/v1/stats/leaks?as_of= counts the folded leaks of the caller\'s organisation', async () => {
    for (const org of orgs) {
      for (const t of instants) {
        const folded = foldAt(t, org.id);
        const count = (keys: readonly string[], of: (v: Folded) => string, among = folded) => Object.fromEntries(keys.map((k) => [k, among.filter((v) => of(v) === k).length]));
        const bySource = (among: Folded[]) => {
          const counts: Record<string, number> = {};
          for (const v of among) for (const s of v.sources) counts[s] = (counts[s] ?? 0) + 1;
          return counts;
        };
        const open = folded.filter((v) => v.status === 'open');
        const stats = await call('GET', `/api/v1/stats/leaks?as_of=${q(t)}`, org.key);
        expect(stats.status).toBe(200);
        expect({ t, ...stats.body, per_day: undefined, mean_time_to_fix: undefined }).toEqual({
          t,
          window: { days: 30, from: expect.any(String), to: t.slice(0, 10) },
          total: folded.length,
          virtual_patched: folded.filter((v) => v.virtual_patch).length,
          by_status: count(STATUSES, (v) => v.status),
          by_risk: count(RISKS, (v) => v.risk),
          by_type: { personal: 0, employee: 0, customer: 0, organization: folded.length },
          by_source: bySource(folded),
          open_by_risk: count(RISKS, (v) => v.risk, open),
          open_by_type: { personal: 0, employee: 0, customer: 0, organization: open.length },
          open_by_source: bySource(open),
          per_day: undefined,
          mean_time_to_fix: undefined,
        });
      }
    }
  });

  it('no organisation sees another\'s leaks at any moment; a global admin sees both', async () => {
    const [a, b] = orgs;
    const ids = (org: Org) => new Set(org.leaks.map((l) => l.leakid));
    for (const t of instants) {
      const listA = await call('GET', `/api/v1/leaks?limit=500&as_of=${q(t)}`, a.key);
      const listB = await call('GET', `/api/v1/leaks?limit=500&as_of=${q(t)}`, b.key);
      expect(listA.body.items.filter((i: Folded) => ids(b).has(i.leakid))).toEqual([]);
      expect(listB.body.items.filter((i: Folded) => ids(a).has(i.leakid))).toEqual([]);
      const all = await call('GET', `/api/v1/leaks?limit=500&as_of=${q(t)}`, E2E_ADMIN_KEY);
      expect(all.body.total).toBe(foldAt(t, a.id).length + foldAt(t, b.id).length);
      // Searching for the other organisation's leak id finds nothing, then or now.
      const probe = await call('GET', `/api/v1/leaks?q=${b.leaks[0].leakid}&as_of=${q(t)}`, a.key);
      expect(probe.body.total).toBe(0);
    }
  });

  it('a malformed or future as_of is a 400 problem naming as_of, on the list, the export and the statistics', async () => {
    const future = new Date(Date.now() + 3_600_000).toISOString();
    for (const value of ['yesterday', '2026-13-01', '2026-11-25T10:00', '1700000000', future]) {
      for (const route of ['/api/v1/leaks', '/api/v1/leaks/export', '/api/v1/stats/leaks']) {
        const answer = await call('GET', `${route}?as_of=${q(value)}`, orgs[0].key);
        expect({ value, route, status: answer.status, type: answer.type }).toEqual({ value, route, status: 400, type: expect.stringContaining('application/problem+json') });
        expect(JSON.stringify(answer.body.errors ?? answer.body.detail)).toContain('as_of');
      }
    }
  });
});
