import { BlockedSet, BlocklistChange } from '../src';

const change = (seq: number, sha256: string, leakid: string, blocked: boolean): BlocklistChange => ({ seq, sha256, leakid, blocked });
const given = (...changes: BlocklistChange[]) => {
  const set = new BlockedSet();
  changes.forEach((c) => set.apply(c));
  return set;
};

describe('BlockedSet', () => {
  it('blocks a fingerprint once a leak blocks it', () => {
    expect(given(change(1, 'f1', 'l1', true)).has('f1')).toBe(true);
  });

  it('unblocks it when that leak is unblocked', () => {
    expect(given(change(1, 'f1', 'l1', true), change(2, 'f1', 'l1', false)).has('f1')).toBe(false);
  });

  it('keeps a token blocked while another leak of the same token still blocks it', () => {
    const set = given(change(1, 'f1', 'l1', true), change(2, 'f1', 'l2', true), change(3, 'f1', 'l1', false));
    expect(set.has('f1')).toBe(true);
    expect(set.size).toBe(1);
  });

  it('ignores an unblock of a fingerprint it never had, and repeated changes', () => {
    const set = given(change(1, 'f9', 'l9', false), change(2, 'f1', 'l1', true), change(3, 'f1', 'l1', true));
    expect(set.has('f9')).toBe(false);
    expect(set.size).toBe(1);
  });

  it('answers at least a million lookups per second', () => {
    const set = new BlockedSet();
    const fingerprints = Array.from({ length: 10_000 }, (_, i) => i.toString(16).padStart(64, '0'));
    fingerprints.forEach((f, i) => set.apply(change(i, f, `l${i}`, i % 2 === 0)));
    const started = process.hrtime.bigint();
    let hits = 0;
    for (let i = 0; i < 2_000_000; i++) if (set.has(fingerprints[i % fingerprints.length])) hits++;
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    expect(hits).toBe(1_000_000);
    expect(2_000_000 / seconds).toBeGreaterThan(1_000_000);
  });
});
