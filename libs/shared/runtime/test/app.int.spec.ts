/**
 * The HTTP pipeline every service shares, over real HTTP and a real PostgreSQL: health per dependency,
 * metrics, OpenAPI, and problem+json for bad input (never a 5xx).
 */
import { Body, Controller, INestApplication, Module, Post } from '@nestjs/common';
import { ArrayMaxSize, IsArray, IsIn, IsString, Matches } from 'class-validator';
import request from 'supertest';
import { startThrowawayPostgres, ThrowawayPostgres } from '@leakwatch/testing';
import { createLeakwatchApp, loadConfig, ProblemException } from '../src';

class ExampleDto {
  @IsArray() @ArrayMaxSize(3) @Matches(/^[0-9a-f]{32}$/, { each: true, message: 'must be 32 lowercase hex characters' })
  ids!: string[];

  @IsString() @IsIn(['open', 'fixed'])
  status!: string;
}

@Controller('example')
class ExampleController {
  @Post()
  create(@Body() body: ExampleDto) {
    if (body.status === 'fixed') throw new ProblemException(409, 'conflict', 'Conflict', 'already fixed');
    return { ok: true };
  }

  @Post('boom')
  boom() {
    throw new Error('database password is hunter2'); // internals must not leak into the response
  }
}

@Module({ controllers: [ExampleController] })
class ExampleModule {}

describe('shared HTTP pipeline', () => {
  let pg: ThrowawayPostgres;
  let app: INestApplication;

  beforeAll(async () => {
    pg = await startThrowawayPostgres();
    const databaseUrl = await pg.newDatabase('app');
    app = await createLeakwatchApp({ name: 'test', modules: [ExampleModule] }, { ...loadConfig({ LOG_LEVEL: 'silent' }), databaseUrl });
    await app.init();
  });
  afterAll(async () => {
    await app?.close();
    await pg?.stop();
  });

  it('GET /health reports each dependency', async () => {
    const response = await request(app.getHttpServer()).get('/health').expect(200);
    expect(response.body).toMatchObject({
      status: 'ok',
      info: { database: { status: 'up' }, event_store: { status: 'up', adapter: 'postgresql' } },
    });
  });

  it('GET /metrics exposes Prometheus text with HTTP timings', async () => {
    await request(app.getHttpServer()).get('/health');
    const response = await request(app.getHttpServer()).get('/metrics').expect(200);
    expect(response.headers['content-type']).toMatch(/text\/plain/);
    expect(response.text).toMatch(/leakwatch_http_request_duration_seconds_count\{method="GET",route="\/health",status="200"\} \d+/);
    expect(response.text).toMatch(/leakwatch_process_cpu_seconds_total/);
  });

  it('serves OpenAPI docs', async () => {
    await request(app.getHttpServer()).get('/docs').expect(200).expect('content-type', /html/);
    const spec = await request(app.getHttpServer()).get('/docs/openapi.json').expect(200);
    expect(spec.body.openapi).toMatch(/^3\./);
    expect(Object.keys(spec.body.paths)).toEqual(expect.arrayContaining(['/health', '/example']));
    expect(spec.body.components.securitySchemes).toHaveProperty('api-key');
  });

  it('names each invalid field in a problem+json 400', async () => {
    const response = await request(app.getHttpServer())
      .post('/example')
      .send({ ids: ['b3652f2555841f7652badd9804859f4e', 'nope'], status: 'closed' })
      .expect(400)
      .expect('content-type', /application\/problem\+json/);
    expect(response.body).toMatchObject({ type: expect.stringContaining('validation-failed'), title: 'Invalid request', status: 400 });
    expect(response.body.errors).toEqual(
      expect.arrayContaining([
        { field: 'ids', message: expect.stringContaining('32 lowercase hex') },
        { field: 'status', message: expect.stringContaining('open, fixed') },
      ]),
    );
  });

  it('refuses unknown fields', async () => {
    const response = await request(app.getHttpServer()).post('/example').send({ ids: [], status: 'open', extra: 1 }).expect(400);
    expect(response.body.errors).toEqual([{ field: 'extra', message: 'property extra should not exist' }]);
  });

  it('answers malformed JSON with 400, not 500', async () => {
    const response = await request(app.getHttpServer()).post('/example').set('content-type', 'application/json').send('{"ids": [').expect(400);
    expect(response.body).toMatchObject({ status: 400, detail: expect.stringMatching(/JSON/) });
  });

  it('answers an oversized body with 413', async () => {
    const big = JSON.stringify({ ids: [], status: 'open', pad: 'x'.repeat(1_100_000) });
    await request(app.getHttpServer()).post('/example').set('content-type', 'application/json').send(big).expect(413);
  });

  it('maps a domain refusal to its status', async () => {
    const response = await request(app.getHttpServer()).post('/example').send({ ids: [], status: 'fixed' }).expect(409);
    expect(response.body).toMatchObject({ status: 409, detail: 'already fixed' });
  });

  it('hides internals of unexpected errors behind a 500 problem', async () => {
    const response = await request(app.getHttpServer()).post('/example/boom').expect(500);
    expect(response.body).toMatchObject({ status: 500, title: 'Internal server error' });
    expect(JSON.stringify(response.body)).not.toContain('hunter2');
  });

  it('answers unknown routes with a problem+json 404', async () => {
    const response = await request(app.getHttpServer()).get('/nowhere').expect(404).expect('content-type', /problem\+json/);
    expect(response.body).toMatchObject({ status: 404, instance: '/nowhere' });
  });
});
