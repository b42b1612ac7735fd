/**
 * Request body parsers (Fastify content-type parsers): bounded JSON and form bodies for every route, and no
 * parsing at all where a route reads its body as a stream (scanner reports can be tens of megabytes: they are
 * read chunk by chunk from `request.raw`, in constant memory). Any other content type is left unread for the
 * route (the Leak-Lookup `/api/stats` reads bodies without a content type, and multipart ones, itself).
 *
 * Refusals quote nothing of the body (a parser's own message would: `Unexpected token … "ghp_…"`).
 */
import { parse as parseQueryString } from 'node:querystring';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { UnacceptableInputError } from './input-hygiene';

/** Routes that read their request body as a stream. */
export const STREAMED_BODY_PATHS = ['/api/v1/ingest/'];
export const JSON_BODY_LIMIT = 1024 * 1024;
export const FORM_BODY_LIMIT = 64 * 1024;

/** `application/json` and every `application/*+json` (problem+json, merge-patch+json, sarif+json, …). */
const JSON_TYPES = /^application\/([\w.+-]+\+)?json(\s*;|$)/;

type Done = (error: Error | null, body?: unknown) => void;

const streamed = (request: FastifyRequest) => STREAMED_BODY_PATHS.some((prefix) => request.url.startsWith(prefix));

const malformed = (message: string) => new UnacceptableInputError(400, { field: 'body', message }, 'malformed-body', 'Malformed request body');
const tooLarge = () => new UnacceptableInputError(413, { field: 'body', message: 'is larger than this endpoint accepts' }, 'payload-too-large', 'Payload too large');

/** Reads the whole body up to `limit` bytes; past it a 413 at once (the rest is drained, not kept). */
function readBounded(request: FastifyRequest, payload: NodeJS.ReadableStream, limit: number, done: (error: Error | null, body?: Buffer) => void): void {
  const declared = Number(request.headers['content-length']);
  let finished = false;
  const finish = (error: Error | null, body?: Buffer) => {
    if (finished) return;
    finished = true;
    done(error, body);
  };
  if (declared > limit) {
    payload.resume();
    return finish(tooLarge());
  }
  const chunks: Buffer[] = [];
  let size = 0;
  payload.on('data', (chunk: Buffer) => {
    if (finished) return;
    size += chunk.length;
    if (size > limit) {
      chunks.length = 0;
      return finish(tooLarge());
    }
    chunks.push(chunk);
  });
  payload.on('end', () => finish(null, Buffer.concat(chunks, size)));
  payload.on('error', () => finish(malformed('was not sent completely')));
}

/** As Express' JSON parser in strict mode: an object or an array; an empty body is `{}`. */
export function parseJsonBody(buffer: Buffer): unknown {
  const text = buffer.toString('utf8');
  const start = text.search(/\S/);
  if (start < 0) return {};
  if (text[start] !== '{' && text[start] !== '[') throw malformed('is not valid JSON (or not valid for its content type)');
  try {
    return JSON.parse(text);
  } catch {
    throw malformed('is not valid JSON (or not valid for its content type)');
  }
}

export function registerBodyParsers(fastify: FastifyInstance): void {
  fastify.removeAllContentTypeParsers();
  const json = (request: FastifyRequest, payload: NodeJS.ReadableStream, done: Done) => {
    if (streamed(request)) return done(null, undefined);
    readBounded(request, payload, JSON_BODY_LIMIT, (error, buffer) => {
      if (error) return done(error);
      try {
        done(null, parseJsonBody(buffer as Buffer));
      } catch (refusal) {
        done(refusal as Error);
      }
    });
  };
  fastify.addContentTypeParser('application/json', json);
  fastify.addContentTypeParser(JSON_TYPES, json);
  fastify.addContentTypeParser('application/x-www-form-urlencoded', (request: FastifyRequest, payload: NodeJS.ReadableStream, done: Done) => {
    if (streamed(request)) return done(null, undefined);
    readBounded(request, payload, FORM_BODY_LIMIT, (error, buffer) => {
      if (error) return done(error);
      const form = parseQueryString((buffer as Buffer).toString('utf8'));
      if (Object.keys(form).length > 1000) return done(malformed('has too many form parameters'));
      done(null, { ...form });
    });
  });
  // Anything else (NDJSON, multipart, no content type): left unread for the route.
  fastify.addContentTypeParser('*', (_request: FastifyRequest, _payload: NodeJS.ReadableStream, done: Done) => done(null, undefined));
}
