/**
 * The delivery log behind issue 10.1, against real PostgreSQL: one delivery id is handled once even when
 * GitHub's redelivery races the first attempt; a failed attempt releases the id for the retry; a claim left
 * by a crashed process is taken over once stale.
 */
import { randomUUID } from 'node:crypto';
import type { Pool } from 'pg';
import { startThrowawayPostgres, ThrowawayPostgres } from '@leakwatch/testing';
import { GithubDeliveries } from '../src/application/github-deliveries';

const ORG = '9d8c7b6a-5f4e-4d3c-8b2a-1f0e9d8c7b6a';

describe('GitHub delivery log', () => {
  let pg: ThrowawayPostgres;
  let pool: Pool;
  let deliveries: GithubDeliveries;

  beforeAll(async () => {
    pg = await startThrowawayPostgres();
    pool = await pg.newPool('github_deliveries');
    deliveries = new GithubDeliveries(pool, 500);
    await deliveries.setup();
  }, 60_000);
  afterAll(async () => {
    await pool?.end();
    await pg?.stop();
  });

  it('runs the handler once for ten concurrent copies of one delivery', async () => {
    const id = randomUUID();
    let handled = 0;
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const attempts = Array.from({ length: 10 }, () =>
      deliveries.once(ORG, id, async () => {
        handled++;
        await gate; // the first attempt is still running while the others arrive
        return { leakid: 'x' };
      }),
    );
    // Nine attempts answer while the one that claimed the id is still running; then it is let go.
    let settled = 0;
    await new Promise<void>((nine) => attempts.forEach((a) => a.then(() => ++settled === 9 && nine())));
    release();
    const outcomes = await Promise.all(attempts);
    expect(outcomes.filter((o) => o.duplicate === 'in_progress')).toHaveLength(9);
    expect(handled).toBe(1);
    expect(outcomes.filter((o) => o.duplicate === false)).toHaveLength(1);
    expect(await deliveries.once(ORG, id, async () => ({ leakid: 'other' }))).toEqual({ duplicate: true, answer: { leakid: 'x' } });
    // Per organisation: another org's delivery with the same id is its own.
    expect(await deliveries.once(randomUUID(), id, async () => ({ leakid: 'y' }))).toEqual({ duplicate: false, answer: { leakid: 'y' } });
  });

  it('a failed attempt releases the id, so the retry is handled', async () => {
    const id = randomUUID();
    await expect(deliveries.once(ORG, id, async () => Promise.reject(new Error('database down')))).rejects.toThrow('database down');
    expect(await deliveries.once(ORG, id, async () => ({ ok: 1 }))).toEqual({ duplicate: false, answer: { ok: 1 } });
  });

  it('a claim left unanswered by a crash is taken over once stale, not before', async () => {
    const id = randomUUID();
    await pool.query(`INSERT INTO ingest_github_deliveries (org_id, delivery_id) VALUES ($1, $2)`, [ORG, id]); // claimed, then the process died
    expect(await deliveries.once(ORG, id, async () => ({ ok: 1 }))).toEqual({ duplicate: 'in_progress' });
    await pool.query(`UPDATE ingest_github_deliveries SET claimed_at = now() - interval '1 second' WHERE delivery_id = $1`, [id]); // older than 500 ms
    expect(await deliveries.once(ORG, id, async () => ({ ok: 2 }))).toEqual({ duplicate: false, answer: { ok: 2 } });
  });
});
