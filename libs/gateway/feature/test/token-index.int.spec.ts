/**
 * The token index against real PostgreSQL: every answer is scoped by the visibility policy — in memory
 * (check, range) and in SQL (the blocklist pages) alike — and an upgrade from the v1 change log keeps
 * old client cursors below every new change.
 */
import type { Pool } from 'pg';
import type { Caller } from '@leakwatch/authz';
import { startThrowawayPostgres, ThrowawayPostgres } from '@leakwatch/testing';
import { TokenIndex, rangeKey } from '../src/tokens/token-index';

const fp = (n: number) => n.toString(16).padStart(64, 'a');
const caller = (over: Partial<Caller>): Caller => ({ keyId: 'k', role: 'analyst', verifiedDomains: [], ...over });
const orgA = caller({ orgId: 'org-a', verifiedDomains: ['alpha.example'] });
const orgB = caller({ orgId: 'org-b', verifiedDomains: ['bravo.example'] });
const foreignEmail = caller({ orgId: 'org-a', email: 'ceo@bravo.example', verifiedDomains: ['alpha.example'] });
const global = caller({ role: 'global_analyst' });

describe('token index (PostgreSQL)', () => {
  let pg: ThrowawayPostgres;
  let pool: Pool;
  beforeAll(async () => {
    pg = await startThrowawayPostgres();
    pool = await pg.newPool('tokens');
  });
  afterAll(async () => pg?.stop());

  it('numbers the new change log after the v1 log, so old cursors see the rebuilt set', async () => {
    await pool.query(`CREATE TABLE gw_blocklist_changes (seq bigserial PRIMARY KEY, fingerprint text NOT NULL, leakid text NOT NULL, blocked boolean NOT NULL,
      changed_at timestamptz NOT NULL DEFAULT now())`);
    await pool.query(`INSERT INTO gw_blocklist_changes (fingerprint, leakid, blocked) SELECT 'f', 'l', true FROM generate_series(1, 41)`);
    const index = new TokenIndex(pool);
    await index.load();
    await index.addLeak({ leakid: 'l0', fingerprint: fp(0), orgId: 'org-a' }, 0);
    await index.setBlocked('l0', true, 1);
    expect(await index.changesAfter(global, 41, 10)).toEqual([expect.objectContaining({ seq: 42, leakid: 'l0', blocked: true })]);
  });

  it('scopes check, range and blocklist by the policy; the same token at two organisations stays apart', async () => {
    const index = new TokenIndex(pool);
    await index.load();
    await index.addLeak({ leakid: 'a1', fingerprint: fp(1), orgId: 'org-a' }, 0);
    await index.addLeak({ leakid: 'b1', fingerprint: fp(1), orgId: 'org-b' }, 0);
    await index.addLeak({ leakid: 'b2', fingerprint: fp(2), orgId: 'org-b', identityEmail: ' CEO@bravo.example ' }, 0);
    await index.addLeak({ leakid: 'b3', fingerprint: fp(3), orgId: 'org-b', identityEmail: 'dev@alpha.example' }, 0);
    for (const leakid of ['b1', 'b2', 'b3']) await index.setBlocked(leakid, true, 1);

    expect(index.visible(orgA, fp(1)).map((e) => [e.leakid, e.blocked])).toEqual([['a1', false]]);
    expect(index.visible(orgB, fp(1)).map((e) => [e.leakid, e.blocked])).toEqual([['b1', true]]);
    expect(index.visible(global, fp(1)).map((e) => e.leakid)).toEqual(['b1', 'a1']);
    expect(index.visible(foreignEmail, fp(2))).toEqual([]); // a self-asserted address of B opens nothing of B
    expect(index.visible(orgA, fp(3)).map((e) => e.leakid)).toEqual(['b3']); // A's employee, leaked at B
    expect(index.visibleInRange(orgA, fp(1).slice(0, 5)).map((e) => e.leakid).sort()).toEqual(['a1', 'b3', 'l0']); // l0: A's, from the first test
    // A fingerprint two leaks share is listed once in its range: each leak comes back once.
    const inRange = index.visibleInRange(global, fp(1).slice(0, 5)).map((e) => e.leakid);
    expect(new Set(inRange).size).toBe(inRange.length);
    expect(inRange).toEqual(expect.arrayContaining(['a1', 'b1', 'b3', 'l0']));

    // Ranges are keyed by number: another prefix, or one not written as fingerprints are (lowercase hex), names nothing.
    expect(index.visibleInRange(global, 'aaaab')).toEqual([]);
    expect(index.visibleInRange(global, fp(1).slice(0, 5).toUpperCase())).toEqual([]);
    expect(index.visibleInRange(global, 'aaaa')).toEqual([]);
    const leakids = async (who: Caller) => (await index.changesAfter(who, 42, 100)).map((c) => c.leakid).sort();
    expect(await leakids(orgA)).toEqual(['b3']);
    expect(await leakids(foreignEmail)).toEqual(['b3']);
    expect(await leakids(orgB)).toEqual(['b1', 'b2', 'b3']);
    expect(await leakids(global)).toEqual(['b1', 'b2', 'b3']);

    // Restarted from the tables: the same answers.
    const restarted = new TokenIndex(pool);
    await restarted.load();
    expect(restarted.visible(orgB, fp(2)).map((e) => e.leakid)).toEqual(['b2']);
    expect(restarted.visible(foreignEmail, fp(2))).toEqual([]);
  });

  it('adds a page of token leaks in one insert with the same rows and answers as one by one', async () => {
    const tokens = [
      { leakid: 'p1', fingerprint: fp(9001), identityEmail: 'Dev@Alpha.example', orgId: 'org-a' },
      { leakid: 'p2', fingerprint: fp(9002), siteDomain: 'shop.bravo.example', orgId: 'org-b' },
      { leakid: 'p3', fingerprint: fp(9001), orgId: 'org-b' },
    ];
    const onePool = await pg.newPool('tokens_one');
    const pagePool = await pg.newPool('tokens_page');
    const one = new TokenIndex(onePool);
    const paged = new TokenIndex(pagePool);
    await one.load();
    await paged.load();
    for (const token of tokens) await one.addLeak(token, 0);
    await paged.addLeaks([...tokens, tokens[0]].map((token) => ({ token, revision: 0 })));
    await paged.addLeaks(tokens.map((token) => ({ token, revision: 0 }))); // a replayed page
    const rows = (p: Pool) => p.query(`SELECT * FROM gw_leak_tokens ORDER BY leakid`).then((r) => r.rows);
    expect(await rows(pagePool)).toEqual(await rows(onePool));
    expect(await rows(pagePool)).toHaveLength(3);
    expect(paged.size).toBe(3);
    for (const who of [orgA, orgB, global]) expect(paged.visible(who, fp(9001))).toEqual(one.visible(who, fp(9001)));
    expect(paged.visible(orgA, fp(9001)).map((e) => e.leakid)).toEqual(['p1']);
    // A restart loads what the page wrote.
    const reloaded = new TokenIndex(pagePool);
    await reloaded.load();
    expect(reloaded.visible(orgB, fp(9002)).map((e) => e.leakid)).toEqual(['p2']);
  });

  it('keys a range by the number its 5 lowercase hex digits write, and nothing else', () => {
    expect(rangeKey('f0ce4')).toBe(0xf0ce4);
    expect(rangeKey('00000')).toBe(0);
    for (const bad of ['F0CE4', 'f0ce', 'f0ce45', 'g0ce4', ' f0ce', '0x0ce']) expect(rangeKey(bad)).toBeUndefined();
  });
});
