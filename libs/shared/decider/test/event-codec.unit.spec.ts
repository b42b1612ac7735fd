import { UnknownEventVersionError, defineEventCodec } from '../src';

type Event = { type: 'Renamed'; data: { name: { first: string; last: string } } } | { type: 'Deleted'; data: Record<string, never> };

// Renamed v1 stored `{ name: "Ada Lovelace" }`; v2 `{ first, last }`; v3 (today) nests them under `name`.
const codec = defineEventCodec<Event>({
  Renamed: {
    version: 3,
    upcast: {
      1: (data) => {
        const [first, ...rest] = (data as { name: string }).name.split(' ');
        return { first, last: rest.join(' ') };
      },
      2: (data) => ({ name: data }),
    },
  },
  Deleted: { version: 1 },
});

describe('event codec', () => {
  it('upcasts every older version to today’s shape, step by step', () => {
    const today = { type: 'Renamed', data: { name: { first: 'Ada', last: 'Lovelace' } } };
    expect(codec.decode({ type: 'Renamed', schemaVersion: 1, data: { name: 'Ada Lovelace' } })).toEqual(today);
    expect(codec.decode({ type: 'Renamed', schemaVersion: 2, data: { first: 'Ada', last: 'Lovelace' } })).toEqual(today);
    expect(codec.decode({ type: 'Renamed', schemaVersion: 3, data: today.data })).toEqual(today);
  });

  it('reads an event without a recorded version as version 1', () => {
    expect(codec.decode({ type: 'Renamed', data: { name: 'Grace Hopper' } })).toEqual({ type: 'Renamed', data: { name: { first: 'Grace', last: 'Hopper' } } });
  });

  it('encodes with today’s version', () => {
    expect(codec.encode({ type: 'Deleted', data: {} })).toEqual({ type: 'Deleted', schemaVersion: 1, data: {} });
    expect(codec.versionOf('Renamed')).toBe(3);
  });

  it('says when a type is not its own, and refuses versions it cannot read', () => {
    expect(codec.decode({ type: 'SomethingElse', data: {} })).toBeUndefined();
    expect(codec.decode({ type: 'toString', data: {} })).toBeUndefined();
    expect(() => codec.decodeKnown({ type: 'SomethingElse', data: {} })).toThrow(UnknownEventVersionError);
    expect(() => codec.decode({ type: 'Renamed', schemaVersion: 4, data: {} })).toThrow(/newer Leakwatch/);
    const gap = defineEventCodec<Event>({ Renamed: { version: 2 }, Deleted: { version: 1 } });
    expect(() => gap.decode({ type: 'Renamed', schemaVersion: 1, data: {} })).toThrow(/no upcaster from v1 to v2/);
  });
});
