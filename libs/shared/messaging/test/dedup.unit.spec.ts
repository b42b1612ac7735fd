import { dedupHandler, InMemoryProcessedMessages } from '../src';
import { testEvent } from './helpers';

describe('InMemoryProcessedMessages', () => {
  it('runs the work once per consumer and event id', async () => {
    const processed = new InMemoryProcessedMessages();
    const runs: string[] = [];
    expect(await processed.runOnce('projection', 'e1', async () => void runs.push('a'))).toBe(true);
    expect(await processed.runOnce('projection', 'e1', async () => void runs.push('b'))).toBe(false);
    expect(await processed.runOnce('other', 'e1', async () => void runs.push('c'))).toBe(true);
    expect(runs).toEqual(['a', 'c']);
  });

  it('records nothing when the work throws, so a retry runs it again', async () => {
    const processed = new InMemoryProcessedMessages();
    await expect(processed.runOnce('c', 'e1', async () => { throw new Error('boom'); })).rejects.toThrow('boom');
    expect(processed.has('c', 'e1')).toBe(false);
    let ran = false;
    expect(await processed.runOnce('c', 'e1', async () => void (ran = true))).toBe(true);
    expect(ran).toBe(true);
  });

  it('serialises concurrent duplicates: the second waits and then skips', async () => {
    const processed = new InMemoryProcessedMessages();
    let runs = 0;
    const slow = async () => {
      runs++;
      await new Promise((r) => setTimeout(r, 20));
    };
    const results = await Promise.all([processed.runOnce('c', 'e', slow), processed.runOnce('c', 'e', slow)]);
    expect(results.sort()).toEqual([false, true]);
    expect(runs).toBe(1);
  });

  it('dedupHandler applies a redelivered event once', async () => {
    const processed = new InMemoryProcessedMessages();
    const applied: string[] = [];
    const handler = dedupHandler(processed, 'stats', async (event) => void applied.push(event.id));
    const event = testEvent('k');
    await handler(event);
    await handler(event);
    expect(applied).toEqual([event.id]);
  });
});
