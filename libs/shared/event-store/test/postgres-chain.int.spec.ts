/**
 * Tamper evidence of the PostgreSQL store (issue 14.3): events written through the store, then rows of
 * es_events edited, deleted, swapped and moved with SQL, as an intruder with database access would — and
 * `verifyEventChain` must name the first event touched, precisely. An untouched store verifies clean; a store
 * from before the chain reports its old events as unchained.
 */
import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import { startThrowawayPostgres, ThrowawayPostgres } from '@leakwatch/testing';
import { eventHash, PostgresEventStore, verifyEventChain } from '../src';
import type { ExportEventRow } from '../src/audit/audit-export-file';
import { CHAIN_COLUMNS, toHashedEvent } from '../src/postgres/chain-verifier';

let pg: ThrowawayPostgres;
beforeAll(async () => {
  pg = await startThrowawayPostgres();
});
afterAll(async () => pg?.stop());

const event = (type: string, data: unknown = { n: Math.random(), text: 'ü ✓ "quoted"\n', nested: { b: 1, a: [1.50, 2e3, null] } }) => ({ id: randomUUID(), type, data, metadata: { correlation_id: 'tester' } });

/** A fresh store with three streams of four events each, appended singly and as batches (multi-stream too). */
async function seeded(): Promise<{ pool: Pool; store: PostgresEventStore; streams: string[] }> {
  const pool = await pg.newPool('chain');
  const store = await PostgresEventStore.create(pool);
  const streams = ['leak', 'leak', 'apikey'].map((c) => `${c}-${randomUUID()}`);
  await store.appendToStream(streams[0], [event('A'), event('B')], { expectedRevision: 'no_stream' });
  await store.appendToStreams([
    { streamId: streams[1], events: [event('A'), event('B')], expectedRevision: 'no_stream' },
    { streamId: streams[2], events: [event('K')], expectedRevision: 'no_stream' },
  ]);
  for (const stream of streams) {
    await store.appendToStream(stream, [event('C')], { expectedRevision: 'any' });
    await store.appendToStream(stream, [event('D')], { expectedRevision: 'any' });
  }
  await store.appendToStream(streams[2], [event('E')], { expectedRevision: 'any' });
  return { pool, store, streams };
}

const position = async (pool: Pool, stream: string, revision: number) =>
  (await pool.query<{ gp: string }>(`SELECT global_position::text AS gp FROM es_events WHERE stream_id = $1 AND stream_revision = $2`, [stream, revision])).rows[0].gp;

describe('PostgreSQL event chain', () => {
  it('an untouched store verifies clean, and TypeScript recomputes every hash PostgreSQL wrote', async () => {
    const { pool, store } = await seeded();
    const report = await verifyEventChain(pool);
    expect(report).toMatchObject({ streams: 3, events: 12, chained: 12, unchained: 0, problems: [], problemCount: 0, checkpoints: { written: 1 } });
    const { rows } = await pool.query<ExportEventRow>(`SELECT ${CHAIN_COLUMNS} FROM es_events ORDER BY stream_id, stream_revision`);
    let prev: { stream: string; hash: string } | undefined;
    for (const row of rows) {
      const link = prev?.stream === row.stream_id ? prev.hash : null;
      expect(eventHash(toHashedEvent(row), link)).toBe(row.hash);
      prev = { stream: row.stream_id, hash: row.hash as string };
    }
    // A second pass checks the checkpoint it wrote and still finds nothing.
    expect(await verifyEventChain(pool)).toMatchObject({ problems: [], checkpoints: { checked: 1, written: 0 } });
    await store.close();
  });

  it('events inserted without es_append (the ingest publishes with one INSERT) chain too', async () => {
    const { pool } = await seeded();
    const stream = `finding-${randomUUID()}`;
    await pool.query(
      `INSERT INTO es_events (stream_id, stream_revision, event_id, event_type, schema_version, data, metadata)
       SELECT $1, n, gen_random_uuid(), 'FindingReceived', 1, jsonb_build_object('n', n), '{}' FROM generate_series(0, 4) n ORDER BY n`,
      [stream],
    );
    expect((await pool.query(`SELECT count(*)::int AS n FROM es_events WHERE event_hash IS NULL`)).rows[0].n).toBe(0);
    expect(await verifyEventChain(pool)).toMatchObject({ events: 17, chained: 17, problems: [] });
  });

  const tampering: Array<[string, (pool: Pool, streams: string[]) => Promise<{ kind: string; stream: number; revision: number }>]> = [
    ['edited data', async (pool, s) => {
      await pool.query(`UPDATE es_events SET data = jsonb_set(data, '{n}', '0') WHERE stream_id = $1 AND stream_revision = 2`, [s[1]]);
      return { kind: 'changed', stream: 1, revision: 2 };
    }],
    ['edited metadata', async (pool, s) => {
      await pool.query(`UPDATE es_events SET metadata = '{"correlation_id":"someone else"}' WHERE stream_id = $1 AND stream_revision = 1`, [s[0]]);
      return { kind: 'changed', stream: 0, revision: 1 };
    }],
    ['edited type', async (pool, s) => {
      await pool.query(`UPDATE es_events SET event_type = 'Z' WHERE stream_id = $1 AND stream_revision = 3`, [s[2]]);
      return { kind: 'changed', stream: 2, revision: 3 };
    }],
    ['data edited and its hash recomputed', async (pool, s) => {
      // Whoever knows the encoding can rehash the row; the next event's link still points at the old hash.
      await pool.query(
        `UPDATE es_events SET data = '{"n": 0}', event_hash = es_event_hash(stream_id, stream_revision, event_id, event_type, schema_version, recorded_at, '{"n": 0}', metadata,
           (SELECT p.event_hash FROM es_events p WHERE p.stream_id = $1 AND p.stream_revision = 0)) WHERE stream_id = $1 AND stream_revision = 1`,
        [s[1]],
      );
      return { kind: 'changed', stream: 1, revision: 2 };
    }],
    ['a row deleted in the middle', async (pool, s) => {
      await pool.query(`DELETE FROM es_events WHERE stream_id = $1 AND stream_revision = 1`, [s[2]]);
      return { kind: 'deleted', stream: 2, revision: 1 };
    }],
    ['the last row of a stream deleted (caught by the checkpoint)', async (pool, s) => {
      await pool.query(`DELETE FROM es_events WHERE stream_id = $1 AND stream_revision = 3`, [s[0]]);
      return { kind: 'deleted', stream: 0, revision: 3 };
    }],
    ['two rows swapped (revisions exchanged)', async (pool, s) => {
      await pool.query(`UPDATE es_events SET stream_revision = -1 WHERE stream_id = $1 AND stream_revision = 1`, [s[1]]);
      await pool.query(`UPDATE es_events SET stream_revision = 1 WHERE stream_id = $1 AND stream_revision = 2`, [s[1]]);
      await pool.query(`UPDATE es_events SET stream_revision = 2 WHERE stream_id = $1 AND stream_revision = -1`, [s[1]]);
      return { kind: 'reordered', stream: 1, revision: 2 };
    }],
    ['two rows swapped (contents exchanged)', async (pool, s) => {
      await pool.query(
        `UPDATE es_events e SET data = o.data, metadata = o.metadata, event_type = o.event_type
           FROM es_events o WHERE e.stream_id = $1 AND o.stream_id = $1 AND e.stream_revision + o.stream_revision = 3 AND e.stream_revision IN (1, 2)`,
        [s[0]],
      );
      return { kind: 'changed', stream: 0, revision: 1 };
    }],
    ['positions reordered (two events of one stream exchanged in the all-stream)', async (pool, s) => {
      await pool.query(
        `UPDATE es_events e SET transaction_id = o.transaction_id FROM es_events o
          WHERE e.stream_id = $1 AND o.stream_id = $1 AND e.stream_revision + o.stream_revision = 1 AND e.stream_revision IN (0, 1)`,
        [s[2]],
      );
      return { kind: 'reordered', stream: 2, revision: 1 };
    }],
    ['positions of two streams\' last events exchanged (caught by the checkpoint)', async (pool, s) => {
      await pool.query(`ALTER TABLE es_events ALTER COLUMN global_position SET GENERATED BY DEFAULT`);
      const [a, b] = [await position(pool, s[0], 3), await position(pool, s[2], 3)];
      await pool.query(`UPDATE es_events SET global_position = -1 WHERE global_position = $1`, [a]);
      await pool.query(`UPDATE es_events SET global_position = $1 WHERE global_position = $2`, [a, b]);
      await pool.query(`UPDATE es_events SET global_position = $1 WHERE global_position = -1`, [b]);
      return { kind: 'reordered', stream: 0, revision: 3 };
    }],
    ['a hash removed', async (pool, s) => {
      await pool.query(`UPDATE es_events SET event_hash = NULL WHERE stream_id = $1 AND stream_revision = 2`, [s[2]]);
      return { kind: 'unhashed', stream: 2, revision: 2 };
    }],
  ];
  for (const [label, tamper] of tampering) {
    it(`reports the first event touched: ${label}`, async () => {
      const { pool, streams } = await seeded();
      expect(await verifyEventChain(pool)).toMatchObject({ problems: [], checkpoints: { written: 1 } });
      const expected = await tamper(pool, streams);
      const report = await verifyEventChain(pool);
      expect(report.problemCount).toBeGreaterThan(0);
      expect(report.problems[0]).toMatchObject({ kind: expected.kind, streamId: streams[expected.stream], revision: expected.revision });
      expect(report.checkpoints.written).toBe(0); // never a checkpoint over a tampered store
      expect(report.events).toBe((await pool.query(`SELECT count(*)::int AS n FROM es_events`)).rows[0].n);
    });
  }

  it('a store from before the chain reports its old events as unchained, new ones as chained, and nothing as tampered', async () => {
    const pool = await pg.newPool('prechain');
    let store = await PostgresEventStore.create(pool);
    const old = `leak-${randomUUID()}`;
    const credential = `leak-${randomUUID()}`;
    await store.appendToStream(old, [event('A'), event('B')], { expectedRevision: 'no_stream' });
    await store.appendToStream(credential, [event('LeakDetected', { kind: 'credential', fingerprint: 'a'.repeat(64) })], { expectedRevision: 'no_stream' });
    // As an installation from before issue 14.3 and 15.4: no hashes, no chain start, the password-hash removal pending.
    await pool.query(`UPDATE es_events SET event_hash = NULL`);
    await pool.query(`DROP TABLE es_chain_checkpoints`);
    await pool.query(`DELETE FROM es_migrations`);
    await store.close();

    store = await PostgresEventStore.create(pool); // the upgrade: the rewrite runs, then the chain starts
    expect((await pool.query(`SELECT data->>'fingerprint' AS f FROM es_events WHERE stream_id = $1`, [credential])).rows).toEqual([{ f: null }]);
    await store.appendToStream(old, [event('C')], { expectedRevision: 1 });
    await store.appendToStream(`leak-${randomUUID()}`, [event('A')], { expectedRevision: 'no_stream' });

    expect(await verifyEventChain(pool)).toMatchObject({ streams: 3, events: 5, chained: 2, unchained: 3, problems: [] });
    // Old events are still protected by the checkpoint from then on.
    await pool.query(`UPDATE es_events SET data = '{}' WHERE stream_id = $1 AND stream_revision = 0`, [old]);
    expect((await verifyEventChain(pool)).problems[0]).toMatchObject({ kind: 'checkpoint' });
    await store.close();
  });
});
