/**
 * Given/when/then for the API, against a running Leakwatch (real HTTP, real store):
 *
 *   given these streams already hold these events → when this HTTP request → then this answer, and exactly
 *   these new events in the streams the expectation names (or none at all).
 *
 * `given` appends straight to the store (no command runs), then waits until every projection and bus consumer
 * of the process has caught up (its /metrics lag gauges read 0), because handlers look things up in read
 * models. "New events" are those after the store's head at the moment of the request; events other streams
 * receive meanwhile (background consumers) are not the request's and are ignored, as are streams the system
 * under test declares `background` (written on a timer).
 */
import { randomUUID } from 'node:crypto';
import { eventually } from './eventually';

/**
 * The part of the event store port a specification uses (declared here, structurally: the event-store lib's
 * own tests use this lib, so it cannot import that one).
 */
export interface RecordedEventLike {
  streamId: string;
  type: string;
  data: unknown;
}
export interface SpecificationStore<Position = unknown> {
  appendToStream(
    streamId: string,
    events: Array<{ id: string; type: string; data: unknown; metadata?: Record<string, unknown> }>,
    options: { expectedRevision: 'any' },
  ): Promise<unknown>;
  readAllPage(options: { after?: Position; maxCount?: number }): Promise<{ events: RecordedEventLike[]; position?: Position }>;
}

export interface ApiUnderTest<Position = unknown> {
  /** Base URL of the running Leakwatch. */
  url: string;
  /** The same event store the process uses (e.g. its EVENT_STORE provider). */
  store: SpecificationStore<Position>;
  /**
   * Streams written on a timer rather than by a request (e.g. the gateway's batched usage counts, `^usage-`):
   * never counted as the request's events.
   */
  background?: RegExp;
}

export interface GivenEvent {
  type: string;
  data: Record<string, unknown>;
  metadata?: Record<string, unknown>;
}

export interface ApiRequest {
  method: string;
  path: string;
  /** API key, sent as `x-api-key`. */
  key?: string;
  body?: unknown;
}

export interface ExpectedEvent {
  /** The stream: its exact id or a pattern (ids chosen by the server, e.g. `apikey-<uuid>`). */
  stream: string | RegExp;
  type: string;
  /** Matched with `toMatchObject`: name the fields that matter. */
  data?: Record<string, unknown>;
}

export interface ExpectedAnswer {
  status: number;
  /** Matched with `toMatchObject`. */
  body?: unknown;
  /** The new events of the streams named here, in order; `[]` = the request recorded nothing anywhere. */
  events?: ExpectedEvent[];
}

export interface ApiAnswer {
  status: number;
  body: unknown;
  events: RecordedEventLike[];
}

export function apiSpecification<Position>(sut: () => ApiUnderTest<Position>) {
  return {
    given(streams: Record<string, GivenEvent[]> = {}) {
      return {
        when(request: ApiRequest) {
          return {
            /** Runs the scenario and checks the answer and the recorded events; resolves to what happened. */
            async then(expected: ExpectedAnswer): Promise<ApiAnswer> {
              const { url, store, background } = sut();
              await appendGiven(store, streams);
              await caughtUp(url);
              const head = await headPosition(store);
              const response = await fetch(`${url}${request.path}`, {
                method: request.method,
                headers: { ...(request.key ? { 'x-api-key': request.key } : {}), ...(request.body === undefined ? {} : { 'content-type': 'application/json' }) },
                body: request.body === undefined ? undefined : JSON.stringify(request.body),
              });
              const text = await response.text();
              const events = (await eventsAfter(store, head)).filter((e) => !background?.test(e.streamId));
              const answer: ApiAnswer = { status: response.status, body: parse(text), events };
              expect({ status: answer.status, body: answer.body }).toMatchObject({ status: expected.status, ...(expected.body === undefined ? {} : { body: expected.body }) });
              if (expected.events) {
                const named = expected.events.length === 0 ? answer.events : answer.events.filter((e) => expected.events?.some((x) => matches(x.stream, e.streamId)));
                expect(named.map((e) => ({ stream: e.streamId, type: e.type, data: e.data }))).toMatchObject(
                  expected.events.map((x) => ({ stream: typeof x.stream === 'string' ? x.stream : expect.stringMatching(x.stream), type: x.type, ...(x.data ? { data: x.data } : {}) })),
                );
              }
              return answer;
            },
          };
        },
      };
    },
  };
}

async function appendGiven<Position>(store: SpecificationStore<Position>, streams: Record<string, GivenEvent[]>): Promise<void> {
  for (const [streamId, events] of Object.entries(streams)) {
    await store.appendToStream(
      streamId,
      events.map((e) => ({ id: randomUUID(), type: e.type, data: e.data, metadata: { occurred_at: new Date().toISOString(), ...e.metadata } })),
      { expectedRevision: 'any' },
    );
  }
}

/** Every projection and consumer of the process has applied everything in the store. */
async function caughtUp(url: string): Promise<void> {
  await eventually(
    'projections and consumers caught up (every *_lag_events gauge is 0)',
    async () => (await fetch(`${url}/metrics`)).text(),
    (metrics) => {
      const lags = [...metrics.matchAll(/^leakwatch_(?:projection|consumer)_lag_events\{[^}]*\} (\d+)$/gm)].map((m) => Number(m[1]));
      return lags.length > 0 && lags.every((lag) => lag === 0);
    },
    { timeoutMs: 30_000, intervalMs: 50 },
  );
}

async function headPosition<Position>(store: SpecificationStore<Position>): Promise<Position | undefined> {
  let after: Position | undefined;
  for (;;) {
    const page = await store.readAllPage({ after, maxCount: 1000 });
    if (!page.position || page.events.length === 0) return page.position ?? after;
    after = page.position;
  }
}

async function eventsAfter<Position>(store: SpecificationStore<Position>, after: Position | undefined): Promise<RecordedEventLike[]> {
  const events: RecordedEventLike[] = [];
  let from = after;
  for (;;) {
    const page = await store.readAllPage({ after: from, maxCount: 1000 });
    events.push(...page.events);
    if (!page.position || page.events.length === 0) return events;
    from = page.position;
  }
}

const matches = (stream: string | RegExp, id: string) => (typeof stream === 'string' ? stream === id : stream.test(id));

function parse(text: string): unknown {
  try {
    return text ? JSON.parse(text) : undefined;
  } catch {
    return text;
  }
}
