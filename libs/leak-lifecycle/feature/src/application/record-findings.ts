/**
 * A page of findings becomes leaks in one go: every leak stream the page touches is loaded in one query,
 * each finding decided in page order against its leak's state, and all resulting events appended in ONE
 * multi-stream append with each stream's expected revision. A concurrent change of one of those leaks (a
 * user's decision) makes the append conflict as a whole: nothing is written, the page is decided again
 * against fresh state — never lost, never applied twice. Event ids derive from each finding's message id:
 * a finding whose event is already in its stream (a redelivery) is passed over.
 */
import { createHash } from 'node:crypto';
import type { FindingReceivedV1 } from '@leakwatch/contracts';
import { EventMetadata, EventStore, NewEvent, StreamAppend, WrongExpectedRevisionError } from '@leakwatch/event-store';
import { replayStored } from '@leakwatch/decider';
import { LeakState, leakDecider, leakEventCodec, leakStream } from '@leakwatch/leak-lifecycle/domain';

/** A UUID (v5 layout) derived from a name: the same finding always yields the same event ids. */
export function derivedUuid(name: string): string {
  const hex = createHash('sha1').update(name).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${((parseInt(hex[16], 16) & 0x3) | 0x8).toString(16)}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

export interface FindingMessage {
  /** The integration message id (the finding's event id). */
  id: string;
  finding: FindingReceivedV1;
  metadata: EventMetadata;
}

export interface RecordFindingsResult {
  /** Events appended (0 for a redelivered page). */
  appended: number;
  /** Decide-and-append rounds (> 1 after a concurrent change). */
  attempts: number;
}

export async function recordFindings(store: EventStore, messages: FindingMessage[], maxAttempts = 10): Promise<RecordFindingsResult> {
  const streamIds = [...new Set(messages.map((m) => leakStream(m.finding.leakid)))];
  for (let attempt = 1; ; attempt++) {
    const histories = await store.readStreams(streamIds);
    const appends = new Map<string, StreamAppend>();
    const states = new Map<string, { state: LeakState; revision: number; ids: Set<string> }>();
    for (const [streamId, history] of histories) {
      states.set(streamId, {
        state: replayStored(leakDecider, leakEventCodec, history),
        revision: history.length ? history[history.length - 1].revision : -1,
        ids: new Set(history.map((e) => e.id)),
      });
    }
    for (const message of messages) {
      const streamId = leakStream(message.finding.leakid);
      const current = states.get(streamId) as { state: LeakState; revision: number; ids: Set<string> };
      if (current.ids.has(derivedUuid(`${message.id}/0`))) continue; // already recorded (redelivery)
      const { found_at, batch_id: _batch, ...rest } = message.finding;
      const result = leakDecider.decide({ type: 'RecordFinding', finding: { ...rest, location: rest.location ?? null }, at: found_at }, current.state);
      if (!result.ok || !result.events.length) continue;
      const events: NewEvent[] = result.events.map((e, i) => ({ id: derivedUuid(`${message.id}/${i}`), type: e.type, data: e.data, metadata: message.metadata }));
      current.state = result.events.reduce(leakDecider.evolve, current.state);
      const append = appends.get(streamId) ?? { streamId, events: [], expectedRevision: current.revision < 0 ? 'no_stream' : current.revision };
      append.events.push(...events);
      appends.set(streamId, append);
    }
    if (!appends.size) return { appended: 0, attempts: attempt };
    try {
      await store.appendToStreams([...appends.values()]);
      return { appended: [...appends.values()].reduce((n, a) => n + a.events.length, 0), attempts: attempt };
    } catch (error) {
      if (!(error instanceof WrongExpectedRevisionError) || attempt >= maxAttempts) throw error;
      await new Promise((r) => setTimeout(r, Math.random() * 5 * attempt)); // de-synchronise competing writers
    }
  }
}
