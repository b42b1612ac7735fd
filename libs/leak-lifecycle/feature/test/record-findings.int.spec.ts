/**
 * A page of findings against real PostgreSQL: one multi-stream append; a user's decision on one of the
 * page's leaks between the load and the append is a conflict, and the page is decided again (nothing lost,
 * nothing twice); a redelivered page, or a page mixing recorded and new findings, writes only what is new.
 */
import { randomUUID } from 'node:crypto';
import type { FindingReceivedV1 } from '@leakwatch/contracts';
import { EventStore, PostgresEventStore, decideAndAppend } from '@leakwatch/event-store';
import { leakAggregate, leakStream } from '@leakwatch/leak-lifecycle/domain';
import { startThrowawayPostgres, ThrowawayPostgres } from '@leakwatch/testing';
import { FindingMessage, recordFindings } from '../src/application/record-findings';

const leakid = () => randomUUID().replace(/-/g, '');
const message = (id: string, at = '2026-01-01T00:00:00.000Z'): FindingMessage => {
  const finding: FindingReceivedV1 = {
    finding_id: randomUUID(), leakid: id, kind: 'token', secret_type: 'github-pat', fingerprint: 'f'.repeat(64), preview: 'ghp_…(40)',
    identity: null, site: null, org_id: 'o1', source: { name: 'gitleaks' }, risk: 'high', blockable: true, location: null, found_at: at,
  };
  return { id: randomUUID(), finding, metadata: { occurred_at: at, actor: { role: 'system' } } };
};

describe('recording a page of findings', () => {
  let pg: ThrowawayPostgres;
  let store: PostgresEventStore;
  beforeAll(async () => {
    pg = await startThrowawayPostgres();
    store = await PostgresEventStore.create(await pg.newPool('record_findings'));
  });
  afterAll(async () => {
    await store?.close();
    await pg?.stop();
  });
  const types = async (id: string) => (await store.readStream(leakStream(id))).map((e) => e.type);

  it('appends every leak of the page in one multi-stream append', async () => {
    const ids = [leakid(), leakid(), leakid()];
    let appendCalls = 0;
    const counting = Object.create(store, { appendToStreams: { value: (a: Parameters<EventStore['appendToStreams']>[0]) => (appendCalls++, store.appendToStreams(a)) } }) as EventStore;
    const result = await recordFindings(counting, [...ids.map((id) => message(id)), message(ids[0], '2026-01-02T00:00:00.000Z')]);
    expect(result).toEqual({ appended: 4, attempts: 1 });
    expect(appendCalls).toBe(1);
    expect(await types(ids[0])).toEqual(['LeakDetected', 'LeakSighted']);
    expect(await types(ids[2])).toEqual(['LeakDetected']);
  });

  it('a concurrent user decision on one leak of the page is a conflict: the page is decided again, nothing lost or doubled', async () => {
    const existing = leakid();
    await recordFindings(store, [message(existing)]);
    const fresh = leakid();
    let interfered = false;
    // The "user": changes the existing leak's status right after the page loaded its streams, before it appends.
    const racing = Object.create(store, {
      appendToStreams: {
        value: async (appends: Parameters<EventStore['appendToStreams']>[0]) => {
          if (!interfered) {
            interfered = true;
            await decideAndAppend(store, leakStream(existing), leakAggregate, { type: 'ChangeStatus', to: 'false_positive' }, { actor: { role: 'admin' } });
          }
          return store.appendToStreams(appends);
        },
      },
    }) as EventStore;
    const page = [message(fresh), message(existing, '2026-01-03T00:00:00.000Z')];
    const result = await recordFindings(racing, page);
    expect(result.attempts).toBe(2);
    expect(await types(existing)).toEqual(['LeakDetected', 'LeakStatusChanged', 'LeakSighted']);
    expect(await types(fresh)).toEqual(['LeakDetected']);

    // Redelivery of the same page: a no-op.
    expect(await recordFindings(store, page)).toEqual({ appended: 0, attempts: 1 });
    expect(await types(existing)).toEqual(['LeakDetected', 'LeakStatusChanged', 'LeakSighted']);
  });

  it('a redelivered page with new findings in it writes only the new ones', async () => {
    const id = leakid();
    const first = message(id);
    await recordFindings(store, [first]);
    const second = message(id, '2026-01-05T00:00:00.000Z');
    const other = leakid();
    expect(await recordFindings(store, [first, second, message(other)])).toEqual({ appended: 2, attempts: 1 });
    expect(await types(id)).toEqual(['LeakDetected', 'LeakSighted']);
    expect(await types(other)).toEqual(['LeakDetected']);
  });
});
