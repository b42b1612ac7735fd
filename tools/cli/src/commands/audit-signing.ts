/**
 * The key that signs audit exports: an Ed25519 key derived (HKDF-SHA256, its own label) from the current key
 * of the secrets keyring (LEAKWATCH_SECRETS_KEY, else `<data dir>-secrets.key`) — the key material the operator
 * already controls, keeps apart from the data directory and backs up. Nothing new to store; the derived key
 * cannot decrypt stored secrets, and its public half can be handed to auditors (`leakwatch audit public-key`).
 * Rotating the secrets key rotates the signing key: old exports still verify against the public key they were
 * pinned to (the public key of every key still in the keyring is listed).
 */
import { createPrivateKey, createPublicKey, hkdfSync, KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ExportSigner, publicKeyFingerprint } from '@leakwatch/event-store';
import { loadConfig, loadSecretsKeyring, parseSecretsKeys, SecretsKey } from '@leakwatch/runtime';

/** PKCS#8 DER of an Ed25519 private key = this prefix + the 32-byte seed (RFC 8410). */
const ED25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

function secretsKeys(): SecretsKey[] {
  const { secrets } = loadConfig();
  if (secrets.keys) return parseSecretsKeys(secrets.keys, 'LEAKWATCH_SECRETS_KEY');
  loadSecretsKeyring(secrets); // creates the key file on a fresh installation, as Leakwatch does on start
  return parseSecretsKeys(readFileSync(secrets.keyFile, 'utf8'), secrets.keyFile);
}

function signerOf(key: SecretsKey): ExportSigner {
  const seed = Buffer.from(hkdfSync('sha256', key.key, Buffer.alloc(0), 'leakwatch:audit-export-signing:v1', 32));
  const privateKey = createPrivateKey({ key: Buffer.concat([ED25519_PKCS8_PREFIX, seed]), format: 'der', type: 'pkcs8' });
  const publicKey = createPublicKey(privateKey);
  return { keyId: `${key.id}/${publicKeyFingerprint(publicKey)}`, privateKey, publicKey };
}

/** The current signing key. */
export function exportSigner(): ExportSigner {
  return signerOf(secretsKeys()[0]);
}

/** Public keys of every key in the keyring, the current one first. */
export function exportPublicKeys(): Array<{ keyId: string; publicKey: KeyObject }> {
  return secretsKeys().map((key) => {
    const { keyId, publicKey } = signerOf(key);
    return { keyId, publicKey };
  });
}

/** A public key given as a PEM file, PEM text, or base64 SPKI DER (as printed in a manifest). */
export function readPublicKey(value: string): KeyObject {
  let text = value;
  try {
    text = readFileSync(value, 'utf8');
  } catch {
    // not a file: the key itself
  }
  if (text.includes('-----BEGIN')) return createPublicKey(text);
  return createPublicKey({ key: Buffer.from(text.trim(), 'base64'), format: 'der', type: 'spki' });
}
