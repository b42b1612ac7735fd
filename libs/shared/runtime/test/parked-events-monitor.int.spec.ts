/** Parked events are visible over real HTTP: a `/health` entry (still up) and a `/metrics` gauge per consumer. */
import { randomUUID } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import { Pool } from 'pg';
import request from 'supertest';
import { ParkedEvents } from '@leakwatch/projections';
import { startThrowawayPostgres, ThrowawayPostgres } from '@leakwatch/testing';
import { createLeakwatchApp, loadConfig } from '../src';

describe('parked events in /health and /metrics', () => {
  let pg: ThrowawayPostgres;
  let app: INestApplication;
  let pool: Pool;

  beforeAll(async () => {
    pg = await startThrowawayPostgres();
    const databaseUrl = await pg.newDatabase('parked');
    pool = new Pool({ connectionString: databaseUrl });
    pool.on('error', () => undefined); // an idle client sees the server stop at teardown
    app = await createLeakwatchApp({ name: 'test', modules: [] }, { ...loadConfig({ LOG_LEVEL: 'silent' }), databaseUrl });
    await app.init();
  });
  afterAll(async () => {
    await app?.close();
    await pool?.end();
    await pg?.stop();
  });

  it('shows none, then the parked event per consumer; a skipped one is no longer counted', async () => {
    const before = await request(app.getHttpServer()).get('/health').expect(200);
    expect(before.body.info.parked_events).toMatchObject({ status: 'up', total: 0, by_consumer: {} });

    const parked = new ParkedEvents(pool);
    const eventId = randomUUID();
    await parked.park({ consumer: 'projection:leak-lifecycle', eventId, eventType: 'LeakDetected', streamId: 'leak-x', streamRevision: 0, error: new Error('null value in column "source"'), attempts: 5 });

    const after = await request(app.getHttpServer()).get('/health').expect(200);
    expect(after.body.info.parked_events).toMatchObject({ status: 'up', total: 1, by_consumer: { 'projection:leak-lifecycle': 1 } });
    const metrics = await request(app.getHttpServer()).get('/metrics').expect(200);
    expect(metrics.text).toMatch(/leakwatch_parked_events\{consumer="projection:leak-lifecycle"\} 1/);

    expect(await parked.skip(undefined, [eventId])).toBe(1);
    const skipped = await request(app.getHttpServer()).get('/health').expect(200);
    expect(skipped.body.info.parked_events).toMatchObject({ total: 0 });
  });
});
