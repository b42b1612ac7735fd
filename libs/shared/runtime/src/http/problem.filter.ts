/**
 * Maps every error to problem+json. Unknown errors become a 500 whose body says nothing about internals;
 * the error itself is logged (never request bodies, which may hold secrets). No answer echoes the request's
 * URL: a path or query string may hold a key or a pasted token, so `instance` is the route pattern
 * (`/api/v1/leaks/:leakid`), absent when no route matched.
 */
import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger, NotFoundException } from '@nestjs/common';
import type { Request, Response } from 'express';
import { routePattern } from '../logging/request-path';
import { UnacceptableInputError } from './input-hygiene';
import { PROBLEM_CONTENT_TYPE, ProblemDetails, problem, statusSlug } from './problem';

@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly logger = new Logger('ProblemDetails');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const response = http.getResponse<Response>();
    const request = http.getRequest<Request>();
    const route = routePattern(request);
    const body = this.toProblem(exception, request);
    if (route) body.instance ??= route;
    else delete body.instance;
    if (body.status >= 500) this.logger.error({ err: exception, path: body.instance }, 'request failed');
    if (response.headersSent) return;
    // 429/503 problems carry `retry_after` (seconds); HTTP clients read the header.
    if (typeof body.retry_after === 'number') response.setHeader('Retry-After', String(body.retry_after));
    response.status(body.status).type(PROBLEM_CONTENT_TYPE).send(JSON.stringify(body));
  }

  private toProblem(exception: unknown, request: Request): ProblemDetails {
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
    if (isBodyParserError(exception)) {
      const status = exception.status;
      const title = status === 413 ? 'Payload too large' : 'Malformed request body';
      return problem(status, status === 413 ? 'payload-too-large' : 'malformed-body', title, 'The request body could not be read.');
    }
    return problem(500, 'internal-error', 'Internal server error', 'The request could not be completed; it has been logged.');
  }
}

function isBodyParserError(error: unknown): error is { status: number; message: string; type: string } {
  const e = error as { status?: unknown; type?: unknown };
  return typeof e?.status === 'number' && e.status >= 400 && e.status < 500 && typeof e.type === 'string';
}
