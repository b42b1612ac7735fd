/**
 * The keys that encrypt secrets Leakwatch must keep usable (GitHub webhook secrets: verifying an HMAC needs
 * the secret itself). They come from configuration, never from the database they protect, so a copy of the
 * data directory or a database dump alone decrypts nothing:
 * - `LEAKWATCH_SECRETS_KEY`: `[<id>:]<64 hex>[,...]`, or
 * - a key file (`LEAKWATCH_SECRETS_KEY_FILE`, default `<data dir>-secrets.key` beside — not inside — the
 *   data directory), generated with mode 0600 on the first start when neither exists.
 * A keyring, for rotation: the first key encrypts, every key decrypts (each ciphertext names its key id), and
 * owners of stored secrets re-encrypt what an older key sealed (`needsReEncryption`).
 */
import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes } from 'node:crypto';
import { closeSync, existsSync, openSync, readFileSync, statSync, writeSync } from 'node:fs';
import path from 'node:path';

export interface SecretsKey {
  id: string;
  key: Buffer;
}

/** An encrypted secret as stored: AES-256-GCM under the key `keyId`. */
export interface SealedSecret {
  keyId: string;
  iv: Buffer;
  ciphertext: Buffer;
  tag: Buffer;
}

export class SecretsKeyError extends Error {
  override readonly name = 'SecretsKeyError';
}

const KEY_ENTRY = /^(?:([A-Za-z0-9_.-]{1,32}):)?([0-9a-fA-F]{64})$/;
/** What `LEAKWATCH_SECRETS_KEY` must look like (checked by the typed config). */
export const SECRETS_KEY_LIST = /^\s*(?:[A-Za-z0-9_.-]{1,32}:)?[0-9a-fA-F]{64}\s*(?:,\s*(?:[A-Za-z0-9_.-]{1,32}:)?[0-9a-fA-F]{64}\s*)*$/;

export class SecretsKeyring {
  private readonly byId = new Map<string, Buffer>();

  /** `keys[0]` is the current key (encrypts); the others only decrypt. */
  constructor(keys: readonly SecretsKey[]) {
    if (keys.length === 0) throw new SecretsKeyError('a secrets keyring needs at least one key');
    for (const { id, key } of keys) {
      if (key.length !== 32) throw new SecretsKeyError(`secrets key ${id} must be 32 bytes (64 hex characters)`);
      if (this.byId.has(id)) throw new SecretsKeyError(`secrets key id ${id} appears twice`);
      // One derived key per purpose, so the configured key is never used raw.
      this.byId.set(id, Buffer.from(hkdfSync('sha256', key, Buffer.alloc(0), 'leakwatch:stored-secrets:v1', 32)));
    }
    this.currentKeyId = keys[0].id;
  }

  readonly currentKeyId: string;

  get keyIds(): string[] {
    return [...this.byId.keys()];
  }

  has(keyId: string): boolean {
    return this.byId.has(keyId);
  }

  /** Sealed under the current key; `context` (e.g. table and row id) is authenticated, so a ciphertext moved to another row does not open. */
  seal(plaintext: string | Buffer, context: string): SealedSecret {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.byId.get(this.currentKeyId) as Buffer, iv);
    cipher.setAAD(Buffer.from(context, 'utf8'));
    const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    return { keyId: this.currentKeyId, iv, ciphertext, tag: cipher.getAuthTag() };
  }

  open(sealed: SealedSecret, context: string): Buffer {
    const key = this.byId.get(sealed.keyId);
    if (!key) throw new SecretsKeyError(`secret sealed with key ${sealed.keyId}, which is not in the configured keyring (${this.keyIds.join(', ')})`);
    const decipher = createDecipheriv('aes-256-gcm', key, sealed.iv);
    decipher.setAAD(Buffer.from(context, 'utf8'));
    decipher.setAuthTag(sealed.tag);
    return Buffer.concat([decipher.update(sealed.ciphertext), decipher.final()]);
  }

  needsReEncryption(sealed: Pick<SealedSecret, 'keyId'>): boolean {
    return sealed.keyId !== this.currentKeyId;
  }
}

/** `[<id>:]<64 hex>` entries, comma- or newline-separated; `#` starts a comment. Without an id, one derives from the key. */
export function parseSecretsKeys(text: string, origin: string): SecretsKey[] {
  const entries = text
    .split('\n')
    .flatMap((line) => line.replace(/#.*$/, '').split(','))
    .map((entry) => entry.trim())
    .filter(Boolean);
  if (entries.length === 0) throw new SecretsKeyError(`${origin} holds no key`);
  return entries.map((entry, index) => {
    const match = KEY_ENTRY.exec(entry);
    if (!match) throw new SecretsKeyError(`${origin}: key ${index + 1} is not [<id>:]<64 hex characters>`);
    const key = Buffer.from(match[2], 'hex');
    return { id: match[1] ?? keyIdOf(key), key };
  });
}

export function keyIdOf(key: Buffer): string {
  return `k${createHash('sha256').update(key).digest('hex').slice(0, 8)}`;
}

/** Where the key file lives unless `LEAKWATCH_SECRETS_KEY_FILE` says: beside the data directory, never in it. */
export function defaultSecretsKeyFile(dataDir: string): string {
  const resolved = path.resolve(dataDir);
  return path.join(path.dirname(resolved), `${path.basename(resolved)}-secrets.key`);
}

export function isInside(file: string, dir: string): boolean {
  const relative = path.relative(path.resolve(dir), path.resolve(file));
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
}

export interface SecretsKeySettings {
  /** `LEAKWATCH_SECRETS_KEY`, if set: wins over the file. */
  keys?: string;
  /** The key file (read, or generated when absent and no `keys`). */
  keyFile: string;
}

/**
 * The configured keyring. `generated` is set when this call created the key file (log it: the operator must
 * back it up apart from the data directory, and give every service process the same key).
 */
export function loadSecretsKeyring(settings: SecretsKeySettings): { keyring: SecretsKeyring; origin: string; generated?: string } {
  if (settings.keys) return { keyring: new SecretsKeyring(parseSecretsKeys(settings.keys, 'LEAKWATCH_SECRETS_KEY')), origin: 'LEAKWATCH_SECRETS_KEY' };
  const file = settings.keyFile;
  let generated: string | undefined;
  if (!existsSync(file)) {
    const key = randomBytes(32);
    try {
      // 'wx': of two processes starting at once, one creates the file and the other reads it.
      const fd = openSync(file, 'wx', 0o600);
      try {
        writeSync(fd, keyFileText([{ id: keyIdOf(key), key }]));
      } finally {
        closeSync(fd);
      }
      generated = file;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw new SecretsKeyError(`cannot create the secrets key file ${file}: ${(error as Error).message}`);
    }
  }
  if (statSync(file).isDirectory()) throw new SecretsKeyError(`LEAKWATCH_SECRETS_KEY_FILE ${file} is a directory`);
  return { keyring: new SecretsKeyring(parseSecretsKeys(readFileSync(file, 'utf8'), file)), origin: file, generated };
}

/** A key file's text: the current key first. */
export function keyFileText(keys: readonly SecretsKey[]): string {
  return [
    '# Leakwatch secrets keyring: encrypts stored secrets (GitHub webhook secrets). Keep it apart from the data',
    '# directory and back it up: without it those secrets cannot be decrypted. The first key encrypts; later ones',
    '# only decrypt (rotation: put a new key first, restart, then remove the old one). Format: <id>:<64 hex>.',
    ...keys.map((k) => `${k.id}:${k.key.toString('hex')}`),
    '',
  ].join('\n');
}

/** Rotation helper (`leakwatch secrets rotate-key`): a new current key first, the old ones kept for decryption. */
export function withNewKey(keys: readonly SecretsKey[]): SecretsKey[] {
  const key = randomBytes(32);
  return [{ id: keyIdOf(key), key }, ...keys];
}
