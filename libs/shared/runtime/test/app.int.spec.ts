/**
 * The HTTP pipeline every service shares, over real HTTP and a real PostgreSQL: health per dependency,
 * metrics, OpenAPI, and problem+json for bad input (never a 5xx).
 */
import { Body, Controller, Get, INestApplication, Module, Param, Post } from '@nestjs/common';
import { Type } from 'class-transformer';
import { connect } from 'node:net';
import { ArrayMaxSize, IsArray, IsDefined, IsIn, IsObject, IsString, Matches, ValidateNested } from 'class-validator';
import request from 'supertest';
import { startThrowawayPostgres, ThrowawayPostgres } from '@leakwatch/testing';
import { createLeakwatchApp, IsIsoDateTime, loadConfig, OptionalField, ProblemException } from '../src';

class ExampleDto {
  @IsArray() @ArrayMaxSize(3) @Matches(/^[0-9a-f]{32}$/, { each: true, message: 'must be 32 lowercase hex characters' })
  ids!: string[];

  @IsString() @IsIn(['open', 'fixed'])
  status!: string;
}

class IdParams {
  @Matches(/^[0-9a-f]{32}$/)
  id!: string;
}

class NameDto {
  @IsString()
  name!: string;
}

class NestedDto {
  @IsDefined() @IsObject() @ValidateNested() @Type(() => NameDto)
  source!: NameDto;

  @OptionalField() @IsArray() @IsObject({ each: true }) @ValidateNested({ each: true }) @Type(() => NameDto)
  items?: NameDto[];

  @OptionalField() @IsString()
  note?: string;

  @OptionalField() @IsIsoDateTime()
  at?: string;
}

@Controller('example')
class ExampleController {
  @Post()
  create(@Body() body: ExampleDto) {
    if (body.status === 'fixed') throw new ProblemException(409, 'conflict', 'Conflict', 'already fixed');
    return { ok: true };
  }

  @Get(':id')
  one(@Param() params: IdParams) {
    return params;
  }

  @Post('nested')
  nested(@Body() body: NestedDto) {
    return body;
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
    expect(response.text).toMatch(/^process_cpu_seconds_total \d/m); // standard name, no prefix
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

  it('answers unknown routes with a problem+json 404 that echoes neither path nor query (a key may be in it)', async () => {
    const response = await request(app.getHttpServer()).get('/api/ghp_pasted_token_0000?key=lw_key_in_url_000000').expect(404).expect('content-type', /problem\+json/);
    expect(response.body).toMatchObject({ status: 404, title: 'Not found' });
    expect(JSON.stringify(response.body)).not.toMatch(/ghp_|lw_key|\?/);
  });

  it('names the route, not the raw path, as the instance of a problem', async () => {
    const response = await request(app.getHttpServer()).get('/example/ghp_pasted_token_0000').expect(400);
    expect(response.body).toMatchObject({ instance: '/example/:id', errors: [{ field: 'id' }] });
    expect(JSON.stringify(response.body)).not.toContain('ghp_');
  });

  it('answers malformed JSON without quoting the body', async () => {
    const response = await request(app.getHttpServer()).post('/example').set('content-type', 'application/json').send('ghp_secret_in_a_broken_body').expect(400);
    expect(response.body).toMatchObject({ type: expect.stringContaining('malformed-body'), errors: [{ field: 'body' }] });
    expect(JSON.stringify(response.body)).not.toContain('ghp_');
  });

  it('refuses NUL characters and lone surrogates in the body, the query and the path, naming the field', async () => {
    const server = app.getHttpServer();
    const cases: Array<[request.Test, string]> = [
      [request(server).post('/example').set('content-type', 'application/json').send('{"ids":[],"status":"op\\u0000en"}'), 'status'],
      [request(server).post('/example').set('content-type', 'application/json').send('{"ids":["\\ud800"],"status":"open"}'), 'ids[0]'],
      [request(server).post('/example').type('form').send('ids=a%00b&status=open'), 'ids'],
      [request(server).get('/example/abc?q=a%00b'), 'q'],
      [request(server).get('/example/a%00b'), 'path[2]'],
      [request(server).get('/example/a%E0%A4%A'), 'path[2]'],
    ];
    for (const [call, field] of cases) {
      const response = await call;
      expect({ field, status: response.status, type: response.headers['content-type'] }).toEqual({ field, status: 400, type: expect.stringMatching(/problem\+json/) });
      expect(response.body.errors).toEqual([{ field, message: expect.stringMatching(/NUL|surrogate|percent-encoded/) }]);
    }
  });

  it('refuses nesting deeper than 32 levels before validation (1,900 levels overflowed the stack)', async () => {
    const deep = `{"ids":${'['.repeat(1900)}${']'.repeat(1900)},"status":"open"}`;
    const response = await request(app.getHttpServer()).post('/example').set('content-type', 'application/json').send(deep).expect(400);
    expect(response.body.errors[0]).toEqual({ field: expect.stringMatching(/^ids(\[0\])+$/), message: expect.stringContaining('nested deeper') });
  });

  it('validates a present null (OptionalField) and needs a nested object to be an object (not an array)', async () => {
    const server = app.getHttpServer();
    const nullNote = await request(server).post('/example/nested').send({ source: { name: 'x' }, note: null }).expect(400);
    expect(nullNote.body.errors).toEqual([expect.objectContaining({ field: 'note' })]);
    for (const source of [[], 'x', null]) {
      const response = await request(server).post('/example/nested').send({ source }).expect(400);
      expect(response.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ field: 'source' })]));
    }
    const arrays = await request(server).post('/example/nested').send({ source: { name: 'x' }, items: [[]] }).expect(400);
    expect(arrays.body.errors).toEqual([expect.objectContaining({ field: 'items' })]);
    await request(server).post('/example/nested').send({ source: { name: 'x' }, items: [{ name: 'y' }] }).expect(201);
    await request(server).post('/example/nested').send({ source: { name: 'x' }, at: '2026-W01-1' }).expect(400);
    const at = await request(server).post('/example/nested').send({ source: { name: 'x' }, at: '2026-11-25T10:00+01:00' }).expect(201);
    expect(at.body.at).toBe('2026-11-25T09:00:00.000Z');
  });

  it('answers bad bodies on Fastify with 4xx problem+json: a malformed content type, a chunked body over the limit, a wrong content type', async () => {
    const server = app.getHttpServer();
    const badType = await request(server).post('/example').set('content-type', 'not a media type').send('{}').expect(415).expect('content-type', /problem\+json/);
    expect(badType.body).toMatchObject({ status: 415, type: expect.stringContaining('unsupported-media-type') });
    const chunked = await rawHttp(app, `POST /example HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n${(1_100_000).toString(16)}\r\n{"pad":"${'x'.repeat(1_100_000 - 10)}"}\r\n0\r\n\r\n`);
    expect(chunked).toMatch(/^HTTP\/1\.1 413 [\s\S]*application\/problem\+json[\s\S]*payload-too-large/);
    // A body the route cannot read is no body: the DTO's own rules answer (400 naming the fields), never a 5xx.
    const text = await request(server).post('/example').set('content-type', 'text/plain').send('ids=x').expect(400).expect('content-type', /problem\+json/);
    expect(text.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ field: 'status' })]));
    const primitive = await request(server).post('/example').set('content-type', 'application/json').send('"just a string"').expect(400);
    expect(primitive.body).toMatchObject({ type: expect.stringContaining('malformed-body'), errors: [{ field: 'body' }] });
  });

  it('answers an oversized URL with 414 and a head over 16 KiB with 431, both problem+json', async () => {
    const long = await request(app.getHttpServer()).get(`/example/${'a'.repeat(9000)}`).expect(414).expect('content-type', /problem\+json/);
    expect(long.body).toMatchObject({ status: 414, type: expect.stringContaining('uri-too-long') });
    const raw = await rawHttp(app, `GET /health HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(17_000)}\r\n\r\n`);
    expect(raw).toMatch(/^HTTP\/1\.1 431 /);
    expect(raw).toMatch(/content-type: application\/problem\+json/i);
    expect(JSON.parse(raw.slice(raw.indexOf('\r\n\r\n') + 4))).toMatchObject({ status: 431, title: 'Request Header Fields Too Large' });
    const garbage = await rawHttp(app, 'NOT HTTP AT ALL\r\n\r\n');
    expect(garbage).toMatch(/^HTTP\/1\.1 400 [\s\S]*application\/problem\+json/);
  });
});

/** Sends raw bytes (what Node's HTTP parser refuses cannot be sent by an HTTP client) and reads the answer. */
async function rawHttp(app: INestApplication, bytes: string): Promise<string> {
  const server = app.getHttpServer();
  if (!server.listening) await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(bytes));
    let answer = '';
    socket.on('data', (chunk) => (answer += chunk));
    socket.on('end', () => resolve(answer));
    socket.on('error', (error) => (answer ? resolve(answer) : reject(error)));
  });
}
