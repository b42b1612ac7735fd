/** Dedup for unit tests and throwaway consumers: ids in a Set, concurrent duplicates serialised per id. */
import { ProcessedMessages } from './processed-messages.port';

export class InMemoryProcessedMessages implements ProcessedMessages<undefined> {
  private readonly done = new Set<string>();
  private readonly running = new Map<string, Promise<unknown>>();

  async runOnce(consumer: string, eventId: string, work: (tx: undefined) => Promise<void>): Promise<boolean> {
    const id = `${consumer}\u0000${eventId}`;
    // A concurrent duplicate waits for the first attempt: if that one fails, this one must still run.
    for (let pending = this.running.get(id); pending; pending = this.running.get(id)) await pending.catch(() => undefined);
    if (this.done.has(id)) return false;
    const attempt = work(undefined);
    this.running.set(id, attempt);
    try {
      await attempt;
      this.done.add(id);
      return true;
    } finally {
      this.running.delete(id);
    }
  }

  has(consumer: string, eventId: string): boolean {
    return this.done.has(`${consumer}\u0000${eventId}`);
  }
}
