/**
 * A body that cannot be parsed (malformed JSON, too large, bad charset) fails in the body parser, before any
 * controller or Nest filter runs, and would become problem+json. On `/api/stats` Leak-Lookup clients expect
 * their own format instead: MISSING REQUIRED PARAMETERS, HTTP 200 like every stats answer.
 *
 * An Express error handler on that one path does it. Registered in `onModuleInit`, which Nest runs after the
 * routes are mounted and before its own catch-all error handler, so it sees exactly the parser's errors for
 * this path; everything else still reaches the problem+json handler.
 */
import { Injectable, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { NextFunction, Request, Response } from 'express';
import { LEAK_LOOKUP_ERRORS, errorBody } from './leak-lookup-format';

export const LEAK_LOOKUP_PATH = '/api/stats';

@Injectable()
export class LeakLookupBodyErrors implements OnModuleInit {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  onModuleInit(): void {
    const express = this.adapterHost.httpAdapter?.getInstance?.() as { use?: (path: string, handler: unknown) => void } | undefined;
    if (typeof express?.use !== 'function') return; // no HTTP server (e.g. a test module)
    express.use(LEAK_LOOKUP_PATH, leakLookupBodyErrorHandler);
  }
}

export function leakLookupBodyErrorHandler(error: unknown, req: Request, res: Response, next: NextFunction): void {
  if (!isBodyParserError(error) || res.headersSent || req.originalUrl.split('?')[0] !== LEAK_LOOKUP_PATH) return next(error);
  res.status(200).type('application/json').send(errorBody(LEAK_LOOKUP_ERRORS.missingParameters));
}

function isBodyParserError(error: unknown): boolean {
  const e = error as { status?: unknown; type?: unknown } | null;
  return typeof e?.status === 'number' && e.status >= 400 && e.status < 500 && typeof e.type === 'string';
}
