import { Decider, accept, refuse, replay } from '@leakwatch/decider';
import { DeciderSpecification } from '../src';

// A tiny counter aggregate proves the pattern and the given/when/then helper end to end.
type State = { count: number; closed: boolean };
type Command = { type: 'Add'; by: number } | { type: 'Close' };
type Event = { type: 'Added'; by: number } | { type: 'Closed' };
type Refusal = 'closed' | 'non-positive';

const counter: Decider<State, Command, Event, Refusal> = {
  initialState: () => ({ count: 0, closed: false }),
  decide: (command, state) => {
    if (state.closed) return refuse('closed');
    switch (command.type) {
      case 'Add':
        return command.by > 0 ? accept({ type: 'Added', by: command.by }) : refuse('non-positive');
      case 'Close':
        return accept({ type: 'Closed' });
    }
  },
  evolve: (state, event) => (event.type === 'Added' ? { ...state, count: state.count + event.by } : { ...state, closed: true }),
};

describe('decider pattern', () => {
  const spec = DeciderSpecification.for(counter);

  it('accepts a valid command', () => spec.given([{ type: 'Added', by: 2 }]).when({ type: 'Add', by: 3 }).then([{ type: 'Added', by: 3 }]));
  it('refuses with a reason', () => spec.given([{ type: 'Closed' }]).when({ type: 'Add', by: 1 }).thenRefuses('closed'));
  it('refuses bad input', () => spec.given([]).when({ type: 'Add', by: 0 }).thenRefuses('non-positive'));
  it('replays events into state', () => expect(replay(counter, [{ type: 'Added', by: 2 }, { type: 'Added', by: 5 }])).toEqual({ count: 7, closed: false }));
  it('the helper fails when expectations differ', () => {
    expect(() => spec.given([]).when({ type: 'Add', by: 1 }).then([{ type: 'Added', by: 2 }])).toThrow();
    expect(() => spec.given([]).when({ type: 'Add', by: 1 }).thenRefuses('closed')).toThrow();
  });
});
