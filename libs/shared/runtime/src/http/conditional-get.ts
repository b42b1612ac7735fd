/**
 * Conditional GETs for the API (RFC 9110 §13.1.2) with @fastify/etag: a 200 answer to a GET (or HEAD) under
 * `/api/v1/` carries a weak ETag, a hash of its body, and a request whose `If-None-Match` names it is answered
 * 304 Not Modified with no body. The console's live polling relies on it: an unchanged poll costs no body and
 * redraws nothing.
 *
 * - Only those answers: a POST, an error or a page outside the API gets no ETag, and `If-None-Match` never
 *   turns them into a 304 (the plugin alone hooks every answer of every method and status).
 * - Streamed answers (CSV/NDJSON exports) are not hashed: the plugin hashes strings and buffers only, so a stream
 *   is piped untouched and never buffered.
 * - A route that sets its own ETag keeps it (a leak's revision, the token range's content hash); If-None-Match
 *   is then compared with that ETag.
 * - The gateway's proxy (distributed mode) answers on the raw response: the upstream's ETag and 304 pass through
 *   unchanged, and the gateway hashes nothing it proxies.
 */
import { createHash } from 'node:crypto';
import fastifyEtag from '@fastify/etag';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

const API_PREFIX = '/api/v1/';

/** Whether an answer takes part in ETag revalidation. */
export function takesEtag(request: FastifyRequest, reply: FastifyReply): boolean {
  return (request.method === 'GET' || request.method === 'HEAD') && reply.statusCode === 200 && request.url.startsWith(API_PREFIX);
}

/** The hash behind every ETag the app makes itself: SHA-1 of the body, base64 (the plugin's default, made explicit). */
const etagHash = (body: string | Buffer): string => createHash('sha1').update(body).digest('base64');

/**
 * The weak ETag the API would give `body`. A route that serves the same bytes again and again (a cached list page)
 * computes it once and sets it itself, and the hook then only compares it with `If-None-Match`.
 */
export function weakEtagOf(body: string | Buffer): string {
  return `W/"${etagHash(body)}"`;
}

type OnSend = (request: FastifyRequest, reply: FastifyReply, payload: unknown, done: (error: Error | null, payload?: unknown) => void) => void;

export async function registerConditionalGet(fastify: FastifyInstance): Promise<void> {
  // The plugin's one onSend hook, installed on the app but run only for the answers `takesEtag` picks.
  const scoped = {
    addHook(name: string, hook: OnSend) {
      if (name !== 'onSend') throw new Error(`@fastify/etag added an unexpected ${name} hook`);
      fastify.addHook('onSend', function (this: FastifyInstance, request, reply, payload, done) {
        if (!takesEtag(request, reply)) return done(null, payload);
        // A string body is encoded to UTF-8 once, here: hashed as those bytes and sent as them (left a string,
        // it was encoded for the hash, again for Content-Length and again for the socket). Same bytes, same ETag.
        const body = typeof payload === 'string' && !reply.getHeader('etag') ? Buffer.from(payload, 'utf8') : payload;
        hook.call(this, request, reply, body, (error, changed) => (error ? done(error) : done(null, changed === undefined ? body : changed)));
      });
    },
  };
  await fastifyEtag(scoped as unknown as FastifyInstance, { weak: true, hashFn: etagHash });
}
