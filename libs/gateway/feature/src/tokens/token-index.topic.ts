/**
 * The token index's table (`gw_leak_tokens`) as a registered topic read model, for `leakwatch projections
 * rebuild gateway-tokens`: the same rows TokenIndexFeed writes live (same insert, same revision-guarded patch
 * statement), in SQL alone — a gateway loads its in-memory index from the table when it starts. The change
 * log (`gw_blocklist_log`) is not emptied by a rebuild: gateways page through it by sequence number, so
 * replayed patches are appended to it again (applying a change twice is harmless for a follower).
 */
import { CloudEvent, TOPICS, TopicReadModel } from '@leakwatch/messaging';
import { DetectedToken, TOKEN_INDEX_SCHEMA_SQL, TokenEntry, insertTokens, setBlockedRow, tokenEntry } from './token-index';

/**
 * A token `LeakDetected` as the index needs it. Tokens only: old credential events carry their password's plain
 * hash (issue 15.4), and a password is never matchable by a token check anyway (see token-index.ts).
 */
export function detectedToken(event: CloudEvent): { token: DetectedToken; revision: number } | undefined {
  const data = event.data as {
    leakid?: string;
    kind?: string;
    fingerprint?: string | null;
    identity?: { email?: string | null } | null;
    site?: { domain?: string | null } | null;
    org_id?: string | null;
  } | null;
  const revision = Number(event.extensions?.streamrevision);
  if (!data?.leakid || !Number.isInteger(revision)) return undefined;
  if (data.kind !== 'token' || typeof data.fingerprint !== 'string' || !/^[0-9a-f]{64}$/.test(data.fingerprint)) return undefined;
  return { token: { leakid: data.leakid, fingerprint: data.fingerprint, identityEmail: data.identity?.email, siteDomain: data.site?.domain, orgId: data.org_id }, revision };
}

/** A patch event's leak, on/off and revision; undefined for every other event. */
export function patchOf(event: CloudEvent): { leakid: string; blocked: boolean; revision: number } | undefined {
  if (event.type !== 'VirtualPatchApplied' && event.type !== 'VirtualPatchRemoved') return undefined;
  const leakid = (event.data as { leakid?: unknown } | null)?.leakid;
  const revision = Number(event.extensions?.streamrevision);
  return typeof leakid === 'string' && Number.isInteger(revision) ? { leakid, blocked: event.type === 'VirtualPatchApplied', revision } : undefined;
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
