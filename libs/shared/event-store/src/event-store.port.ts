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

/**
 * Which events of the all-stream a reader wants, evaluated by the store (indexed columns in PostgreSQL).
 * An event matches when its stream category (the stream id before the first `-`) is one of
 * `streamCategories` (if given) AND its type is one of `eventTypes` (if given). No filter = every event.
 */
export interface AllStreamFilter {
  streamCategories?: readonly string[];
  eventTypes?: readonly string[];
}

export interface ReadAllOptions {
  /** Exclusive: events strictly after this position. Defaults to the start. */
  after?: GlobalPosition;
  maxCount?: number;
  filter?: AllStreamFilter;
}

/**
 * One page of a (filtered) all-stream read. `position` is how far the store looked: the last event when the
 * page is full, else the last event visible to readers (also when nothing matched), so a reader's checkpoint
 * moves past events it does not want. Undefined only when nothing at all lies after `after`.
 */
export interface AllStreamPage {
  events: RecordedEvent[];
  position?: GlobalPosition;
}

/** One stream's part of an atomic multi-stream append. */
export interface StreamAppend {
  streamId: string;
  events: NewEvent[];
  expectedRevision: ExpectedRevision;
}

/**
 * A statement run inside an append's own transaction (PostgreSQL): after the events are inserted, only when
 * every stream was written (no repeat, no conflict, no duplicate id). It fails → nothing is appended. It takes
 * one parameter, `$1` (jsonb: `param`), and returns one jsonb value (first column of its first row), e.g. a
 * read model's rows changed with the append, so a command's own rows cost no round trip of their own.
 */
export interface StatementInAppend {
  sql: string;
  param: unknown;
}

export interface AppendWithStatementResult {
  results: AppendResult[];
  /**
   * Present when the statement ran in the append's transaction (and committed with it). Absent when the
   * adapter cannot run SQL there (in-memory, KurrentDB: the caller applies its change itself, as a fallback)
   * or when not every stream was written (a repeat).
   */
  statement?: { value: unknown };
}

export interface SubscribeToAllOptions {
  /** Exclusive checkpoint: delivery starts strictly after it. Defaults to the start. */
  after?: GlobalPosition;
  /** Only these events are delivered; see AllStreamFilter. */
  filter?: AllStreamFilter;
  /** Awaited for each event in order; the next event is delivered only after it resolves. Give this or `onPage`. */
  onEvent?: (event: RecordedEvent) => Promise<void> | void;
  /**
   * Awaited for each page in order (its events may be empty when only `position` moved: events the filter
   * left out). A consumer that handles a page in one transaction saves `position` as its checkpoint.
   */
  onPage?: (page: AllStreamPage & { position: GlobalPosition }) => Promise<void> | void;
  /** Called once if the subscription dies (handler threw or the store failed). */
  onError?: (error: unknown) => void;
  /** Events fetched per read; adapters pick a sensible default. */
  batchSize?: number;
  /**
   * After a page that was not full, the next read starts no sooner than this long after the previous one
   * began (default 0): appends meanwhile come as one page. A change signalled meanwhile is not lost. Adapters
   * that push events (KurrentDB) may ignore it.
   */
  coalesceMs?: number;
}

export interface Subscription {
  /** Stops delivery; resolves after the in-flight handler (if any) finished. */
  stop(): Promise<void>;
}

export interface EventStore {
  appendToStream(streamId: string, events: NewEvent[], options: AppendOptions): Promise<AppendResult>;
  /**
   * Appends to several streams, each with its own expected revision, in one transaction where the adapter
   * can (`atomicMultiStreamAppend`): all streams are written or none. A stream whose events are all stored
   * already is an idempotent repeat (`written: false`) and does not stop the others. The first conflict
   * throws WrongExpectedRevisionError (with `conflicts` naming every conflicting stream) and writes nothing.
   * Results are in the order of `appends`; a stream may appear only once.
   */
  appendToStreams(appends: StreamAppend[]): Promise<AppendResult[]>;
  /**
   * appendToStreams, and `statement` in the same transaction where the adapter can (PostgreSQL: still one
   * round trip). Same rules, results and errors as appendToStreams; see StatementInAppend.
   */
  appendToStreamsWith(appends: StreamAppend[], statement: StatementInAppend): Promise<AppendWithStatementResult>;
  /** True when appendToStreams is all or nothing (PostgreSQL, in-memory); false = stream by stream (KurrentDB). */
  readonly atomicMultiStreamAppend: boolean;
  /** Returns [] for a stream that does not exist. */
  readStream(streamId: string, options?: ReadStreamOptions): Promise<RecordedEvent[]>;
  /** Several whole streams at once (PostgreSQL: one query); a missing stream maps to []. */
  readStreams(streamIds: readonly string[]): Promise<Map<string, RecordedEvent[]>>;
  readAll(options?: ReadAllOptions): Promise<RecordedEvent[]>;
  /** A page of the (filtered) all-stream and the position the read reached. */
  readAllPage(options?: ReadAllOptions): Promise<AllStreamPage>;
  subscribeToAll(options: SubscribeToAllOptions): Subscription;
  close(): Promise<void>;
}

/** Injection token for the configured adapter. */
export const EVENT_STORE = Symbol('EVENT_STORE');
