/**
 * In-memory adapter: for unit tests of domain and application logic only, never for integration tests.
 * Honours the full port contract (the contract suite runs against it too).
 */
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import {
  AppendOptions,
  AppendResult,
  EventStore,
  NewEvent,
  ReadAllOptions,
  ReadStreamOptions,
  RecordedEvent,
  SubscribeToAllOptions,
  Subscription,
} from '../event-store.port';
import { DuplicateEventIdError, WrongExpectedRevisionError } from '../errors';
import { assertValidAppend, matchesExpectedRevision } from '../expected-revision';
import { START, comparePositions } from '../position';
import { ChangeSignal, delay, startCatchUpSubscription } from '../subscription/catch-up-subscription';

export class InMemoryEventStore implements EventStore {
  private readonly all: RecordedEvent[] = [];
  private readonly streams = new Map<string, RecordedEvent[]>();
  private readonly byId = new Map<string, RecordedEvent>();
  private readonly changes = new EventEmitter();
  private readonly subscriptions = new Set<Subscription>();

  constructor(private readonly clock: () => Date = () => new Date()) {
    this.changes.setMaxListeners(0);
  }

  async appendToStream(streamId: string, events: NewEvent[], { expectedRevision }: AppendOptions): Promise<AppendResult> {
    assertValidAppend(streamId, events.length, expectedRevision);
    const stream = this.streams.get(streamId) ?? [];
    const existing = events.map((e) => this.byId.get(e.id)).filter((e): e is RecordedEvent => !!e);
    if (existing.length === events.length && existing.every((e) => e.streamId === streamId)) {
      const last = existing[existing.length - 1];
      return { nextExpectedRevision: stream.length - 1, position: last.position, written: false };
    }
    if (existing.length > 0) throw new DuplicateEventIdError(streamId, existing.map((e) => e.id));
    const current = stream.length - 1;
    if (!matchesExpectedRevision(expectedRevision, current)) {
      throw new WrongExpectedRevisionError(streamId, expectedRevision, current);
    }
    const recordedAt = this.clock();
    for (const event of events) {
      const sequence = BigInt(this.all.length + 1);
      const recorded: RecordedEvent = {
        id: event.id ?? randomUUID(),
        type: event.type,
        schemaVersion: event.schemaVersion ?? 1,
        streamId,
        revision: stream.length,
        position: { commit: sequence, prepare: sequence },
        data: structuredClone(event.data),
        metadata: structuredClone(event.metadata ?? {}),
        recordedAt,
      };
      stream.push(recorded);
      this.all.push(recorded);
      this.byId.set(recorded.id, recorded);
    }
    this.streams.set(streamId, stream);
    this.changes.emit('append');
    return {
      nextExpectedRevision: stream.length - 1,
      position: stream[stream.length - 1].position,
      written: true,
    };
  }

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    const stream = this.streams.get(streamId) ?? [];
    const max = options.maxCount ?? Number.MAX_SAFE_INTEGER;
    if (options.direction === 'backwards') {
      const from = options.fromRevision ?? stream.length - 1;
      return stream.filter((e) => e.revision <= from).reverse().slice(0, max);
    }
    const from = options.fromRevision ?? 0;
    return stream.filter((e) => e.revision >= from).slice(0, max);
  }

  async readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    const after = options.after ?? START;
    const max = options.maxCount ?? Number.MAX_SAFE_INTEGER;
    return this.all.filter((e) => comparePositions(e.position, after) > 0).slice(0, max);
  }

  subscribeToAll(options: SubscribeToAllOptions): Subscription {
    const changes: ChangeSignal = {
      wait: (timeoutMs, abort) => {
        const inner = new AbortController();
        const wake = () => inner.abort();
        this.changes.once('append', wake);
        abort.addEventListener('abort', wake, { once: true });
        return delay(timeoutMs, inner.signal).finally(() => {
          this.changes.off('append', wake);
          abort.removeEventListener('abort', wake);
        });
      },
    };
    const subscription = startCatchUpSubscription((o) => this.readAll(o), changes, options);
    this.subscriptions.add(subscription);
    return {
      stop: async () => {
        this.subscriptions.delete(subscription);
        await subscription.stop();
      },
    };
  }

  async close(): Promise<void> {
    await Promise.all([...this.subscriptions].map((s) => s.stop()));
    this.subscriptions.clear();
  }
}
