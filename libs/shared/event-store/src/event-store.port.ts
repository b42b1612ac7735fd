/**
 * The event store port: every adapter (PostgreSQL, KurrentDB, in-memory) implements exactly this,
 * and one contract suite (test/event-store.contract.ts) holds them all to the same behaviour.
 */
import { GlobalPosition } from './position';

/** Who did it; copied onto every event so the audit history answers "who" without a join. */
export interface Actor {
  key_id?: string;
  user_email?: string;
  org_id?: string;
  role?: string;
}

export interface EventMetadata {
  occurred_at?: string;
  actor?: Actor;
  correlation_id?: string;
  causation_id?: string;
  [extra: string]: unknown;
}

export interface NewEvent<Data = unknown> {
  /** UUID chosen by the writer: appending the same id again is a no-op (idempotent retries). */
  id: string;
  /** Explicit persisted name, never a class name. */
  type: string;
  schemaVersion?: number;
  data: Data;
  metadata?: EventMetadata;
}

export interface RecordedEvent<Data = unknown> {
  id: string;
  type: string;
  schemaVersion: number;
  streamId: string;
  /** 0-based position inside the stream. */
  revision: number;
  /** Position in the all-stream; totally ordered, see position.ts. */
  position: GlobalPosition;
  data: Data;
  metadata: EventMetadata;
  recordedAt: Date;
}

/**
 * Optimistic concurrency: `no_stream` (must not exist), `stream_exists`, an exact revision
 * (the revision of the stream's last event), or `any` (no check).
 */
export type ExpectedRevision = 'any' | 'no_stream' | 'stream_exists' | number;

export interface AppendOptions {
  expectedRevision: ExpectedRevision;
}

export interface AppendResult {
  /** Revision of the stream's last event after the append: the next `expectedRevision`. */
  nextExpectedRevision: number;
  /** Position of the last appended event. */
  position: GlobalPosition;
  /** False when every event id was already stored (an idempotent repeat wrote nothing). */
  written: boolean;
}

export type ReadDirection = 'forwards' | 'backwards';

export interface ReadStreamOptions {
  direction?: ReadDirection;
  /** Inclusive; defaults to the first (forwards) or last (backwards) event. */
  fromRevision?: number;
  maxCount?: number;
}

export interface ReadAllOptions {
  /** Exclusive: events strictly after this position. Defaults to the start. */
  after?: GlobalPosition;
  maxCount?: number;
}

export interface SubscribeToAllOptions {
  /** Exclusive checkpoint: delivery starts strictly after it. Defaults to the start. */
  after?: GlobalPosition;
  /** Awaited for each event in order; the next event is delivered only after it resolves. */
  onEvent: (event: RecordedEvent) => Promise<void> | void;
  /** Called once if the subscription dies (handler threw or the store failed). */
  onError?: (error: unknown) => void;
  /** Events fetched per read; adapters pick a sensible default. */
  batchSize?: number;
}

export interface Subscription {
  /** Stops delivery; resolves after the in-flight handler (if any) finished. */
  stop(): Promise<void>;
}

export interface EventStore {
  appendToStream(streamId: string, events: NewEvent[], options: AppendOptions): Promise<AppendResult>;
  /** Returns [] for a stream that does not exist. */
  readStream(streamId: string, options?: ReadStreamOptions): Promise<RecordedEvent[]>;
  readAll(options?: ReadAllOptions): Promise<RecordedEvent[]>;
  subscribeToAll(options: SubscribeToAllOptions): Subscription;
  close(): Promise<void>;
}

/** Injection token for the configured adapter. */
export const EVENT_STORE = Symbol('EVENT_STORE');
