import { InMemoryEventStore } from '@leakwatch/event-store';
import { AttemptRecorder } from '../src/tokens/attempt-recorder';

describe('attempt recorder', () => {
  const attempt = (n: number) => ({ leakid: 'a'.repeat(32), attempted_at: `2026-01-01T00:00:0${n}.000Z`, key_id: 'k', blocked: true });

  it('writes queued attempts in batches, and keeps flushing after an empty flush', async () => {
    const store = new InMemoryEventStore();
    const recorder = new AttemptRecorder(store);
    await recorder.flush(); // nothing queued: must not leave the recorder stuck
    recorder.record(attempt(1));
    recorder.record(attempt(2));
    await recorder.flush();
    recorder.record(attempt(3));
    await recorder.flush();
    const events = await store.readAll();
    expect(events.map((e) => [e.type, (e.data as { attempted_at: string }).attempted_at])).toEqual([
      ['LeakedTokenUseAttempted', '2026-01-01T00:00:01.000Z'],
      ['LeakedTokenUseAttempted', '2026-01-01T00:00:02.000Z'],
      ['LeakedTokenUseAttempted', '2026-01-01T00:00:03.000Z'],
    ]);
    expect(new Set(events.map((e) => e.streamId)).size).toBe(2);
    expect(events.every((e) => e.streamId.startsWith('gateway-attempts-'))).toBe(true);
  });

  it('keeps attempts queued while the store fails, and writes them later', async () => {
    const store = new InMemoryEventStore();
    const recorder = new AttemptRecorder(store);
    const append = store.appendToStream.bind(store);
    store.appendToStream = async () => Promise.reject(new Error('database down'));
    recorder.record(attempt(1));
    await recorder.flush();
    expect(await store.readAll()).toHaveLength(0);
    store.appendToStream = append;
    await recorder.flush();
    expect(await store.readAll()).toHaveLength(1);
  });
});
