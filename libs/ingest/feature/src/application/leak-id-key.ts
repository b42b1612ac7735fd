/**
 * The secret key of leak ids: `leakid = HMAC-MD5(key, owner‖credential‖email‖password‖site)`. Whoever holds it can
 * test password guesses against stored ids offline, so it is a stored secret like the GitHub webhook secrets
 * (issue 15.10): `LEAKWATCH_LEAKID_KEY` (hex, ≥ 32 bytes) if set; otherwise generated once and kept in the
 * database SEALED under the configured secrets keyring (a key from the environment or a key file outside the
 * data directory), so a copy of the data directory or a database dump alone does not yield it.
 *
 * Its value never changes (ids must stay stable): a key stored in plaintext before issue 15.10 is sealed on start
 * (same value) and its plaintext erased; a key sealed by an older keyring key is re-sealed under the current one
 * (on start, and by `leakwatch secrets re-encrypt`). A sealed key the keyring cannot open stops the start: a new
 * key would silently give every leak a new id.
 */
import { randomBytes } from 'node:crypto';
import type { Pool, PoolClient } from 'pg';
import { withTransaction } from '@leakwatch/pg';
import { SecretsKeyError, SecretsKeyring } from '@leakwatch/runtime';

const NAME = 'leakid_key';
/** Authenticated with the ciphertext: a sealed value copied into another row or table does not open. */
const CONTEXT = 'ingest_settings:leakid_key';
const LOCK = 'leakwatch:ingest-leakid-key';

/**
 * What the start found: `created` (fresh installation), `migrated` (a plaintext key sealed and erased),
 * `re-encrypted` (sealed by an older keyring key), `current`, or `absent` (nothing stored; only without `create`).
 */
export type LeakIdKeyState = 'created' | 'migrated' | 're-encrypted' | 'current' | 'absent';

export interface StoredLeakIdKey {
  key?: Buffer;
  state: LeakIdKeyState;
  /** Set when erasing a migrated plaintext from the table's files failed (VACUUM FULL needs the table's owner). */
  eraseFailed?: string;
}

interface Row {
  value: string | null;
  key_id: string | null;
  iv: Buffer | null;
  ciphertext: Buffer | null;
  tag: Buffer | null;
}

async function migrateSchema(client: PoolClient): Promise<void> {
  // `value` held the key in plaintext before issue 15.10; it is NULL once sealed.
  await client.query(`CREATE TABLE IF NOT EXISTS ingest_settings (name text PRIMARY KEY, value text)`);
  await client.query(`ALTER TABLE ingest_settings ALTER COLUMN value DROP NOT NULL,
    ADD COLUMN IF NOT EXISTS key_id text, ADD COLUMN IF NOT EXISTS iv bytea, ADD COLUMN IF NOT EXISTS ciphertext bytea, ADD COLUMN IF NOT EXISTS tag bytea`);
}

function open(keyring: SecretsKeyring, row: Row): Buffer {
  if (!row.key_id || !row.iv || !row.ciphertext || !row.tag) throw new SecretsKeyError(`the stored leak-id key is incomplete (ingest_settings.${NAME})`);
  if (!keyring.has(row.key_id)) {
    throw new SecretsKeyError(
      `the leak-id key is sealed with secrets key ${row.key_id}, which is not in the configured keyring (${keyring.keyIds.join(', ')}): ` +
        'restore that key (LEAKWATCH_SECRETS_KEY or the key file) — a new leak-id key would give every leak a new id',
    );
  }
  try {
    return keyring.open({ keyId: row.key_id, iv: row.iv, ciphertext: row.ciphertext, tag: row.tag }, CONTEXT);
  } catch {
    throw new SecretsKeyError(`the secrets key ${row.key_id} does not open the stored leak-id key (was the key file replaced by another with the same id?)`);
  }
}

/**
 * Seals what is stored under the current keyring key, under an advisory lock (ingest instances starting at once
 * agree on one key). `create`: generate a key when none is stored (the ingest service); without it (the CLI's
 * re-encrypt, or when LEAKWATCH_LEAKID_KEY is set) nothing is created.
 */
export async function sealStoredLeakIdKey(pool: Pool, keyring: SecretsKeyring, create: boolean): Promise<StoredLeakIdKey> {
  const result = await withTransaction(pool, async (client): Promise<StoredLeakIdKey> => {
    await client.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [LOCK]);
    await migrateSchema(client);
    const { rows } = await client.query<Row>(`SELECT value, key_id, iv, ciphertext, tag FROM ingest_settings WHERE name = $1`, [NAME]);
    const row = rows[0];
    let key: Buffer;
    let state: LeakIdKeyState;
    if (!row) {
      if (!create) return { state: 'absent' };
      key = randomBytes(32);
      state = 'created';
    } else if (row.value !== null) {
      key = Buffer.from(row.value, 'hex'); // the same value: ids stay stable
      state = 'migrated';
    } else {
      key = open(keyring, row);
      if (row.key_id === keyring.currentKeyId) return { key, state: 'current' };
      state = 're-encrypted';
    }
    const sealed = keyring.seal(key, CONTEXT);
    await client.query(
      `INSERT INTO ingest_settings (name, value, key_id, iv, ciphertext, tag) VALUES ($1, NULL, $2, $3, $4, $5)
       ON CONFLICT (name) DO UPDATE SET value = NULL, key_id = EXCLUDED.key_id, iv = EXCLUDED.iv, ciphertext = EXCLUDED.ciphertext, tag = EXCLUDED.tag`,
      [NAME, sealed.keyId, sealed.iv, sealed.ciphertext, sealed.tag],
    );
    return { key, state };
  });
  if (result.state === 'migrated') {
    // The UPDATE left the plaintext in a dead row version of the table's file; VACUUM FULL rewrites the table
    // without it. (WAL segments and backups made before this start still hold it.)
    try {
      await pool.query(`VACUUM FULL ingest_settings`);
    } catch (error) {
      result.eraseFailed = (error as Error).message;
    }
  }
  return result;
}

/**
 * The leak-id key for this process: `LEAKWATCH_LEAKID_KEY` when set (a stored key is still sealed, so no
 * plaintext stays in the database); otherwise the stored one, opened with the keyring (created on first start).
 */
export async function loadLeakIdKey(pool: Pool, keyring: SecretsKeyring, fromEnv?: string): Promise<StoredLeakIdKey & { key: Buffer; origin: 'LEAKWATCH_LEAKID_KEY' | 'database' }> {
  if (fromEnv) {
    if (!/^[0-9a-f]{64,}$/i.test(fromEnv)) throw new Error('LEAKWATCH_LEAKID_KEY must be at least 64 hex characters (32 bytes)');
    let stored: StoredLeakIdKey;
    try {
      stored = await sealStoredLeakIdKey(pool, keyring, false);
    } catch (error) {
      // The stored key is not used, so a keyring that cannot open it does not stop this start.
      if (!(error instanceof SecretsKeyError)) throw error;
      stored = { state: 'current' };
    }
    return { ...stored, key: Buffer.from(fromEnv, 'hex'), origin: 'LEAKWATCH_LEAKID_KEY' };
  }
  const stored = await sealStoredLeakIdKey(pool, keyring, true);
  return { ...stored, key: stored.key as Buffer, origin: 'database' };
}
