/**
 * Errors on `/api/stats` answer in Leak-Lookup's format (HTTP 200, `MISSING REQUIRED PARAMETERS`): its
 * clients read `error`, never a status or problem+json. Covers what fails inside the route; a body refused before
 * it (unreadable, too large) gets the same answer through the route's ClientErrorAnswer. Failures of Leakwatch
 * itself (5xx) stay problem+json 5xx: a
 * client must not read a database outage as its own mistake.
 */
import { ArgumentsHost, Catch, ExceptionFilter, HttpException } from '@nestjs/common';
import type { FastifyReply as Response } from 'fastify';
import { ProblemDetailsFilter } from '@leakwatch/runtime';
import { LEAK_LOOKUP_ERRORS, errorBody } from './leak-lookup-format';

@Catch()
export class LeakLookupExceptionFilter implements ExceptionFilter {
  private readonly fallback = new ProblemDetailsFilter();

  catch(exception: unknown, host: ArgumentsHost): void {
    const status = exception instanceof HttpException ? exception.getStatus() : (exception as { status?: unknown })?.status;
    const response = host.switchToHttp().getResponse<Response>();
    if (typeof status !== 'number' || status < 400 || status >= 500 || response.sent) return this.fallback.catch(exception, host);
    response.status(200).type('application/json').send(errorBody(LEAK_LOOKUP_ERRORS.missingParameters));
  }
}
