/**
 * The command loop of every event-sourced aggregate: read the stream, fold it with `evolve`, `decide`,
 * append with the revision we read. On a concurrent change (WrongExpectedRevisionError) decide again
 * against fresh state, so an update is never lost nor applied twice; give up after a few attempts.
 */
import { randomUUID } from 'node:crypto';
import { Decider, DecisionResult, EventCodec, replayStored } from '@leakwatch/decider';
import { EventMetadata, EventStore } from './event-store.port';
import { WrongExpectedRevisionError } from './errors';
import { GlobalPosition } from './position';

export interface DomainEventShape {
  type: string;
  data: unknown;
}

/** Folds with `decider`; stored events are read through `codec` (the context's one decoding/upcasting seam). */
export interface Aggregate<State, Command, Event extends DomainEventShape, Refusal> {
  decider: Decider<State, Command, Event, Refusal>;
  codec: EventCodec<Event>;
}

export interface DecideOutcome<State, Event, Refusal> {
  result: DecisionResult<Event, Refusal>;
  /** State after the new events (or the current state on refusal / no-op). */
  state: State;
  /** Revision of the stream's last event afterwards; -1 when it still does not exist. */
  revision: number;
  /** Position of the last appended event; absent when nothing was written (refusal or no-op). */
  position?: GlobalPosition;
}

export async function decideAndAppend<State, Command, Event extends DomainEventShape, Refusal>(
  store: EventStore,
  streamId: string,
  { decider, codec }: Aggregate<State, Command, Event, Refusal>,
  command: Command,
  metadata: EventMetadata,
  options: {
    maxAttempts?: number;
    /**
     * Event ids by position in the decision. Deterministic ids (derived from the message that caused the
     * command) make a redelivered command a no-op at the store, whatever it would decide the second time.
     */
    eventId?: (index: number) => string;
  } = {},
): Promise<DecideOutcome<State, Event, Refusal>> {
  const maxAttempts = options.maxAttempts ?? 10;
  for (let attempt = 1; ; attempt++) {
    const history = await store.readStream(streamId);
    const state = replayStored(decider, codec, history);
    const revision = history.length ? history[history.length - 1].revision : -1;
    const result = decider.decide(command, state);
    if (!result.ok || result.events.length === 0) return { result, state, revision };
    try {
      const appended = await store.appendToStream(
        streamId,
        result.events.map((e, i) => ({ id: options.eventId?.(i) ?? randomUUID(), ...codec.encode(e), metadata })),
        { expectedRevision: revision < 0 ? 'no_stream' : revision },
      );
      return { result, state: result.events.reduce(decider.evolve, state), revision: appended.nextExpectedRevision, position: appended.position };
    } catch (error) {
      if (!(error instanceof WrongExpectedRevisionError) || attempt >= maxAttempts) throw error;
      await new Promise((r) => setTimeout(r, Math.random() * 5 * attempt)); // de-synchronise competing writers
    }
  }
}

/** Current state of a stream (for queries that need the aggregate, e.g. `as_of`). */
export async function loadState<State, Event extends DomainEventShape>(
  store: EventStore,
  streamId: string,
  { decider, codec }: { decider: Pick<Decider<State, unknown, Event, unknown>, 'initialState' | 'evolve'>; codec: EventCodec<Event> },
): Promise<{ state: State; revision: number }> {
  const history = await store.readStream(streamId);
  return {
    state: replayStored(decider, codec, history),
    revision: history.length ? history[history.length - 1].revision : -1,
  };
}
