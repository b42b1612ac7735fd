/**
 * The token index's table (`gw_leak_tokens`) as a registered topic read model, for `leakwatch projections
 * rebuild gateway-tokens`: the same rows TokenIndexFeed writes live (same insert, same revision-guarded patch
 * statement), in SQL alone — a gateway loads its in-memory index from the table when it starts. The change
 * log (`gw_blocklist_log`) is not emptied by a rebuild: gateways page through it by sequence number, so
 * replayed patches are appended to it again (applying a change twice is harmless for a follower).
 */
import { FINGERPRINT_PATTERN, readLeakEventV1 } from '@leakwatch/contracts';
import { CloudEvent, TOPICS, TopicReadModel } from '@leakwatch/messaging';
import { DetectedToken, TOKEN_INDEX_SCHEMA_SQL, TokenEntry, insertTokens, setBlockedRow, tokenEntry } from './token-index';

/** The leak stream's revision a message carries (its `streamrevision` extension), if it is a whole number. */
function streamRevision(event: CloudEvent): number | undefined {
  const revision = Number(event.extensions?.streamrevision);
  return Number.isInteger(revision) ? revision : undefined;
}

/**
 * A token `LeakDetected` as the index needs it, read through the leaks.v1 contract. Tokens only: a password
 * is never matchable by a token check (see token-index.ts), and a masked token has no fingerprint.
 */
export function detectedToken(event: CloudEvent): { token: DetectedToken; revision: number } | undefined {
  const read = readLeakEventV1(event.type, event.data);
  const revision = streamRevision(event);
  if (read?.type !== 'LeakDetected' || revision === undefined) return undefined;
  const d = read.data;
  if (d.kind !== 'token' || d.fingerprint === null || !FINGERPRINT_PATTERN.test(d.fingerprint)) return undefined;
  return { token: { leakid: d.leakid, fingerprint: d.fingerprint, identityEmail: d.identity?.email, siteDomain: d.site?.domain, orgId: d.org_id }, revision };
}

/** A patch event's leak, on/off and revision; undefined for every other event. */
export function patchOf(event: CloudEvent): { leakid: string; blocked: boolean; revision: number } | undefined {
  const read = readLeakEventV1(event.type, event.data);
  const revision = streamRevision(event);
  if (revision === undefined || (read?.type !== 'VirtualPatchApplied' && read?.type !== 'VirtualPatchRemoved')) return undefined;
  return { leakid: read.data.leakid, blocked: read.type === 'VirtualPatchApplied', revision };
}

export const tokenIndexReadModel: TopicReadModel = {
  name: 'gateway-tokens',
  topic: TOPICS.leaks,
  tables: ['gw_leak_tokens'],
  setup: async (client) => void (await client.query(TOKEN_INDEX_SCHEMA_SQL)),
  async applyMessages(messages, client) {
    let run = new Map<string, TokenEntry>();
    const flush = async () => {
      if (run.size) await insertTokens(client, [...run.values()]);
      run = new Map();
    };
    for (const message of messages) {
      const detected = message.type === 'LeakDetected' ? detectedToken(message) : undefined;
      if (detected) {
        if (!run.has(detected.token.leakid)) run.set(detected.token.leakid, tokenEntry(detected.token, detected.revision));
        continue;
      }
      const patch = patchOf(message);
      if (!patch) continue;
      await flush();
      await setBlockedRow(client, patch.leakid, patch.blocked, patch.revision);
    }
    await flush();
  },
};
