/**
 * Signed audit exports (issue 14.4): an export of a real PostgreSQL store — starting mid-stream — verifies
 * offline, and every edited, deleted, inserted or reordered line, a forged manifest or another signer is found.
 */
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import { startThrowawayPostgres, ThrowawayPostgres } from '@leakwatch/testing';
import { ExportSigner, PostgresEventStore, verifyExportFile, writeAuditExport } from '../src';
import { rawMembers } from '../src/audit/json-members';

let pg: ThrowawayPostgres;
let pool: Pool;
let lines: string[];
const keys = generateKeyPairSync('ed25519');
const signer: ExportSigner = { keyId: 'test', privateKey: keys.privateKey, publicKey: keys.publicKey };
const streams = [`leak-${randomUUID()}`, `leak-${randomUUID()}`];

beforeAll(async () => {
  pg = await startThrowawayPostgres();
  pool = await pg.newPool('export');
  const store = await PostgresEventStore.create(pool);
  const event = (n: number) => ({ id: randomUUID(), type: 'LeakStatusChanged', data: { n, price: 1.5, note: 'ü "q" \\ \t', list: [1, { b: 2, a: 1 }] }, metadata: { correlation_id: 'x' } });
  await store.appendToStream(streams[0], [event(0), event(1)], { expectedRevision: 'no_stream' });
  await pool.query(`SELECT pg_sleep(0.01)`);
  const { rows } = await pool.query<{ now: Date }>(`SELECT clock_timestamp() AS now`);
  await store.appendToStream(streams[0], [event(2)], { expectedRevision: 1 });
  await store.appendToStream(streams[1], [event(0)], { expectedRevision: 'no_stream' });
  await store.appendToStream(streams[0], [event(3)], { expectedRevision: 2 });
  await store.appendToStream(streams[1], [event(1), event(2)], { expectedRevision: 0 });
  await store.close();
  let text = '';
  const manifest = await writeAuditExport(pool, (chunk) => (text += chunk), { from: rows[0].now, signer });
  expect(manifest).toMatchObject({ events: 5, chained: 5, streams: { [streams[0]]: { first_revision: 2, last_revision: 3, prev: expect.stringMatching(/^[0-9a-f]{64}$/) }, [streams[1]]: { first_revision: 0, prev: null } } });
  lines = text.split('\n');
});
afterAll(async () => {
  await pool?.end();
  await pg?.stop();
});

const check = (edited: string[], publicKey = keys.publicKey) => verifyExportFile(edited, { publicKey });

it('an untouched export verifies, signed by the pinned key; data is the stored jsonb text', async () => {
  expect(lines).toHaveLength(7); // 5 events, the manifest, and the final newline
  const report = await check(lines);
  expect(report).toMatchObject({ events: 5, streams: 2, chained: 5, unchained: 0, problems: [], signature: { valid: true, pinned: true } });
  expect(rawMembers(lines[0]).get('data')).toMatch(/^\{"n": 2, /);
});

it('finds an edited line', async () => {
  const edited = [...lines];
  edited[2] = edited[2].replace('"correlation_id": "x"', '"correlation_id": "y"');
  expect((await check(edited)).problems[0]).toMatchObject({ kind: 'changed', line: 3 });
});

it('finds a deleted line in the middle and at the end of a stream', async () => {
  const line = lines.findIndex((l) => l.includes(`"stream_id":"${streams[1]}","revision":1`));
  expect((await check(lines.filter((_, i) => i !== line))).problems[0]).toMatchObject({ kind: 'deleted', line: line + 1, streamId: streams[1], revision: 1 });
  const lastOfStream0 = lines.findIndex((l) => l.includes(`"stream_id":"${streams[0]}","revision":3`));
  const report = await check(lines.filter((_, i) => i !== lastOfStream0));
  expect(report.problems).toEqual(expect.arrayContaining([expect.objectContaining({ kind: 'deleted', streamId: streams[0], revision: 3 }), expect.objectContaining({ kind: 'digest' })]));
});

it('finds two lines swapped', async () => {
  const swapped = [...lines];
  [swapped[1], swapped[2]] = [swapped[2], swapped[1]];
  expect((await check(swapped)).problems[0]).toMatchObject({ kind: 'reordered', line: 3 });
});

it('finds a forged manifest, and a manifest signed by another key', async () => {
  const forged = [...lines];
  forged[5] = forged[5].replace('"events":5', '"events":4');
  expect((await check(forged)).problems).toEqual(expect.arrayContaining([expect.objectContaining({ kind: 'signature', detail: expect.stringMatching(/does not verify/) })]));
  const other = generateKeyPairSync('ed25519');
  expect((await check(lines, other.publicKey)).problems).toEqual([expect.objectContaining({ kind: 'signature', detail: expect.stringMatching(/not by the pinned key/) })]);
});

it('finds a file cut short', async () => {
  expect((await check(lines.slice(0, 3))).problems[0]).toMatchObject({ kind: 'malformed', detail: expect.stringMatching(/manifest/) });
});
