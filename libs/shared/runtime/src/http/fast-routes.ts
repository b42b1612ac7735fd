/**
 * Hot routes answered before Fastify and Nest: the gateway's token check and its reverse-proxy authorize
 * endpoint, which API gateways call on every request they forward. Routing, hooks, the reply object and Nest's
 * guard/pipe/interceptor chain cost several times the check itself (issue 17 measured ~40 µs of CPU for a bare
 * Fastify endpoint, ~110–150 µs for the same check through the full stack), so the HTTP server hands a request
 * here first; anything this table does not take goes to Fastify unchanged.
 *
 * A fast route keeps the guarantees of the full pipeline for the requests it takes: the same JSON body parser
 * and input gate (NUL, lone surrogates, depth), errors as problem+json with the route pattern as `instance`,
 * the "request completed" log line and the duration histogram. It takes only the plain case — exact path, no
 * query string, a JSON body of bounded declared length (or none) — and leaves everything else (a query, a
 * chunked or large body, another content type, nested paths, a server that is closing) to Fastify, whose
 * controllers for the same routes answer it the same way (and are what OpenAPI documents).
 */
import { Global, Inject, Injectable, Logger, Module, OnApplicationShutdown } from '@nestjs/common';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import type { Histogram, Registry } from 'prom-client';
import { logRequestCompleted } from '../logging/logging.module';
import { ROUTE_PATTERN } from '../logging/request-path';
import { httpDurationHistogram } from '../metrics/http-duration';
import { METRICS_REGISTRY } from '../metrics/metrics-registry';
import { parseJsonBody } from './body-parsers';
import { UnacceptableInputError, findInputFault } from './input-hygiene';
import { PROBLEM_CONTENT_TYPE } from './problem';
import { problemFor } from './problem.filter';

/** Larger declared bodies go through Fastify's parser (limit 1 MiB); a token check is well under 1 KiB. */
export const FAST_BODY_LIMIT = 64 * 1024;

const JSON_CONTENT_TYPE = /^application\/json\s*(;\s*charset=utf-8\s*)?$/i;

export interface FastRequest {
  readonly headers: IncomingHttpHeaders;
  /** The parsed JSON body (routes with `body: 'json'`), else undefined. */
  readonly body: unknown;
}

export interface FastAnswer {
  status: number;
  headers?: Record<string, string>;
  /** JSON (or problem+json) text; absent for a body-less answer (204). */
  body?: string;
  contentType?: string;
}

export interface FastRoute {
  /** `*`: any method (a reverse proxy's authorization subrequest keeps the original method). */
  method: 'GET' | 'POST' | '*';
  /** The exact path, which is also the route pattern in logs and metrics. */
  path: string;
  body: 'json' | 'none';
  /**
   * Answers the request. `response` only receives headers (e.g. RateLimit-* from the API-key guard, kept on an
   * error answer too); the table writes the answer. A thrown error becomes problem+json as in the full pipeline.
   */
  handle(request: FastRequest, response: ServerResponse): FastAnswer | Promise<FastAnswer>;
}

@Injectable()
export class FastRoutes implements OnApplicationShutdown {
  private readonly logger = new Logger('FastRoutes');
  private readonly byPath = new Map<string, FastRoute>();
  private readonly duration: Histogram<'method' | 'route' | 'status'>;
  private open = true;

  constructor(@Inject(METRICS_REGISTRY) registry: Registry) {
    this.duration = httpDurationHistogram(registry);
  }

  add(route: FastRoute): void {
    // Fastify ignores a trailing slash (`ignoreTrailingSlash`): so does the table.
    this.byPath.set(route.path, route);
    this.byPath.set(`${route.path}/`, route);
  }

  /** Shutting down: Fastify answers from now on (its 503 while closing, connection handling). */
  onApplicationShutdown(): void {
    this.open = false;
  }

  /** Takes the request (true: it is being answered here) or leaves it to Fastify (false: nothing was read). */
  take(req: IncomingMessage, res: ServerResponse): boolean {
    if (!this.open) return false;
    const route = this.byPath.get(req.url as string);
    if (!route || (route.method !== '*' && route.method !== req.method)) return false;
    const headers = req.headers;
    const length = route.body === 'json' ? Number(headers['content-length']) : 0;
    if (route.body === 'json') {
      if (!(length >= 0 && length <= FAST_BODY_LIMIT) || headers['transfer-encoding'] !== undefined) return false;
      if (!JSON_CONTENT_TYPE.test(headers['content-type'] ?? '')) return false;
    } else if (headers['transfer-encoding'] !== undefined || (headers['content-length'] !== undefined && headers['content-length'] !== '0')) {
      return false;
    }
    const started = performance.now();
    (req as unknown as Record<symbol, unknown>)[ROUTE_PATTERN] = route.path;
    if (route.body === 'json') this.readBody(route, req, res, started, length);
    else this.serve(route, req, res, undefined, started);
    return true;
  }

  /**
   * Collects the declared number of bytes and answers as soon as the last one arrived — not on 'end', which
   * Node emits a tick later (the parser has the whole message by then; nothing more can come for this request).
   * A body of 0 bytes, or one cut short when the client goes away, ends with 'end' / 'error' as usual.
   */
  private readBody(route: FastRoute, req: IncomingMessage, res: ServerResponse, started: number, length: number): void {
    const chunks: Buffer[] = [];
    let received = 0;
    let done = false;
    const complete = () => {
      if (done) return;
      done = true;
      let body: unknown;
      try {
        body = parseJsonBody(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks));
        const fault = body === null ? undefined : findInputFault(body);
        if (fault) throw new UnacceptableInputError(400, fault);
      } catch (refusal) {
        this.answer(route, req, res, this.problemOf(refusal, route, req), started);
        return;
      }
      this.serve(route, req, res, body, started);
    };
    req.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      received += chunk.length;
      if (received >= length) complete();
    });
    req.once('end', complete);
    // A client that went away mid-body: nothing to answer (Node destroys the socket).
    req.once('error', () => undefined);
  }

  /** Answers in this turn when the route does (the common case), else when its promise settles. */
  private serve(route: FastRoute, req: IncomingMessage, res: ServerResponse, body: unknown, started: number): void {
    let answer: FastAnswer | Promise<FastAnswer>;
    try {
      answer = route.handle({ headers: req.headers, body }, res);
    } catch (error) {
      answer = this.problemOf(error, route, req);
    }
    if (!(answer instanceof Promise)) return this.answer(route, req, res, answer, started);
    answer.then(
      (settled) => this.answer(route, req, res, settled, started),
      (error: unknown) => this.answer(route, req, res, this.problemOf(error, route, req), started),
    );
  }

  private problemOf(error: unknown, route: FastRoute, req: IncomingMessage): FastAnswer {
    const problem = problemFor(error, req as { method: string }, route.path, this.logger);
    const headers: Record<string, string> = {};
    if (typeof problem.retry_after === 'number') headers['retry-after'] = String(problem.retry_after);
    return { status: problem.status, headers, body: JSON.stringify(problem), contentType: PROBLEM_CONTENT_TYPE };
  }

  private answer(route: FastRoute, req: IncomingMessage, res: ServerResponse, answer: FastAnswer, started: number): void {
    if (res.headersSent || res.destroyed) return;
    res.statusCode = answer.status;
    if (answer.headers) for (const name in answer.headers) res.setHeader(name, answer.headers[name]);
    if (answer.body === undefined) res.end();
    else {
      res.setHeader('content-type', `${answer.contentType ?? 'application/json'}; charset=utf-8`);
      res.setHeader('content-length', Buffer.byteLength(answer.body));
      res.end(answer.body);
    }
    const elapsed = performance.now() - started;
    this.duration.observe({ method: req.method as string, route: route.path, status: String(answer.status) }, elapsed / 1000);
    logRequestCompleted(req, res, elapsed);
  }
}

/** Global: the gateway module adds its routes; `createLeakwatchApp`'s HTTP server consults the table. */
@Global()
@Module({ providers: [FastRoutes], exports: [FastRoutes] })
export class FastRoutesModule {}
