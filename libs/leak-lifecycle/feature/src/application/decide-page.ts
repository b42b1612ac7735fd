/**
 * A page of messages, each a command for one leak, decided and appended in one go: every leak stream the page
 * touches is loaded in one query, each command decided in page order against its leak's state, and all
 * resulting events appended in ONE multi-stream append with each stream's expected revision. A concurrent
 * change of one of those leaks (a user's decision) makes the append conflict as a whole: nothing is written,
 * the page is decided again against fresh state — never lost, never applied twice. Event ids derive from each
 * message's id: a message whose first event is already in its stream (a redelivery) is passed over.
 */
import { createHash } from 'node:crypto';
import { EventMetadata, EventStore, NewEvent, StreamAppend, WrongExpectedRevisionError } from '@leakwatch/event-store';
import { replayStored } from '@leakwatch/decider';
import { LeakCommand, LeakRefusal, LeakState, leakDecider, leakEventCodec, leakStream } from '@leakwatch/leak-lifecycle/domain';

/** A UUID (v5 layout) derived from a name: the same message always yields the same event ids. */
export function derivedUuid(name: string): string {
  const hex = createHash('sha1').update(name).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${((parseInt(hex[16], 16) & 0x3) | 0x8).toString(16)}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

export interface LeakMessage {
  /** The integration message id: event ids derive from it (`<id>/<index>`). */
  id: string;
  leakid: string;
  command: LeakCommand;
  metadata: EventMetadata;
}

export interface DecidePageResult {
  /** Events appended (0 for a redelivered page). */
  appended: number;
  /** Decide-and-append rounds (> 1 after a concurrent change). */
  attempts: number;
  /** Messages whose command the leak refused (e.g. an unknown leak), with the reason. */
  refused: Array<{ message: LeakMessage; reason: LeakRefusal }>;
}

export async function decidePage(store: EventStore, messages: LeakMessage[], maxAttempts = 10): Promise<DecidePageResult> {
  const streamIds = [...new Set(messages.map((m) => leakStream(m.leakid)))];
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
    const refused: DecidePageResult['refused'] = [];
    for (const message of messages) {
      const streamId = leakStream(message.leakid);
      const current = states.get(streamId) as { state: LeakState; revision: number; ids: Set<string> };
      if (current.ids.has(derivedUuid(`${message.id}/0`))) continue; // already recorded (redelivery)
      const result = leakDecider.decide(message.command, current.state);
      if (!result.ok) refused.push({ message, reason: result.refusal });
      if (!result.ok || !result.events.length) continue;
      const events: NewEvent[] = result.events.map((e, i) => ({ id: derivedUuid(`${message.id}/${i}`), type: e.type, data: e.data, metadata: message.metadata }));
      current.state = result.events.reduce(leakDecider.evolve, current.state);
      const append = appends.get(streamId) ?? { streamId, events: [], expectedRevision: current.revision < 0 ? 'no_stream' : current.revision };
      append.events.push(...events);
      appends.set(streamId, append);
    }
    if (!appends.size) return { appended: 0, attempts: attempt, refused };
    try {
      await store.appendToStreams([...appends.values()]);
      return { appended: [...appends.values()].reduce((n, a) => n + a.events.length, 0), attempts: attempt, refused };
    } catch (error) {
      if (!(error instanceof WrongExpectedRevisionError) || attempt >= maxAttempts) throw error;
      await new Promise((r) => setTimeout(r, Math.random() * 5 * attempt)); // de-synchronise competing writers
    }
  }
}
