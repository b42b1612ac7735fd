/**
 * Maps every error to problem+json. Unknown errors become a 500 whose body says nothing about internals;
 * the error itself is logged (never request bodies, which may hold secrets). No answer echoes the request's
 * URL: a path or query string may hold a key or a pasted token, so `instance` is the route pattern
 * (`/api/v1/leaks/:leakid`), absent when no route matched.
 */
import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger, NotFoundException } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { routePattern } from '../logging/request-path';
import { clientErrorAnswerOf } from './client-error-answer';
import { UnacceptableInputError } from './input-hygiene';
import { PROBLEM_CONTENT_TYPE, ProblemDetails, problem, statusSlug } from './problem';

@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly logger = new Logger('ProblemDetails');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    sendProblem(http.getRequest<FastifyRequest>(), http.getResponse<FastifyReply>(), exception, this.logger);
  }
}

/** Answers `exception` as problem+json on a Fastify reply (also used by the app's Fastify error handler). */
export function sendProblem(request: FastifyRequest, reply: FastifyReply, exception: unknown, logger: Pick<Logger, 'error'>): void {
  // A route with its own client-error format (Leak-Lookup's /api/stats) for what was refused before it ran.
  const own = exception instanceof UnacceptableInputError || clientErrorStatusOf(exception) !== undefined ? clientErrorAnswerOf(request.routeOptions?.config) : undefined;
  if (own && !reply.sent) {
    reply.status(own.status).type(own.contentType).send(own.body);
    return;
  }
  const body = problemFor(exception, request, routePattern(request), logger);
  if (reply.sent || reply.raw.headersSent) return;
  // 429/503 problems carry `retry_after` (seconds); HTTP clients read the header.
  if (typeof body.retry_after === 'number') reply.header('Retry-After', String(body.retry_after));
  reply.status(body.status).type(PROBLEM_CONTENT_TYPE).send(JSON.stringify(body));
}

/**
 * The answer's problem details for an error raised while serving `route` (the pattern, `instance`; none when no
 * route matched), a 5xx logged with its error. Shared by the Fastify pipeline and the fast routes.
 */
export function problemFor(exception: unknown, request: Pick<FastifyRequest, 'method'>, route: string | undefined, logger: Pick<Logger, 'error'>): ProblemDetails {
  const body = toProblem(exception, request);
  if (route) body.instance ??= route;
  else delete body.instance;
  if (body.status >= 500) logger.error({ err: exception, path: body.instance }, 'request failed');
  return body;
}

/** The problem details of any error (never quoting the request). */
export function toProblem(exception: unknown, request: Pick<FastifyRequest, 'method'>): ProblemDetails {
  // Nest's own 404 for an unmatched URL says "Cannot GET <url with query string>": never echo it.
  if (exception instanceof NotFoundException && /^Cannot [A-Z]+ /.test(exception.message)) {
    return problem(404, 'not-found', 'Not found', `No ${request.method} route matches this path; the API is described at /docs.`);
  }
  if (exception instanceof UnacceptableInputError) {
    return problem(exception.status, exception.slug, exception.title, exception.message, { errors: [exception.fault] });
  }
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    const payload = exception.getResponse();
    if (typeof payload === 'object' && payload !== null && 'type' in payload && 'title' in payload) {
      return { ...(payload as ProblemDetails) };
    }
    const message = typeof payload === 'string' ? payload : (payload as { message?: unknown }).message;
    const detail = Array.isArray(message) ? message.join('; ') : typeof message === 'string' ? message : exception.message;
    return problem(status, statusSlug(status), exception.name.replace(/Exception$/, '').replace(/([a-z])([A-Z])/g, '$1 $2'), detail);
  }
  const status = clientErrorStatusOf(exception);
  if (status !== undefined) {
    // A body parser's or Fastify's own refusal (a too long path parameter, 415, 413, a bad Content-Length): its message may quote input.
    const [slug, title, detail] = FRAMEWORK_REFUSALS[status] ?? ['malformed-body', 'Malformed request body', 'The request body could not be read.'];
    return problem(status, slug, title, detail);
  }
  return problem(500, 'internal-error', 'Internal server error', 'The request could not be completed; it has been logged.');
}

const FRAMEWORK_REFUSALS: Record<number, [string, string, string]> = {
  413: ['payload-too-large', 'Payload too large', 'The request body is larger than this endpoint accepts.'],
  414: ['uri-too-long', 'URI too long', 'A path segment of the URL is too long.'],
  415: ['unsupported-media-type', 'Unsupported media type', 'The request body has a content type this endpoint cannot read.'],
};

/** The 4xx status of a framework or body-parser error (`status`/`type` of body-parser, `statusCode`/`code` of Fastify). */
export function clientErrorStatusOf(error: unknown): number | undefined {
  const e = error as { status?: unknown; type?: unknown; statusCode?: unknown; code?: unknown } | null;
  if (typeof e?.status === 'number' && e.status >= 400 && e.status < 500 && typeof e.type === 'string') return e.status;
  if (typeof e?.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500 && typeof e.code === 'string' && e.code.startsWith('FST_')) return e.statusCode;
  return undefined;
}
