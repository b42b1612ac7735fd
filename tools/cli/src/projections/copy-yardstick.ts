/**
 * The yardstick a rebuild's rate is compared with: the same events — read from the store exactly as the
 * rebuild reads them (same filter, same pages) — written with one raw `COPY … FROM STDIN` per page into a
 * scratch table of the event's columns (no index, dropped afterwards). That is about the cheapest a
 * rebuild could be: read every event once, write one row per event in bulk. `÷ raw COPY` = rebuild rate /
 * this rate. The COPY goes through `pg`'s own protocol hooks (no copy-stream dependency).
 */
import type { Pool, PoolClient } from 'pg';
import { AllStreamFilter, GlobalPosition, comparePositions, encodePosition } from '@leakwatch/event-store';
import { EventSource } from './event-source';

export interface CopyYardstick {
  events: number;
  duration_ms: number;
  events_per_second: number;
}

/** `copies`: how many runners share the read (each gets every event: one row per runner and event, as the rebuild applies). */
export async function copyYardstick(pool: Pool, source: EventSource, filter: AllStreamFilter | undefined, batchSize: number, copies = 1): Promise<CopyYardstick> {
  const client = await pool.connect();
  const table = `rebuild_copy_yardstick_${process.pid}`;
  try {
    await client.query(`DROP TABLE IF EXISTS ${table}`);
    await client.query(`CREATE TABLE ${table} (event_id text, stream_id text, revision integer, position text, event_type text, data jsonb, metadata jsonb, recorded_at timestamptz)`);
    const started = performance.now();
    let after: GlobalPosition | undefined;
    let events = 0;
    for (;;) {
      const page = await source.store.readAllPage({ after, maxCount: batchSize, filter });
      if (!page.position || (after && comparePositions(page.position, after) <= 0)) break;
      if (page.events.length) {
        const lines = page.events.flatMap((e) => Array.from({ length: copies }, () => e)).map((e) =>
          [e.id, e.streamId, String(e.revision), encodePosition(e.position), e.type, JSON.stringify(e.data), JSON.stringify(e.metadata), e.recordedAt.toISOString()]
            .map(copyText)
            .join('\t'),
        );
        await copyIn(client, `COPY ${table} FROM STDIN`, Buffer.from(`${lines.join('\n')}\n`));
      }
      events += page.events.length * copies;
      after = page.position;
    }
    const duration = performance.now() - started;
    return { events, duration_ms: Math.round(duration), events_per_second: duration > 0 ? Math.round((events / duration) * 1000) : 0 };
  } finally {
    await client.query(`DROP TABLE IF EXISTS ${table}`).catch(() => undefined);
    client.release();
  }
}

/** A value in COPY's text format: backslash, tab, newline and carriage return escaped. */
function copyText(value: string): string {
  return value.replace(/[\\\t\n\r]/g, (c) => ({ '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' })[c] as string);
}

interface CopyConnection {
  query(text: string): void;
  sendCopyFromChunk(chunk: Buffer): void;
  endCopyFrom(): void;
}

/** `COPY … FROM STDIN` of one buffer, as a pg "submittable" (the client hands it the connection when the server is ready). */
function copyIn(client: PoolClient, text: string, data: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    let failure: unknown;
    const submittable = {
      submit: (connection: CopyConnection) => connection.query(text),
      handleCopyInResponse: (connection: CopyConnection) => {
        connection.sendCopyFromChunk(data);
        connection.endCopyFrom();
      },
      handleCommandComplete: () => undefined,
      handleError: (error: unknown) => {
        failure = error;
      },
      handleReadyForQuery: () => (failure ? reject(failure) : resolve()),
    };
    (client as unknown as { query(submittable: unknown): void }).query(submittable);
  });
}
