/**
 * Bulk decisions are all or nothing (issue 15.5), against real PostgreSQL: one multi-stream append; a
 * concurrent change of one leak writes nothing and the decision is taken again; a concurrent change that
 * makes the decision impossible (a leak fixed under a bulk virtual patch) answers 409 with nothing changed.
 */
import { randomUUID } from 'node:crypto';
import type { Caller } from '@leakwatch/authz';
import type { FindingReceivedV1 } from '@leakwatch/contracts';
import { EventStore, PostgresEventStore, decideAndAppend } from '@leakwatch/event-store';
import { leakAggregate, leakDecider, leakStream } from '@leakwatch/leak-lifecycle/domain';
import { startThrowawayPostgres, ThrowawayPostgres } from '@leakwatch/testing';
import { DecideOnLeaksCommand, DecideOnLeaksHandler, DecisionRefusal } from '../src/application/decide-on-leaks';
import { decisionProblem } from '../src/http/decision-problems';
import type { LeaksProjectionRunner } from '../src/application/leaks-projection-runner';
import { recordFindings } from '../src/application/record-findings';
import { leaksProjection } from '../src/read-model/leaks.projection';

const admin: Caller = { keyId: 'k1', role: 'admin', orgId: 'o1', verifiedDomains: [] };
const noReadModel = { caughtUpTo: async () => undefined } as unknown as LeaksProjectionRunner;

describe('bulk decisions: all or nothing', () => {
  let pg: ThrowawayPostgres;
  let store: PostgresEventStore;
  beforeAll(async () => {
    pg = await startThrowawayPostgres();
    store = await PostgresEventStore.create(await pg.newPool('bulk'));
  });
  const outerStore = () => store;
  afterAll(async () => {
    await store?.close();
    await pg?.stop();
  });

  async function leaks(n: number, into: EventStore = store): Promise<string[]> {
    const ids = Array.from({ length: n }, () => randomUUID().replace(/-/g, ''));
    await recordFindings(
      into,
      ids.map((leakid) => {
        const finding: FindingReceivedV1 = {
          finding_id: randomUUID(), leakid, kind: 'token', secret_type: 'github-pat', fingerprint: 'f'.repeat(64), preview: 'ghp_…', identity: null,
          site: null, org_id: 'o1', source: { name: 'gitleaks' }, risk: 'high', blockable: true, location: null, found_at: '2026-01-01T00:00:00.000Z',
        };
        return { id: randomUUID(), finding, metadata: {} };
      }),
    );
    return ids;
  }
  /** A store whose first multi-stream append is preceded by someone else's decision on `leakid`. */
  function racing(leakid: string, command: Parameters<typeof leakDecider.decide>[0]): { store: EventStore; calls: () => number } {
    let calls = 0;
    const proxy = Object.create(store, {
      appendToStreams: {
        value: async (appends: Parameters<EventStore['appendToStreams']>[0]) => {
          if (calls++ === 0) await decideAndAppend(store, leakStream(leakid), leakAggregate, command, { actor: { role: 'admin' } });
          return store.appendToStreams(appends);
        },
      },
    }) as EventStore;
    return { store: proxy, calls: () => calls };
  }
  const statuses = async (ids: string[]) => Promise.all(ids.map(async (id) => (await store.readStream(leakStream(id))).map((e) => e.type)));

  it('changes every leak in one append; a concurrent change of one is retried, never lost', async () => {
    const ids = await leaks(50);
    const race = racing(ids[7], { type: 'SetVirtualPatch', enabled: true });
    const handler = new DecideOnLeaksHandler(race.store, noReadModel);
    const answer = await handler.execute(new DecideOnLeaksCommand(admin, ids, { kind: 'status', status: 'false_positive' }));
    expect(answer).toMatchObject({ ok: true, value: { updated: 50, unchanged: 0 } });
    expect(race.calls()).toBe(2); // the first append conflicted and wrote nothing; the second wrote all 50
    const streams = await statuses(ids);
    expect(streams[7]).toEqual(['LeakDetected', 'VirtualPatchApplied', 'LeakStatusChanged', 'VirtualPatchRemoved']);
    expect(streams.filter((s, i) => i !== 7).every((s) => s.join() === 'LeakDetected,LeakStatusChanged')).toBe(true);
  });

  // Events next to the read model (as deployed): the rows go in the append's own statement and transaction. Events
  // in another database: the statement cannot run there, so the handler appends alone and updates the rows after.
  it.each([['next to the read model', true], ['in another database', false]])('answers once the read model shows the change, without waiting for a runner stuck behind a backlog (events %s)', async (_where, together) => {
    const pool = await pg.newPool('bulk_inline');
    const store = together ? await PostgresEventStore.create(pool) : outerStore();
    const client = await pool.connect();
    try {
      await leaksProjection.setup(client);
      const ids = await leaks(20, store);
      const streams = await store.readStreams(ids.map(leakStream));
      await leaksProjection.applyPage?.([...streams.values()].flat(), client); // the runner is up to date so far
      // One row lags behind the store (the runner has not applied its sighting yet): that one must wait.
      const lagging = ids[3];
      await recordFindings(store, [{ id: randomUUID(), finding: { ...(await store.readStream(leakStream(lagging)))[0].data as FindingReceivedV1, finding_id: randomUUID() }, metadata: {} }]);
      let waited = 0;
      const stuck = { caughtUpTo: async () => void waited++ } as unknown as LeaksProjectionRunner;
      const handler = new DecideOnLeaksHandler(store, stuck, pool);
      const answer = await handler.execute(new DecideOnLeaksCommand(admin, ids.filter((id) => id !== lagging), { kind: 'status', status: 'fixed' }));
      expect(answer).toMatchObject({ ok: true, value: { updated: 19 } });
      expect(waited).toBe(0); // every row was at the decided revision: applied with the decision, no wait
      const { rows } = await client.query(`SELECT count(*)::int AS n FROM ll_leaks WHERE status = 'fixed' AND fixed_at IS NOT NULL AND leakid = ANY($1)`, [ids]);
      expect(rows[0].n).toBe(19);
      // Where they can, the rows were written by the append's own transaction (no commit of their own).
      const { rows: same } = await client.query(
        `SELECT count(*)::int AS n FROM ll_leaks l JOIN es_events e ON e.stream_id = 'leak-' || l.leakid AND e.stream_revision = l.revision
          WHERE l.leakid = ANY($1) AND l.xmin::text::numeric = e.transaction_id::text::numeric % 4294967296`,
        [ids],
      ).catch(() => ({ rows: [{ n: 0 }] }));
      expect(same[0].n).toBe(together ? 19 : 0);

      await handler.execute(new DecideOnLeaksCommand(admin, [lagging], { kind: 'virtual_patch', enabled: true }));
      expect(waited).toBe(1); // its row was behind: the answer waited for the runner instead
      expect((await client.query(`SELECT virtual_patch FROM ll_leaks WHERE leakid = $1`, [lagging])).rows[0].virtual_patch).toBe(false);
    } finally {
      client.release();
      if (together) await store.close();
      await pool.end();
    }
  });

  it('a concurrent change that makes the decision impossible answers 409 and changes nothing', async () => {
    const ids = await leaks(100);
    const race = racing(ids[42], { type: 'ChangeStatus', to: 'fixed' });
    const handler = new DecideOnLeaksHandler(race.store, noReadModel);
    const outcome = await handler.execute(new DecideOnLeaksCommand(admin, ids, { kind: 'virtual_patch', enabled: true }));
    expect(outcome).toEqual({ ok: false, refusal: 'not_decidable', reason: 'not_open', leakids: [ids[42]] });
    // At the edge: 409, saying nothing was changed.
    const problem = decisionProblem(outcome as DecisionRefusal);
    expect(problem.getStatus()).toBe(409);
    expect(JSON.stringify(problem.getResponse())).toMatch(/leak-not-open.*Nothing was changed/);
    const streams = await statuses(ids);
    expect(streams.filter((s) => s.includes('VirtualPatchApplied'))).toHaveLength(0); // not one patch applied
    expect(streams[42]).toEqual(['LeakDetected', 'LeakStatusChanged']);
  });
});
