/**
 * Over real HTTP against `npm start`'s process:
 * - issue 15.4: a leaked password leaves no plain hash anywhere — not in the API, the history, the token
 *   check, nor any table of the database; a token keeps its matchable SHA-256 fingerprint;
 * - issue 10.3: `?as_of=` answers with every field as it was at that moment, through several decisions.
 */
import { createHash, randomBytes } from 'node:crypto';
import { eventually } from '@leakwatch/testing';
import { E2e, startE2e } from './support/e2e-harness';
import { dumpEmbeddedDatabase } from './support/leakwatch-process';
const sha256 = (value: string) => createHash('sha256').update(value, 'utf8').digest('hex');

describe('passwords without hashes, and the past of a leak (e2e)', () => {
  let e2e: E2e;
  let admin: string;
  const call: E2e['call'] = (...args) => e2e.call(...args);
  const visible = (leakid: string) => eventually(`leak ${leakid} readable`, () => call('GET', `/api/v1/leaks/${leakid}`, admin), (r) => r.status === 200);

  beforeAll(async () => {
    e2e = await startE2e();
    admin = (await e2e.organisation('Acme', { sec: { role: 'admin' } })).keys.sec;
  }, 90_000);
  afterAll(async () => e2e?.stop());

  it('a leaked password keeps no hash; a token keeps its fingerprint (issue 15.4)', async () => {
    const password = `Winter${randomBytes(2).toString('hex')}!`;
    const token = `ghp_${randomBytes(18).toString('hex')}`;
    const added = await call('POST', '/api/v1/leaks', admin, {
      source: { name: 'breach' },
      credentials: [{ email: 'jane@acme.example', password, url: 'https://login.acme.example' }],
      tokens: [{ value: token }],
    });
    expect(added).toMatchObject({ status: 201, body: { created: 2 } });
    const [tokenId, credentialId] = added.body.leakids; // tokens first, then credentials
    await visible(credentialId);
    await visible(tokenId);

    expect((await call('GET', `/api/v1/leaks/${credentialId}`, admin)).body).toMatchObject({ kind: 'credential', fingerprint: null, blockable: false });
    expect((await call('GET', `/api/v1/leaks/${tokenId}`, admin)).body).toMatchObject({ kind: 'token', fingerprint: sha256(token) });
    const history = await call('GET', `/api/v1/leaks/${credentialId}/history`, admin);
    expect(history.body.events[0]).toMatchObject({ type: 'LeakDetected', data: { fingerprint: null } });
    expect((await call('GET', `/api/v1/leaks/${credentialId}?as_of=${new Date().toISOString()}`, admin)).body).toMatchObject({ fingerprint: null });

    // Nothing that would let anyone test password guesses: no match by value, none by its SHA-256.
    expect((await call('POST', '/api/v1/tokens/check', admin, { token: password })).body).toMatchObject({ leaked: false });
    expect((await call('POST', '/api/v1/tokens/check', admin, { sha256: sha256(password) })).body).toMatchObject({ leaked: false });
    expect((await call('POST', '/api/v1/tokens/check', admin, { token })).body).toMatchObject({ leaked: true, leakid: tokenId });

    const everything = await dumpEmbeddedDatabase(e2e.app.dataDir);
    expect(everything).toContain(sha256(token));
    expect(everything).not.toContain(sha256(password));
    expect(everything).not.toContain(password);
  });

  it('as_of shows every field as it was, through several decisions (issue 10.3)', async () => {
    const added = await call('POST', '/api/v1/leaks', admin, { source: { name: 'pastebin' }, tokens: [{ value: `ghp_${randomBytes(18).toString('hex')}` }] });
    const leakid = added.body.leakids[0];
    await visible(leakid);
    const decide = async (path: string, body: object) => expect((await call('POST', `/api/v1/leaks/${path}`, admin, { leakid, ...body })).status).toBe(200);
    await decide('status', { status: 'fixed', comment: 'rotated' });
    await decide('status', { status: 'open', comment: 'not really' });
    await decide('virtual-patch', { enabled: true });
    await decide('status', { status: 'fixed', comment: 'rotated for real' });
    await decide('status', { status: 'false_positive' });

    const events: Array<{ revision: number; type: string; time: string; data: { to?: string } }> = (await call('GET', `/api/v1/leaks/${leakid}/history`, admin)).body.events;
    const asOf = async (time: string) => (await call('GET', `/api/v1/leaks/${leakid}?as_of=${encodeURIComponent(time)}`, admin)).body;
    const justBefore = (time: string) => new Date(Date.parse(time) - 1).toISOString();
    const changes = events.filter((e) => e.type === 'LeakStatusChanged');
    expect(changes.map((e) => e.data.to)).toEqual(['fixed', 'open', 'fixed', 'false_positive']);
    const [firstFix, reopen, secondFix, falsePositive] = changes;
    const today = (await call('GET', `/api/v1/leaks/${leakid}`, admin)).body;
    expect(today).toMatchObject({ status: 'false_positive', fixed_at: null });

    // Each decision answered before the next was sent, so each moment is strictly after the one before.
    const moments = events.map((e) => Date.parse(e.time));
    expect(moments.every((m, i) => i === 0 || m >= moments[i - 1])).toBe(true);
    expect(Date.parse(firstFix.time)).toBeGreaterThan(moments[0]);
    expect(await asOf(justBefore(firstFix.time))).toMatchObject({ status: 'open', fixed_at: null, virtual_patch: false, revision: events[0].revision });
    expect(await asOf(firstFix.time)).toMatchObject({ status: 'fixed', fixed_at: firstFix.time, revision: firstFix.revision });
    expect(await asOf(reopen.time)).toMatchObject({ status: 'open', fixed_at: null });
    const patched = await asOf(justBefore(secondFix.time));
    expect(patched).toMatchObject({ status: 'open', fixed_at: null, virtual_patch: true });
    expect(await asOf(secondFix.time)).toMatchObject({ status: 'fixed', fixed_at: secondFix.time, virtual_patch: false });
    expect(await asOf(falsePositive.time)).toMatchObject({ status: 'false_positive', fixed_at: null, revision: today.revision });
    // No value from a later moment: the answer at the first fix is the whole leak as it was then.
    const atFirstFix = await asOf(firstFix.time);
    expect(atFirstFix).toMatchObject({ leakid, kind: 'token', sources: ['pastebin'], sightings: 1, first_seen: events[0].time, last_seen: events[0].time, as_of: firstFix.time });
  });
});
