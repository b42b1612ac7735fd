/**
 * The decider pattern shared by every aggregate: `decide` turns a command into events (or a refusal),
 * `evolve` folds events into state. Pure: no clock, random or I/O — time and ids enter through commands,
 * so replaying a stream always rebuilds the same state.
 */
import type { EventCodec, StoredEventShape } from './event-codec';

export interface Decider<State, Command, Event, Refusal = never> {
  initialState: () => State;
  decide: (command: Command, state: State) => DecisionResult<Event, Refusal>;
  evolve: (state: State, event: Event) => State;
}

/** Events to append (possibly none: an idempotent no-op), or a refusal reason for the edge to map to 4xx. */
export type DecisionResult<Event, Refusal> = { ok: true; events: Event[] } | { ok: false; refusal: Refusal };

export const accept = <Event>(...events: Event[]): DecisionResult<Event, never> => ({ ok: true, events });
export const refuse = <Refusal>(refusal: Refusal): DecisionResult<never, Refusal> => ({ ok: false, refusal });

export function replay<State, Event>(decider: Pick<Decider<State, unknown, Event, unknown>, 'initialState' | 'evolve'>, events: Iterable<Event>): State {
  let state = decider.initialState();
  for (const event of events) state = decider.evolve(state, event);
  return state;
}

/** Folds stored events through the context's codec (upcasting old shapes) into the decider's state. */
export function replayStored<State, Event extends { type: string; data: unknown }>(
  decider: Pick<Decider<State, unknown, Event, unknown>, 'initialState' | 'evolve'>,
  codec: EventCodec<Event>,
  stored: Iterable<StoredEventShape>,
): State {
  let state = decider.initialState();
  for (const event of stored) state = decider.evolve(state, codec.decodeKnown(event));
  return state;
}

/** Compile-time exhaustiveness for unions on `type`/`status`. */
export function assertNever(value: never, what = 'value'): never {
  throw new Error(`Unexpected ${what}: ${JSON.stringify(value)}`);
}
