import { accept, assertNever, refuse, replay } from '../src';

describe('decider helpers', () => {
  it('accept wraps events, refuse a reason', () => {
    expect(accept({ type: 'A' }, { type: 'B' })).toEqual({ ok: true, events: [{ type: 'A' }, { type: 'B' }] });
    expect(accept()).toEqual({ ok: true, events: [] });
    expect(refuse('nope')).toEqual({ ok: false, refusal: 'nope' });
  });

  it('replay folds events from the initial state', () => {
    const decider = { initialState: () => 1, evolve: (s: number, e: { by: number }) => s * e.by };
    expect(replay(decider, [{ by: 2 }, { by: 3 }])).toBe(6);
    expect(replay(decider, [])).toBe(1);
  });

  it('assertNever names the unexpected value', () => {
    expect(() => assertNever('x' as never, 'command')).toThrow('Unexpected command: "x"');
  });
});
