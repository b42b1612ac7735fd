/**
 * One all-stream reader per store instance, shared by that process's catch-up subscriptions: pages of new events
 * are read — under the union of the subscribers' filters — and decoded once, kept in a bounded buffer, and each
 * subscriber is served from it exactly the events its own filter selects, with the position the shared read
 * reached (so its checkpoint moves past events it does not want). Before, every subscriber of leak events read and
 * decoded each of them itself: seven times in the embedded mode.
 *
 * What stays as with separate reads:
 * - Order and the gap-free horizon: the buffer holds only what `readPage` returned — contiguous ranges of the
 *   all-stream, each below the horizon of its read, which never moves back — so serving a range later is the
 *   same as reading it again.
 * - Freshness: a subscription says which signal its read must not predate (`freshAfter`, a moment of
 *   `nextMoment`); the buffer answers "nothing more" only when its last read of the tail began after that moment,
 *   else it reads the tail again (once for every subscriber waiting there). A poll or a horizon retry asks for a
 *   read that begins after the request itself.
 * - A subscriber that is far behind (below the buffer) or ahead of it (its own reads took it past the buffer's
 *   end) reads on its own, as before, until its position falls inside the buffer again.
 *
 * Memory: the buffer holds at most `maxBufferedEvents` events (plus one page). A range still needed by a slow
 * subscriber is never dropped for a fast one; instead a subscriber that would need the buffer to grow past its
 * bound reads on its own (its own filter, its own page): a slow subscriber neither blocks a fast one nor holds
 * unbounded memory. Events handed to several subscribers are frozen (deeply): a handler must not change them.
 */
import type { AllStreamFilter, AllStreamPage, ReadAllOptions, RecordedEvent } from '../event-store.port';
import { matchesFilter } from '../expected-revision';
import { GlobalPosition, START, comparePositions } from '../position';
import { CatchUpPage, nextMoment } from './catch-up-subscription';

export interface SharedAllStreamReaderOptions {
  /** Upper bound of events kept for subscribers that have not reached them yet (default 5000). */
  maxBufferedEvents?: number;
}

/** A subscriber's handle: its reads go through the shared buffer; `leave` when it stops. */
export interface SharedReaderMember {
  read(options: ReadAllOptions, freshAfter: number): Promise<CatchUpPage>;
  leave(): void;
}

/** Counters for tests and diagnostics: SQL reads made for the buffer or on a subscriber's own, pages served. */
export interface SharedReaderStats {
  sharedReads: number;
  ownReads: number;
  pagesServed: number;
  eventsRead: number;
}

interface Member {
  filter: AllStreamFilter | undefined;
  batchSize: number;
  /** Where this member's next read starts: where it joined, then the end of what it was last given. */
  cursor: GlobalPosition;
}

/** One shared read: every event in (from, to] that `filter` selects, frozen. */
interface Segment {
  from: GlobalPosition;
  to: GlobalPosition;
  events: readonly RecordedEvent[];
  filter: AllStreamFilter | undefined;
}

type Outcome = { page: CatchUpPage } | { extend: true } | { own: true };

export class SharedAllStreamReader {
  private readonly members = new Set<Member>();
  private readonly maxBufferedEvents: number;
  /** The buffer: contiguous segments from `base` (exclusive) to `head`. Undefined base = empty, not anchored. */
  private base?: GlobalPosition;
  private segments: Segment[] = [];
  private buffered = 0;
  /** The last read that reached `head`: when it began, and whether it was full (more may follow at once). */
  private headReadAt = 0;
  private headFull = true;
  /** Bumped when the buffer is re-anchored, so a read begun before it does not land in the new buffer. */
  private generation = 0;
  private extending?: { generation: number; from: GlobalPosition; done: Promise<void> };
  readonly stats: SharedReaderStats = { sharedReads: 0, ownReads: 0, pagesServed: 0, eventsRead: 0 };

  constructor(
    private readonly readPage: (options: ReadAllOptions) => Promise<AllStreamPage>,
    options: SharedAllStreamReaderOptions = {},
  ) {
    this.maxBufferedEvents = options.maxBufferedEvents ?? 5000;
  }

  /** `after`: where the subscriber starts (so the first shared read already includes its filter). */
  join(filter: AllStreamFilter | undefined, batchSize: number, after: GlobalPosition = START): SharedReaderMember {
    const member: Member = { filter, batchSize, cursor: after };
    this.members.add(member);
    return {
      read: (options, freshAfter) => this.read(member, options, freshAfter),
      leave: () => {
        this.members.delete(member);
        this.trim();
      },
    };
  }

  /** Events held now for subscribers that have not reached them. */
  get bufferedEvents(): number {
    return this.buffered;
  }

  private get head(): GlobalPosition | undefined {
    return this.segments.length ? this.segments[this.segments.length - 1].to : this.base;
  }

  private async read(member: Member, options: ReadAllOptions, freshAfter: number): Promise<CatchUpPage> {
    const after = options.after ?? START;
    const maxCount = options.maxCount ?? member.batchSize;
    member.cursor = after;
    for (let extensions = 0; ; extensions++) {
      const outcome = this.serve(member, after, maxCount, freshAfter, extensions);
      if ('page' in outcome) {
        this.stats.pagesServed++;
        return this.handOut(member, after, outcome.page);
      }
      if ('own' in outcome) {
        this.stats.ownReads++;
        const page = await this.readPage({ after, maxCount, filter: member.filter });
        page.events.forEach(deepFreeze);
        this.stats.eventsRead += page.events.length;
        return this.handOut(member, after, page);
      }
      await this.extend();
    }
  }

  private handOut(member: Member, after: GlobalPosition, page: CatchUpPage): CatchUpPage {
    if (page.position && comparePositions(page.position, after) > 0) member.cursor = page.position;
    this.trim();
    return page;
  }

  /** What the buffer can do for this request now: a page, a read that extends it first, or "read on your own". */
  private serve(member: Member, after: GlobalPosition, maxCount: number, freshAfter: number, extensions: number): Outcome {
    const head = this.head;
    if (!this.base || !head || comparePositions(after, this.base) < 0 || comparePositions(after, head) > 0) {
      // Outside the buffer. Nobody else uses it: anchor it here. Otherwise this member reads on its own for now.
      if ([...this.members].some((m) => m !== member && this.inBuffer(m))) return { own: true };
      this.anchor(after);
      return { extend: true };
    }
    const events: RecordedEvent[] = [];
    let scanned = 0;
    for (const segment of this.segments) {
      if (comparePositions(segment.to, after) <= 0) continue;
      if (!covers(segment.filter, member.filter)) {
        // Read before this member's filter was part of the union: it must read this range itself.
        const from = comparePositions(segment.from, after) > 0 ? segment.from : undefined;
        return from ? { page: { events, position: from, more: true } } : { own: true };
      }
      for (const event of segment.events) {
        if (comparePositions(event.position, after) <= 0 || !matchesFilter(event, member.filter)) continue;
        events.push(event);
        if (events.length >= maxCount) return { page: { events, position: event.position } };
      }
      scanned += segment.events.length;
    }
    // At the head of the buffer.
    const position = comparePositions(head, after) > 0 ? head : undefined;
    if (!this.headFull && this.headReadAt > freshAfter) return { page: { events, position } };
    // A sparse filter: after a page's worth of shared events, hand over what there is and come back at once.
    if (extensions > 0 && scanned >= maxCount) return { page: { events, position, more: true } };
    if (this.buffered >= this.maxBufferedEvents && !this.extending) {
      // Growing the buffer would hold more for the slowest subscriber than the bound allows: this one goes on alone.
      return position ? { page: { events, position, more: true } } : { own: true };
    }
    return { extend: true };
  }

  /** One read from the head under the union of the filters of everyone who will pass through it; shared by all waiting there. */
  private async extend(): Promise<void> {
    const from = this.head ?? START;
    if (this.extending?.generation === this.generation && comparePositions(this.extending.from, from) === 0) {
      // Joined, not started: a failure is the starter's to report; this request simply tries again.
      return this.extending.done.catch(() => undefined);
    }
    const generation = this.generation;
    const base = this.base ?? START;
    const readers = [...this.members].filter((m) => comparePositions(m.cursor, base) >= 0);
    const filter = unionOf(readers.map((m) => m.filter));
    const maxCount = Math.max(...readers.map((m) => m.batchSize), 1);
    const readAt = nextMoment();
    this.stats.sharedReads++;
    const extending = {
      generation,
      from,
      done: this.readPage({ after: from, maxCount, filter }).then((page) => {
        if (generation !== this.generation) return; // re-anchored meanwhile
        page.events.forEach(deepFreeze);
        this.stats.eventsRead += page.events.length;
        if (page.position && comparePositions(page.position, from) > 0) {
          this.segments.push({ from, to: page.position, events: page.events, filter });
          this.buffered += page.events.length;
        }
        this.headReadAt = readAt;
        this.headFull = page.events.length >= maxCount;
      }),
    };
    this.extending = extending;
    try {
      await extending.done;
    } finally {
      if (this.extending === extending) this.extending = undefined;
    }
  }

  private anchor(at: GlobalPosition): void {
    this.generation++;
    this.base = at;
    this.segments = [];
    this.buffered = 0;
    this.headReadAt = 0;
    this.headFull = true;
  }

  private inBuffer(member: Member): boolean {
    const head = this.head;
    return !!this.base && !!head && comparePositions(member.cursor, this.base) >= 0 && comparePositions(member.cursor, head) <= 0;
  }

  /** Drops what every subscriber inside the buffer has passed. */
  private trim(): void {
    const inside = [...this.members].filter((m) => this.inBuffer(m)).map((m) => m.cursor);
    const lowest = inside.reduce<GlobalPosition | undefined>((min, c) => (!min || comparePositions(c, min) < 0 ? c : min), undefined);
    while (this.segments.length && (!lowest || comparePositions(this.segments[0].to, lowest) <= 0)) {
      const dropped = this.segments.shift() as Segment;
      this.buffered -= dropped.events.length;
      this.base = dropped.to;
    }
  }
}

/** Whether every event `inner` selects is one `outer` selects (so a read under `outer` has all of `inner`'s). */
export function covers(outer: AllStreamFilter | undefined, inner: AllStreamFilter | undefined): boolean {
  if (!outer) return true;
  if (!inner) return false;
  const within = (wide?: readonly string[], narrow?: readonly string[]) => !wide || (!!narrow && narrow.every((x) => wide.includes(x)));
  return within(outer.streamCategories, inner.streamCategories) && within(outer.eventTypes, inner.eventTypes);
}

/** The narrowest filter of this shape that covers all of them (it may select a few more: each member filters again). */
export function unionOf(filters: ReadonlyArray<AllStreamFilter | undefined>): AllStreamFilter | undefined {
  if (!filters.length || filters.some((f) => !f)) return undefined;
  const all = filters as AllStreamFilter[];
  const merge = (lists: ReadonlyArray<readonly string[] | undefined>) => (lists.some((l) => !l) ? undefined : [...new Set(lists.flatMap((l) => l ?? []))].sort());
  const streamCategories = merge(all.map((f) => f.streamCategories));
  const eventTypes = merge(all.map((f) => f.eventTypes));
  if (!streamCategories && !eventTypes) return undefined;
  return { ...(streamCategories ? { streamCategories } : {}), ...(eventTypes ? { eventTypes } : {}) };
}

/**
 * Freezes an event handed to several subscribers, with its data and metadata (plain JSON) and position. A
 * handler that changes one fails loudly instead of changing what the others see. (`recordedAt` is a Date:
 * freezing it stops new properties, not `setTime`.)
 */
export function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const key of Object.keys(value)) deepFreeze((value as Record<string, unknown>)[key]);
  }
  return value;
}
