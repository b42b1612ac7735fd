/**
 * Issue 15.10: the keys of stored secrets come from configuration — `LEAKWATCH_SECRETS_KEY` or a key file
 * outside the data directory, generated (0600) on the first start — validated by the typed config, and
 * rotated as a keyring.
 */
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigError, SecretsKeyError, SecretsKeyring, keyFileText, loadConfig, loadSecretsKeyring, parseSecretsKeys, withNewKey } from '../src';

const HEX_A = 'a'.repeat(64);
const HEX_B = '0123456789abcdef'.repeat(4);

describe('secrets keyring', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(path.join(os.tmpdir(), 'leakwatch-keyring-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('seals under the first key; every key opens what it sealed; the context is authenticated', () => {
    const [a, b] = parseSecretsKeys(`new:${HEX_B},old:${HEX_A}`, 'test');
    const old = new SecretsKeyring([a.id === 'old' ? a : b]);
    const sealedOld = old.seal('s3cret', 'row-1');
    const ring = new SecretsKeyring([{ id: 'new', key: Buffer.from(HEX_B, 'hex') }, { id: 'old', key: Buffer.from(HEX_A, 'hex') }]);
    expect(ring.open(sealedOld, 'row-1').toString()).toBe('s3cret');
    expect(ring.needsReEncryption(sealedOld)).toBe(true);
    const sealedNew = ring.seal('s3cret', 'row-1');
    expect(sealedNew.keyId).toBe('new');
    expect(ring.needsReEncryption(sealedNew)).toBe(false);
    expect(() => ring.open(sealedNew, 'row-2')).toThrow();
    expect(() => old.open(sealedNew, 'row-1')).toThrow(SecretsKeyError);
  });

  it('parses ids, derives one when absent, and names the bad entry', () => {
    expect(parseSecretsKeys(`# comment\nmain:${HEX_A}\n${HEX_B}\n`, 'f').map((k) => k.id)).toEqual(['main', expect.stringMatching(/^k[0-9a-f]{8}$/)]);
    expect(() => parseSecretsKeys(`main:${HEX_A},nothex`, 'LEAKWATCH_SECRETS_KEY')).toThrow(/LEAKWATCH_SECRETS_KEY: key 2/);
    expect(() => parseSecretsKeys('# only a comment', 'f')).toThrow(/holds no key/);
    expect(() => new SecretsKeyring([{ id: 'x', key: Buffer.from(HEX_A, 'hex') }, { id: 'x', key: Buffer.from(HEX_B, 'hex') }])).toThrow(/twice/);
  });

  it('generates the key file once (mode 0600) beside the data directory, then reads it', () => {
    const config = loadConfig({ LEAKWATCH_DATA_DIR: path.join(dir, 'data') });
    expect(config.secrets.keyFile).toBe(path.join(dir, 'data-secrets.key'));
    const first = loadSecretsKeyring(config.secrets);
    expect(first.generated).toBe(path.join(dir, 'data-secrets.key'));
    expect(statSync(first.generated as string).mode & 0o777).toBe(0o600);
    const second = loadSecretsKeyring(config.secrets);
    expect(second.generated).toBeUndefined();
    expect(second.keyring.currentKeyId).toBe(first.keyring.currentKeyId);
    expect(second.keyring.open(first.keyring.seal('x', 'c'), 'c').toString()).toBe('x');
  });

  it('rotation: a new key first in the file, the old one still opens', () => {
    const file = path.join(dir, 'keys');
    const before = loadSecretsKeyring({ keyFile: file });
    const sealed = before.keyring.seal('x', 'c');
    writeFileSync(file, keyFileText(withNewKey(parseSecretsKeys(readFileSync(file, 'utf8'), file))));
    const after = loadSecretsKeyring({ keyFile: file }).keyring;
    expect(after.currentKeyId).not.toBe(before.keyring.currentKeyId);
    expect(after.keyIds).toEqual([after.currentKeyId, before.keyring.currentKeyId]);
    expect(after.open(sealed, 'c').toString()).toBe('x');
  });

  it('LEAKWATCH_SECRETS_KEY wins over the file, and no file is written', () => {
    const config = loadConfig({ LEAKWATCH_DATA_DIR: path.join(dir, 'data'), LEAKWATCH_SECRETS_KEY: `k1:${HEX_A}` });
    const { keyring, generated } = loadSecretsKeyring(config.secrets);
    expect(keyring.currentKeyId).toBe('k1');
    expect(generated).toBeUndefined();
    expect(() => statSync(config.secrets.keyFile)).toThrow();
  });

  it.each([
    [{ LEAKWATCH_SECRETS_KEY: 'short' }, /LEAKWATCH_SECRETS_KEY must be/],
    [{ LEAKWATCH_SECRETS_KEY: `${HEX_A},` }, /LEAKWATCH_SECRETS_KEY must be/],
    [{ LEAKWATCH_DATA_DIR: '/srv/lw', LEAKWATCH_SECRETS_KEY_FILE: '/srv/lw/keys/secrets.key' }, /LEAKWATCH_SECRETS_KEY_FILE: must be outside LEAKWATCH_DATA_DIR/],
    [{ LEAKWATCH_DATA_DIR: '/srv/lw', LEAKWATCH_SECRETS_KEY_FILE: '/srv/lw' }, /LEAKWATCH_SECRETS_KEY_FILE: must be outside/],
  ])('the typed config refuses %p naming the setting', (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });

  it('accepts a key file next to the data directory and a list of keys', () => {
    expect(loadConfig({ LEAKWATCH_DATA_DIR: '/srv/lw', LEAKWATCH_SECRETS_KEY_FILE: '/srv/lw-keys/secrets.key' }).secrets.keyFile).toBe('/srv/lw-keys/secrets.key');
    expect(loadConfig({ LEAKWATCH_SECRETS_KEY: `new:${HEX_B}, old:${HEX_A}` }).secrets.keys).toBe(`new:${HEX_B}, old:${HEX_A}`);
  });
});
