/**
 * In-memory adapter: for unit tests of domain and application logic only, never for integration tests.
 * Honours the full port contract (the contract suite runs against it too).
 */
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import {
  AllStreamPage,
  AppendWithStatementResult,
  StatementInAppend,
  AppendOptions,
  AppendResult,
  EventStore,
  NewEvent,
  ReadAllOptions,
  ReadStreamOptions,
  RecordedEvent,
  SubscribeToAllOptions,
  StreamAppend,
  Subscription,
} from '../event-store.port';
import { DuplicateEventIdError, WrongExpectedRevisionError } from '../errors';
import { assertValidAppend, assertValidMultiAppend, matchesExpectedRevision, matchesFilter } from '../expected-revision';
import { START, comparePositions } from '../position';
import { ChangeSignal, startCatchUpSubscription } from '../subscription/catch-up-subscription';

export class InMemoryEventStore implements EventStore {
  readonly atomicMultiStreamAppend = true;
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
    return (await this.appendToStreams([{ streamId, events, expectedRevision }]))[0];
  }

  /** No SQL here: the statement is not run (`statement` absent); the caller applies its change itself. */
  async appendToStreamsWith(appends: StreamAppend[], _statement: StatementInAppend): Promise<AppendWithStatementResult> {
    return { results: await this.appendToStreams(appends) };
  }

  /** Checks every stream first, then writes: all or nothing, as the PostgreSQL adapter. */
  async appendToStreams(appends: StreamAppend[]): Promise<AppendResult[]> {
    assertValidMultiAppend(appends);
    const plans = appends.map((a) => this.plan(a.streamId, a.events, a.expectedRevision));
    const conflicts = plans.flatMap((p, i) => (p.kind === 'conflict' ? [{ streamId: appends[i].streamId, expected: appends[i].expectedRevision, actual: p.current }] : []));
    if (conflicts.length) throw new WrongExpectedRevisionError(conflicts[0].streamId, conflicts[0].expected, conflicts[0].actual, conflicts);
    const results = plans.map((p, i) => (p.kind === 'repeat' ? p.result : this.write(appends[i].streamId, appends[i].events)));
    if (results.some((r) => r.written)) this.changes.emit('append');
    return results;
  }

  private plan(streamId: string, events: NewEvent[], expectedRevision: AppendOptions['expectedRevision']):
    | { kind: 'repeat'; result: AppendResult }
    | { kind: 'conflict'; current: number }
    | { kind: 'write' } {
    const stream = this.streams.get(streamId) ?? [];
    const existing = events.map((e) => this.byId.get(e.id)).filter((e): e is RecordedEvent => !!e);
    if (existing.length === events.length && existing.every((e) => e.streamId === streamId)) {
      const last = existing[existing.length - 1];
      return { kind: 'repeat', result: { nextExpectedRevision: stream.length - 1, position: last.position, written: false } };
    }
    if (existing.length > 0) throw new DuplicateEventIdError(streamId, existing.map((e) => e.id));
    const current = stream.length - 1;
    return matchesExpectedRevision(expectedRevision, current) ? { kind: 'write' } : { kind: 'conflict', current };
  }

  private write(streamId: string, events: NewEvent[]): AppendResult {
    const stream = this.streams.get(streamId) ?? [];
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

  async readStreams(streamIds: readonly string[]): Promise<Map<string, RecordedEvent[]>> {
    return new Map(await Promise.all(streamIds.map(async (id) => [id, await this.readStream(id)] as const)));
  }

  async readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    return (await this.readAllPage(options)).events;
  }

  async readAllPage(options: ReadAllOptions = {}): Promise<AllStreamPage> {
    const after = options.after ?? START;
    const max = options.maxCount ?? Number.MAX_SAFE_INTEGER;
    const rest = this.all.filter((e) => comparePositions(e.position, after) > 0);
    const events = rest.filter((e) => matchesFilter(e, options.filter)).slice(0, max);
    const full = events.length >= max && events.length > 0;
    return { events, position: full ? events[events.length - 1].position : rest[rest.length - 1]?.position };
  }

  subscribeToAll(options: SubscribeToAllOptions): Subscription {
    const changes: ChangeSignal = {
      listen: (onChange) => {
        this.changes.on('append', onChange);
        return () => this.changes.off('append', onChange);
      },
    };
    const subscription = startCatchUpSubscription((o) => this.readAllPage(o), changes, options);
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
