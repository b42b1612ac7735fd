/**
 * `GET /api/v1/leaks/{leakid}?as_of=`: the leak as it was at a moment, every field folded from the stream's
 * events up to it — the same rules as the `ll_leaks` projection (fixed_at is the time of the change to
 * fixed, cleared by any other status), but nothing taken from today's row. Pure: events in, view out.
 * Only `type` is not history: it says what the leak is for the caller now (their key and verified domains).
 */
import { withoutPasswordHash } from '@leakwatch/contracts';
import { LeakState, leakDecider, leakEventCodec } from '@leakwatch/leak-lifecycle/domain';
import type { LeakView } from './leak-queries';

export interface TimedEvent {
  type: string;
  /** The stored schema version (absent: 1), for the codec. */
  schemaVersion?: number;
  data: unknown;
  revision: number;
  /** When it happened (`occurred_at`), as ISO 8601. */
  time: string;
}

export type LeakAsOfView = Omit<LeakView, 'type'> & { as_of: string };

/**
 * Folds the events that happened at or before `asOf`; undefined if the leak did not exist yet. An event takes
 * effect at its time but never before the event the stream recorded ahead of it (a token-use attempt a gateway
 * reports late, stamped earlier than a decision already recorded): the stream's order is the order of the
 * states, so each moment shows one of them — the same versions the list's `?as_of=` reads (`ll_leak_versions`).
 */
export function leakAsOf(events: readonly TimedEvent[], asOf: string): LeakAsOfView | undefined {
  const cutoff = Date.parse(asOf);
  let effective = -Infinity;
  let state: LeakState = leakDecider.initialState();
  let fixedAt: string | null = null;
  let revision = -1;
  const sources: string[] = [];
  for (const e of events) {
    effective = Math.max(effective, Date.parse(e.time));
    if (effective > cutoff) break;
    const event = leakEventCodec.decodeKnown(e);
    state = leakDecider.evolve(state, event);
    revision = e.revision;
    if (event.type === 'LeakStatusChanged') fixedAt = event.data.to === 'fixed' ? iso(e.time) : null;
    if (event.type === 'LeakDetected' && !sources.includes(event.data.source.name)) sources.push(event.data.source.name);
    if (event.type === 'LeakSighted' && !sources.includes(event.data.source.name)) sources.push(event.data.source.name);
  }
  if (state.status === 'none') return undefined;
  const d = withoutPasswordHash(state.leak);
  const email = d.identity?.email?.toLowerCase() ?? null;
  const username = d.identity?.username ?? null;
  const siteUrl = d.site?.url ?? null;
  const siteDomain = d.site?.domain?.toLowerCase() ?? null;
  return {
    leakid: d.leakid,
    kind: d.kind,
    secret_type: d.secret_type,
    preview: d.preview,
    fingerprint: d.kind === 'token' ? d.fingerprint : null,
    status: state.status,
    virtual_patch: state.virtualPatch,
    risk: d.risk,
    blockable: d.blockable,
    identity: email || username ? { email, username } : null,
    site: siteUrl || siteDomain ? { url: siteUrl, domain: siteDomain } : null,
    org_id: d.org_id,
    sources,
    sightings: state.sightings.length,
    attempts: state.attempts,
    first_seen: iso(state.firstSeen),
    last_seen: iso(state.lastSeen),
    fixed_at: fixedAt,
    revision,
    as_of: iso(asOf),
  };
}

function iso(time: string): string {
  return new Date(time).toISOString();
}
