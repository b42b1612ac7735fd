/**
 * Issue 15.10, the leak-id key: whoever holds it tests password guesses against stored leak ids offline, so the
 * database keeps it only sealed under the configured secrets keyring. A plaintext key stored before is sealed on
 * start with the same value (ids unchanged) and its plaintext erased from the table's file; a keyring rotation
 * re-seals it (ids unchanged); a keyring that cannot open it stops the start instead of making a new key.
 * Real PostgreSQL.
 */
import { randomBytes } from 'node:crypto';
import type { Pool } from 'pg';
import { SecretsKey, SecretsKeyError, SecretsKeyring, keyIdOf } from '@leakwatch/runtime';
import { startThrowawayPostgres, ThrowawayPostgres } from '@leakwatch/testing';
import { loadLeakIdKey, sealStoredLeakIdKey } from '../src/application/leak-id-key';
import { FindingInput, normalizeFinding } from '../src/normalization/normalize-finding';

const newKey = (): SecretsKey => {
  const key = randomBytes(32);
  return { id: keyIdOf(key), key };
};
const ORG = '5e0c2b1a-7f8d-4e6c-a0b1-c2d3e4f5a6b7';
const credential: FindingInput = {
  kind: 'credential',
  secret: 'correct horse battery staple',
  secretType: 'password',
  identity: { email: 'jane@acme.example' },
  site: { url: 'https://login.acme.example' },
  source: { name: 'breach' },
  risk: 'high',
};
const leakIdOf = (key: Buffer) => normalizeFinding(credential, { key, orgId: ORG, at: '2026-01-01T00:00:00.000Z' }).leakid;

describe('the leak-id key under the secrets keyring (issue 15.10)', () => {
  let pg: ThrowawayPostgres;
  let pool: Pool;

  beforeAll(async () => {
    pg = await startThrowawayPostgres();
    pool = await pg.newPool('leakid_key');
    pool.on('error', () => undefined);
  }, 60_000);
  afterEach(() => pool.query('DROP TABLE IF EXISTS ingest_settings'));
  afterAll(async () => {
    await pool?.end();
    await pg?.stop();
  });

  const storedRow = async () => (await pool.query(`SELECT * FROM ingest_settings WHERE name = 'leakid_key'`)).rows;
  /** Every byte of the table's file on disk (after a checkpoint), as a copy of the data directory would hold it. */
  const tableFile = async (): Promise<Buffer> => {
    await pool.query('CHECKPOINT');
    const { rows } = await pool.query<{ bytes: Buffer }>(`SELECT pg_read_binary_file(pg_relation_filepath('ingest_settings')) AS bytes`);
    return rows[0].bytes;
  };

  it('a fresh installation stores the key sealed: the database alone does not yield it, and no new key replaces it', async () => {
    const keyring = new SecretsKeyring([newKey()]);
    const created = await loadLeakIdKey(pool, keyring);
    expect(created).toMatchObject({ state: 'created', origin: 'database' });
    expect(created.key).toHaveLength(32);

    const rows = await storedRow();
    expect(rows).toEqual([expect.objectContaining({ value: null, key_id: keyring.currentKeyId })]);
    const stored = JSON.stringify(rows) + (await tableFile()).toString('latin1');
    expect(stored).not.toContain(created.key.toString('hex'));
    expect(stored).not.toContain(created.key.toString('latin1'));

    // The next start opens the same key.
    expect(await loadLeakIdKey(pool, keyring)).toMatchObject({ state: 'current', key: created.key });
    // Someone with the database but not the secrets key: nothing opens, and no new key is made in its place.
    await expect(loadLeakIdKey(pool, new SecretsKeyring([newKey()]))).rejects.toThrow(SecretsKeyError);
    // A key with the right id but other bytes (a replaced key file) does not open it either.
    const forged = new SecretsKeyring([{ id: keyring.currentKeyId, key: randomBytes(32) }]);
    await expect(loadLeakIdKey(pool, forged)).rejects.toThrow(/does not open the stored leak-id key/);
    expect(await storedRow()).toEqual(rows);
  });

  it('migrates a key stored in plaintext: same key and same leak ids, the plaintext erased from the table file', async () => {
    // How it was stored before issue 15.10.
    const plaintext = randomBytes(32);
    await pool.query(`CREATE TABLE ingest_settings (name text PRIMARY KEY, value text NOT NULL)`);
    await pool.query(`INSERT INTO ingest_settings (name, value) VALUES ('leakid_key', $1)`, [plaintext.toString('hex')]);
    const idBefore = leakIdOf(plaintext);
    expect((await tableFile()).toString('latin1')).toContain(plaintext.toString('hex')); // the check below can fail

    const keyring = new SecretsKeyring([newKey()]);
    const migrated = await loadLeakIdKey(pool, keyring);
    expect(migrated).toMatchObject({ state: 'migrated', key: plaintext });
    expect(migrated.eraseFailed).toBeUndefined();
    expect(leakIdOf(migrated.key)).toBe(idBefore);

    expect(await storedRow()).toEqual([expect.objectContaining({ value: null, key_id: keyring.currentKeyId })]);
    expect((await tableFile()).toString('latin1')).not.toContain(plaintext.toString('hex'));
    await expect(loadLeakIdKey(pool, new SecretsKeyring([newKey()]))).rejects.toThrow(SecretsKeyError);

    // Later starts: the same key, nothing to migrate.
    expect(await loadLeakIdKey(pool, keyring)).toMatchObject({ state: 'current', key: plaintext });
  });

  it('a keyring rotation re-seals the key with its value (ids unchanged); then the old secrets key is not needed', async () => {
    const first = newKey();
    const original = await loadLeakIdKey(pool, new SecretsKeyring([first]));
    const idBefore = leakIdOf(original.key);

    const second = newKey();
    const rotated = await loadLeakIdKey(pool, new SecretsKeyring([second, first]));
    expect(rotated).toMatchObject({ state: 're-encrypted', key: original.key });
    expect(await storedRow()).toEqual([expect.objectContaining({ value: null, key_id: second.id })]);

    const afterRotation = await loadLeakIdKey(pool, new SecretsKeyring([second]));
    expect(afterRotation.state).toBe('current');
    expect(leakIdOf(afterRotation.key)).toBe(idBefore);
    await expect(loadLeakIdKey(pool, new SecretsKeyring([first]))).rejects.toThrow(/not in the configured keyring/);
  });

  it('instances starting at once agree on one key', async () => {
    const keyring = new SecretsKeyring([newKey()]);
    const keys = await Promise.all(Array.from({ length: 6 }, () => loadLeakIdKey(pool, keyring)));
    expect(keys.filter((k) => k.state === 'created')).toHaveLength(1);
    expect(new Set(keys.map((k) => k.key.toString('hex'))).size).toBe(1);
  });

  it('with LEAKWATCH_LEAKID_KEY set, that key is used and a stored plaintext key is still sealed; re-encrypt creates nothing', async () => {
    expect(await sealStoredLeakIdKey(pool, new SecretsKeyring([newKey()]), false)).toEqual({ state: 'absent' });
    expect(await storedRow()).toEqual([]);

    await pool.query(`DROP TABLE ingest_settings`);
    const plaintext = randomBytes(32);
    await pool.query(`CREATE TABLE ingest_settings (name text PRIMARY KEY, value text NOT NULL)`);
    await pool.query(`INSERT INTO ingest_settings (name, value) VALUES ('leakid_key', $1)`, [plaintext.toString('hex')]);
    const fromEnv = randomBytes(32);
    const keyring = new SecretsKeyring([newKey()]);
    const loaded = await loadLeakIdKey(pool, keyring, fromEnv.toString('hex'));
    expect(loaded).toMatchObject({ origin: 'LEAKWATCH_LEAKID_KEY', key: fromEnv });
    expect(await storedRow()).toEqual([expect.objectContaining({ value: null, key_id: keyring.currentKeyId })]);
    expect(await sealStoredLeakIdKey(pool, keyring, false)).toMatchObject({ state: 'current', key: plaintext });
  });
});
