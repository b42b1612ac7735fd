/**
 * How the console's files are answered: security headers on every answer, brotli/gzip/identity by
 * Accept-Encoding, ETag revalidation, problem+json for an unknown file and for a failed build.
 */
import { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import request from 'supertest';
import { brotliCompressSync, gzipSync } from 'node:zlib';
import { ConsoleAsset } from '../src/server/console-assets';
import { ConsoleController } from '../src/server/console.controller';
import { ConsoleAssets, ConsoleLookup } from '../src/server/console.service';

const body = Buffer.from('<!doctype html><title>Leakwatch</title>'.repeat(20));
const page: ConsoleAsset = { path: '/', type: 'text/html; charset=utf-8', body, gzip: gzipSync(body), brotli: brotliCompressSync(body), etag: '"abc"', immutable: false };
const script: ConsoleAsset = { ...page, path: '/console/app.0123456789abcdef.js', type: 'text/javascript; charset=utf-8', etag: '"def"', immutable: true };

async function appWith(lookup: (path: string) => ConsoleLookup): Promise<INestApplication> {
  const moduleRef = await Test.createTestingModule({
    controllers: [ConsoleController],
    providers: [{ provide: ConsoleAssets, useValue: { find: async (path: string) => lookup(path) } }],
  }).compile();
  const app = moduleRef.createNestApplication(new FastifyAdapter(), { logger: false });
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  return app;
}

describe('console controller', () => {
  let app: INestApplication;
  beforeAll(async () => {
    app = await appWith((path) => ({ asset: [page, script].find((a) => a.path === path) }));
  });
  afterAll(() => app.close());

  it('answers the page with the strict CSP and the other security headers, revalidated on every load', async () => {
    const answer = await request(app.getHttpServer()).get('/').set('accept-encoding', 'identity');
    expect(answer.status).toBe(200);
    expect(answer.headers['content-security-policy']).toContain("script-src 'self'");
    expect(answer.headers['x-content-type-options']).toBe('nosniff');
    expect(answer.headers['x-frame-options']).toBe('DENY');
    expect(answer.headers['referrer-policy']).toBe('no-referrer');
    expect(answer.headers['cache-control']).toBe('no-cache');
    expect(answer.headers['content-encoding']).toBeUndefined();
    expect(answer.text).toBe(body.toString());
  });

  it('prefers brotli, then gzip, and caches hashed files for good', async () => {
    const br = await request(app.getHttpServer()).get(script.path).set('accept-encoding', 'gzip, deflate, br');
    expect(br.headers['content-encoding']).toBe('br');
    expect(Number(br.headers['content-length'])).toBe(script.brotli.length);
    expect(br.headers['cache-control']).toContain('immutable');
    expect(br.headers.vary).toContain('Accept-Encoding');
    const gzip = await request(app.getHttpServer()).get(script.path).set('accept-encoding', 'gzip');
    expect(gzip.headers['content-encoding']).toBe('gzip');
    expect(gzip.text).toBe(body.toString()); // supertest decodes it
  });

  it('answers 304 to a request that already has the current version', async () => {
    const answer = await request(app.getHttpServer()).get('/').set('if-none-match', '"abc"');
    expect(answer.status).toBe(304);
    expect(answer.headers['content-security-policy']).toBeDefined();
  });

  it('answers an unknown file with a 404 problem', async () => {
    const answer = await request(app.getHttpServer()).get('/console/nope.js');
    expect(answer.status).toBe(404);
    expect(answer.headers['content-type']).toContain('application/problem+json');
    expect(JSON.parse(answer.text)).toMatchObject({ status: 404, detail: 'No console file /console/nope.js.' });
  });

  it('answers 503 naming the reason when the console could not be built', async () => {
    const broken = await appWith(() => ({ unavailable: 'esbuild: Could not resolve "chart.js"' }));
    try {
      const answer = await request(broken.getHttpServer()).get('/');
      expect(answer.status).toBe(503);
      expect(JSON.parse(answer.text).detail).toContain('Could not resolve "chart.js"');
      expect(answer.headers['content-security-policy']).toBeDefined();
    } finally {
      await broken.close();
    }
  });
});
