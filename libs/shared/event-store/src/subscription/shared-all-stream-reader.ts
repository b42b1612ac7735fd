/**
 * One all-stream reader per store instance, shared by that process's catch-up subscriptions: subscriptions with the
 * same filter (in the embedded mode, the seven consumers of leak events all read the `leak` category) form a
 * lane, whose pages are read and decoded once, kept in a bounded buffer, and handed to each member with the
 * position the read reached. Before, every consumer of leak events read and decoded each of them itself.
 * Subscriptions with different filters do not share: a union read would make each of them page through
 * events only the others want (e.g. a report's 100,000 findings in front of the leak events they become).
 *
 * What stays as with separate reads:
 * - Order and the gap-free horizon: a lane holds only what `readPage` returned — contiguous ranges of the
 *   all-stream, each below the horizon of its read, which never moves back — so serving a range later is the
 *   same as reading it again.
 * - Freshness: a subscription says which signal its read must not predate (`freshAfter`, a moment of
 *   `nextMoment`); a lane answers "nothing more" only when its last read of the tail began after that moment,
 *   else it reads the tail again (once for every member waiting there). A poll or a horizon retry asks for a
 *   read that begins after the request itself.
 * - A subscription far behind its lane (below the buffer) or ahead of it reads on its own, as before, until its
 *   position falls inside the buffer again; a lane nobody is inside of starts again where the next reader is.
 *
 * Memory: a lane holds at most `maxBufferedEvents` events plus one page. When it would hold more, it drops its
 * oldest pages: members still behind them (the slow ones) go on reading on their own. A slow subscriber neither
 * blocks a fast one nor holds unbounded memory. Events handed to several subscriptions are frozen (deeply): a
 * handler must not change them.
 */
import type { AllStreamFilter, AllStreamPage, ReadAllOptions, RecordedEvent } from '../event-store.port';
import { GlobalPosition, START, comparePositions } from '../position';
import { CatchUpPage, nextMoment } from './catch-up-subscription';

export interface SharedAllStreamReaderOptions {
  /** Events a lane keeps for members that have not reached them yet (default 5000; plus one page). */
  maxBufferedEvents?: number;
}

/** A subscription's handle: its reads go through its lane; `leave` when it stops. */
export interface SharedReaderMember {
  read(options: ReadAllOptions, freshAfter: number): Promise<CatchUpPage>;
  leave(): void;
}

/** Counters for tests and diagnostics: SQL reads made for a lane or by a member on its own, events decoded. */
export interface SharedReaderStats {
  sharedReads: number;
  ownReads: number;
  pagesServed: number;
  eventsRead: number;
}

export class SharedAllStreamReader {
  private readonly lanes = new Map<string, Lane>();
  private readonly maxBufferedEvents: number;
  readonly stats: SharedReaderStats = { sharedReads: 0, ownReads: 0, pagesServed: 0, eventsRead: 0 };

  constructor(
    private readonly readPage: (options: ReadAllOptions) => Promise<AllStreamPage>,
    options: SharedAllStreamReaderOptions = {},
  ) {
    this.maxBufferedEvents = options.maxBufferedEvents ?? 5000;
  }

  /** `after`: where the subscription starts. */
  join(filter: AllStreamFilter | undefined, batchSize: number, after: GlobalPosition = START): SharedReaderMember {
    const key = filterKey(filter);
    let lane = this.lanes.get(key);
    if (!lane) this.lanes.set(key, (lane = new Lane(filter, this.readPage, this.maxBufferedEvents, this.stats)));
    const member: Member = { batchSize, cursor: after };
    lane.members.add(member);
    return {
      read: (options, freshAfter) => (lane as Lane).read(member, options, freshAfter),
      leave: () => {
        (lane as Lane).leave(member);
        if (!(lane as Lane).members.size && this.lanes.get(key) === lane) this.lanes.delete(key);
      },
    };
  }

  /** Events held now for members that have not reached them, over all lanes. */
  get bufferedEvents(): number {
    return [...this.lanes.values()].reduce((sum, lane) => sum + lane.buffered, 0);
  }
}

interface Member {
  batchSize: number;
  /** Where this member's next read starts: where it joined, then the end of what it was last given. */
  cursor: GlobalPosition;
}

/** One shared read: every event of the lane's filter in (from, to], frozen. */
interface Segment {
  from: GlobalPosition;
  to: GlobalPosition;
  events: readonly RecordedEvent[];
}

/** The subscriptions of one filter and the pages read for them. */
class Lane {
  readonly members = new Set<Member>();
  /** Contiguous segments from `base` (exclusive) to `head`. Undefined base = empty, not anchored. */
  private base?: GlobalPosition;
  private segments: Segment[] = [];
  buffered = 0;
  /** The last read that reached `head`: when it began, and whether it was full (more may follow at once). */
  private headReadAt = 0;
  private headFull = true;
  /** Bumped when the lane is anchored again, so a read begun before that does not land in the new buffer. */
  private generation = 0;
  private extending?: { generation: number; from: GlobalPosition; done: Promise<void> };

  constructor(
    private readonly filter: AllStreamFilter | undefined,
    private readonly readPage: (options: ReadAllOptions) => Promise<AllStreamPage>,
    private readonly maxBufferedEvents: number,
    private readonly stats: SharedReaderStats,
  ) {}

  private get head(): GlobalPosition | undefined {
    return this.segments.length ? this.segments[this.segments.length - 1].to : this.base;
  }

  async read(member: Member, options: ReadAllOptions, freshAfter: number): Promise<CatchUpPage> {
    const after = options.after ?? START;
    const maxCount = options.maxCount ?? member.batchSize;
    member.cursor = after;
    const events: RecordedEvent[] = [];
    let position = after;
    for (;;) {
      if (!this.contains(position)) {
        if (events.length) return this.handOut(member, after, { events, position, more: true });
        // Outside the buffer. Nobody else is inside: start it again here. Otherwise read on its own for now.
        if ([...this.members].some((m) => m !== member && this.contains(m.cursor))) {
          this.stats.ownReads++;
          const page = await this.readPage({ after, maxCount, filter: this.filter });
          page.events.forEach(deepFreeze);
          this.stats.eventsRead += page.events.length;
          return this.handOut(member, after, page);
        }
        this.anchor(position);
      }
      for (const segment of this.segments) {
        if (comparePositions(segment.to, position) <= 0) continue;
        for (const event of segment.events) {
          if (comparePositions(event.position, position) <= 0) continue;
          events.push(event);
          if (events.length >= maxCount) return this.handOut(member, after, { events, position: event.position });
        }
        position = segment.to;
      }
      // At the head: the lane's last read of the tail is recent enough for this request, or it reads again.
      if (!this.headFull && this.headReadAt > freshAfter) {
        return this.handOut(member, after, { events, position: comparePositions(position, after) > 0 ? position : undefined });
      }
      member.cursor = position;
      await this.extend();
    }
  }

  leave(member: Member): void {
    this.members.delete(member);
    this.trim();
  }

  private handOut(member: Member, after: GlobalPosition, page: CatchUpPage): CatchUpPage {
    this.stats.pagesServed++;
    if (page.position && comparePositions(page.position, after) > 0) member.cursor = page.position;
    this.trim();
    return page;
  }

  /** One read from the head, shared by every member waiting there. */
  private async extend(): Promise<void> {
    const from = this.head ?? START;
    if (this.extending?.generation === this.generation && comparePositions(this.extending.from, from) === 0) {
      // Joined, not started: a failure is the starter's to report; this member simply asks again.
      return this.extending.done.catch(() => undefined);
    }
    const generation = this.generation;
    const maxCount = Math.max(...[...this.members].map((m) => m.batchSize), 1);
    const readAt = nextMoment();
    this.stats.sharedReads++;
    const extending = {
      generation,
      from,
      done: this.readPage({ after: from, maxCount, filter: this.filter }).then((page) => {
        if (generation !== this.generation) return;
        page.events.forEach(deepFreeze);
        this.stats.eventsRead += page.events.length;
        if (page.position && comparePositions(page.position, from) > 0) {
          this.segments.push({ from, to: page.position, events: page.events });
          this.buffered += page.events.length;
        }
        this.headReadAt = readAt;
        this.headFull = page.events.length >= maxCount;
        // Over the bound: the oldest pages go; members still behind them read on their own from now on.
        while (this.buffered > this.maxBufferedEvents && this.segments.length > 1) this.drop();
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

  private contains(position: GlobalPosition): boolean {
    const head = this.head;
    return !!this.base && !!head && comparePositions(position, this.base) >= 0 && comparePositions(position, head) <= 0;
  }

  /** Drops what every member inside the buffer has passed. */
  private trim(): void {
    const inside = [...this.members].filter((m) => this.contains(m.cursor)).map((m) => m.cursor);
    const lowest = inside.reduce<GlobalPosition | undefined>((min, c) => (!min || comparePositions(c, min) < 0 ? c : min), undefined);
    while (this.segments.length && (!lowest || comparePositions(this.segments[0].to, lowest) <= 0)) this.drop();
  }

  private drop(): void {
    const dropped = this.segments.shift() as Segment;
    this.buffered -= dropped.events.length;
    this.base = dropped.to;
  }
}

/** Lanes are per filter: the same categories and types in any order are one lane. */
function filterKey(filter: AllStreamFilter | undefined): string {
  if (!filter) return '*';
  const list = (values?: readonly string[]) => (values ? [...new Set(values)].sort().join(',') : '*');
  return `${list(filter.streamCategories)}|${list(filter.eventTypes)}`;
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
