/**
 * Given/when/then for deciders: given past events, when a command, then these events (or this refusal).
 * Uses jest's `expect`, so a mismatch shows a readable diff.
 */
import type { Decider } from '@leakwatch/decider';

export const DeciderSpecification = {
  for<State, Command, Event, Refusal>(decider: Decider<State, Command, Event, Refusal>) {
    return {
      given(events: Event[]) {
        return {
          when(command: Command) {
            const state = events.reduce(decider.evolve, decider.initialState());
            const result = decider.decide(command, state);
            return {
              then(expected: Event[]) {
                expect(result).toEqual({ ok: true, events: expected });
              },
              thenRefuses(refusal: Refusal) {
                expect(result).toEqual({ ok: false, refusal });
              },
              thenState(expected: State) {
                if (!result.ok) throw new Error(`expected events, got refusal ${JSON.stringify(result.refusal)}`);
                expect(result.events.reduce(decider.evolve, state)).toEqual(expected);
              },
            };
          },
        };
      },
    };
  },
};
