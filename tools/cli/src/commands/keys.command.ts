/**
 * `leakwatch keys bootstrap`: the recovery path for a lost bootstrap admin key. Anyone with access to the database
 * (DATABASE_URL, or the embedded one under LEAKWATCH_DATA_DIR) may run it: it rotates the bootstrap global_admin
 * key (or creates it, or with --new issues another global_admin key) straight in the event store, and prints the
 * key once. A running Leakwatch picks the change up from the store within moments; the old value stops working.
 */
import { randomUUID } from 'node:crypto';
import { Command } from 'commander';
import { ApiKeyState, apiKeyAggregate, apiKeyStream } from '@leakwatch/access-control/domain';
import { BOOTSTRAP_KEY_ID } from '@leakwatch/access-control/feature';
import { generateApiKey } from '@leakwatch/auth';
import { EventStore, decideAndAppend, loadState } from '@leakwatch/event-store';
import { openDatabase } from '../database';
import { openEventSource } from '../projections/event-source';

export function registerKeysCommand(program: Command): void {
  const keys = program.command('keys').description('API keys, with direct database access (recovery)');
  keys
    .command('bootstrap')
    .description('Rotate the bootstrap global_admin key (create it if missing) and print the new key once — the way back in when it is lost')
    .option('--new', 'issue an additional global_admin key instead of rotating the bootstrap one')
    .option('--name <name>', 'name of the key issued with --new', 'recovery global admin')
    .addHelpText('after', `\nExamples:\n  $ npm run leakwatch -- keys bootstrap\n  $ DATABASE_URL=postgres://... npm run leakwatch -- keys bootstrap --new --name "ops on-call"`)
    .action(async (options: { new?: boolean; name: string }) => {
      const db = await openDatabase();
      const source = await openEventSource(db.pool, db.describe).catch(async (error) => {
        await db.close();
        throw error;
      });
      try {
        const { keyId, key, action } = await bootstrapKey(source.store, options.new ? { name: options.name } : undefined);
        process.stderr.write(`${action} global_admin key ${keyId} in the ${source.describe}\n`);
        process.stdout.write(`${key}\n`);
        process.stderr.write('Shown once: store it now. Use it as the X-API-Key header.\n');
      } finally {
        await source.close();
        await db.close();
      }
    });
}

async function bootstrapKey(store: EventStore, fresh?: { name: string }): Promise<{ keyId: string; key: string; action: string }> {
  const at = new Date().toISOString();
  const metadata = { occurred_at: at, actor: { role: 'system', key_id: 'leakwatch-cli' }, correlation_id: randomUUID() };
  const { state }: { state: ApiKeyState } = await loadState(store, apiKeyStream(BOOTSTRAP_KEY_ID), apiKeyAggregate);
  // A revoked bootstrap key stays revoked (revocation is for good): a new key is issued instead.
  if (!fresh && state.status === 'active') {
    const secret = generateApiKey();
    const outcome = await decideAndAppend(store, apiKeyStream(BOOTSTRAP_KEY_ID), apiKeyAggregate, { type: 'RotateApiKey', keyId: BOOTSTRAP_KEY_ID, keyHash: secret.hash, prefix: secret.prefix, at }, metadata);
    if (!outcome.result.ok) throw new Error(`cannot rotate the bootstrap key: ${outcome.result.refusal}`);
    return { keyId: BOOTSTRAP_KEY_ID, key: secret.key, action: 'rotated the bootstrap' };
  }
  const keyId = !fresh && state.status === 'none' ? BOOTSTRAP_KEY_ID : randomUUID();
  const secret = generateApiKey();
  const name = fresh?.name ?? (keyId === BOOTSTRAP_KEY_ID ? 'bootstrap global admin' : 'recovery global admin');
  const outcome = await decideAndAppend(
    store, apiKeyStream(keyId), apiKeyAggregate,
    {
      type: 'IssueApiKey',
      at,
      key: { key_id: keyId, name, role: 'global_admin', org_id: null, user_email: null, type: 'private', limit: 1_000_000, expires_at: null, key_hash: secret.hash, prefix: secret.prefix },
    },
    metadata,
  );
  if (!outcome.result.ok) throw new Error(`cannot issue a key: ${outcome.result.refusal}`);
  return { keyId, key: secret.key, action: 'issued a new' };
}
