import { InMemoryEventStore } from '@leakwatch/event-store';
import { AttemptFolder } from '../src/tokens/attempt-folding';
import { AttemptRecorder } from '../src/tokens/attempt-recorder';

const leakA = 'a'.repeat(32);
const leakB = 'b'.repeat(32);
const attempt = (n: number, leakid = leakA, key_id: string | null = 'k', blocked = true) => ({ leakid, attempted_at: `2026-01-01T00:00:0${n}.000Z`, key_id, blocked });

describe('attempt folding', () => {
  it('given repeats of one token by one key, when taken, then one report with the count, the first and the last time', () => {
    const folder = new AttemptFolder();
    folder.add(attempt(3));
    folder.add(attempt(1));
    folder.add(attempt(2));
    expect(folder.take()).toEqual([{ leakid: leakA, key_id: 'k', blocked: true, attempted_at: '2026-01-01T00:00:03.000Z', count: 3, first_attempted_at: '2026-01-01T00:00:01.000Z' }]);
    expect(folder.size).toBe(0);
  });

  it('given another leak, key, verdict or UTC day, then separate reports, in arrival order; a single attempt has no count', () => {
    const folder = new AttemptFolder();
    folder.add(attempt(1));
    folder.add(attempt(1, leakB));
    folder.add(attempt(1, leakA, 'other'));
    folder.add(attempt(1, leakA, null));
    folder.add(attempt(1, leakA, 'k', false));
    folder.add({ ...attempt(1), attempted_at: '2026-01-02T00:00:01.000Z' });
    const reports = folder.take();
    expect(reports).toHaveLength(6);
    expect(reports[0]).toEqual({ leakid: leakA, key_id: 'k', blocked: true, attempted_at: '2026-01-01T00:00:01.000Z' });
    expect(reports.map((r) => [r.leakid[0], r.key_id, r.blocked, r.attempted_at.slice(0, 10)])).toEqual([
      ['a', 'k', true, '2026-01-01'], ['b', 'k', true, '2026-01-01'], ['a', 'other', true, '2026-01-01'],
      ['a', null, true, '2026-01-01'], ['a', 'k', false, '2026-01-01'], ['a', 'k', true, '2026-01-02'],
    ]);
  });

  it('given folded reports added back (a failed write), then their counts add up', () => {
    const folder = new AttemptFolder();
    folder.add({ ...attempt(2), count: 5, first_attempted_at: '2026-01-01T00:00:00.000Z' });
    folder.add(attempt(4));
    expect(folder.take()).toEqual([expect.objectContaining({ count: 6, first_attempted_at: '2026-01-01T00:00:00.000Z', attempted_at: '2026-01-01T00:00:04.000Z' })]);
  });

  it('given a full window, then a new report is refused but repeats of pending ones are still counted', () => {
    const folder = new AttemptFolder();
    expect(folder.add(attempt(1), 1)).toBe(true);
    expect(folder.add(attempt(1, leakB), 1)).toBe(false);
    expect(folder.add(attempt(2), 1)).toBe(true);
    expect(folder.take()).toEqual([expect.objectContaining({ leakid: leakA, count: 2 })]);
  });
});

describe('attempt recorder', () => {
  it('writes the window as folded reports, and keeps flushing after an empty flush', async () => {
    const store = new InMemoryEventStore();
    const recorder = new AttemptRecorder(store);
    await recorder.flush(); // nothing pending: must not leave the recorder stuck
    recorder.record(attempt(1));
    recorder.record(attempt(2));
    recorder.record(attempt(2, leakB));
    await recorder.flush();
    recorder.record(attempt(3));
    await recorder.flush();
    const events = await store.readAll();
    expect(events.map((e) => [e.type, e.data])).toEqual([
      ['LeakedTokenUseAttempted', { leakid: leakA, key_id: 'k', blocked: true, attempted_at: '2026-01-01T00:00:02.000Z', count: 2, first_attempted_at: '2026-01-01T00:00:01.000Z' }],
      ['LeakedTokenUseAttempted', { leakid: leakB, key_id: 'k', blocked: true, attempted_at: '2026-01-01T00:00:02.000Z' }],
      ['LeakedTokenUseAttempted', { leakid: leakA, key_id: 'k', blocked: true, attempted_at: '2026-01-01T00:00:03.000Z' }],
    ]);
    expect(new Set(events.map((e) => e.streamId)).size).toBe(2);
    expect(events.every((e) => e.streamId.startsWith('gateway-attempts-'))).toBe(true);
  });

  it('keeps attempts pending while the store fails, folds what comes meanwhile, and writes them later', async () => {
    const store = new InMemoryEventStore();
    const recorder = new AttemptRecorder(store);
    const append = store.appendToStream.bind(store);
    store.appendToStream = async () => Promise.reject(new Error('database down'));
    recorder.record(attempt(1));
    await recorder.flush();
    expect(await store.readAll()).toHaveLength(0);
    recorder.record(attempt(2));
    store.appendToStream = append;
    await recorder.flush();
    const events = await store.readAll();
    expect(events.map((e) => e.data)).toEqual([expect.objectContaining({ count: 2, first_attempted_at: '2026-01-01T00:00:01.000Z' })]);
  });
});
