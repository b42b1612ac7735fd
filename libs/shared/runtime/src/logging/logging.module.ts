/**
 * Structured JSON logs (pino). Credentials never reach a log line: auth headers and cookies are redacted,
 * request bodies and query strings are never logged, and a path only once its route accepted it
 * (request-path.ts): the request binding, made when a request arrives, has no path at all.
 */
import { DynamicModule, Module } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { LoggerModule } from 'nestjs-pino';
import { loggablePath, routePattern } from './request-path';

const REQUEST_ID = Symbol.for('leakwatch.requestId');

/**
 * The request's id: a well-formed incoming `X-Request-Id`, else a new UUID. Kept on the raw request, so Fastify's
 * `request.id` and the log lines' `req.id` are the same value whichever asks first.
 */
export function requestIdOf(req: IncomingMessage): string {
  const r = req as IncomingMessage & { [REQUEST_ID]?: string };
  if (r[REQUEST_ID]) return r[REQUEST_ID];
  const incoming = req.headers['x-request-id'];
  return (r[REQUEST_ID] = typeof incoming === 'string' && /^[\w-]{1,64}$/.test(incoming) ? incoming : randomUUID());
}

export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers["x-api-key"]',
  'req.headers.cookie',
  'req.headers["x-hub-signature-256"]',
  'res.headers["set-cookie"]',
  '*.key',
  '*.token',
  '*.secret',
  '*.password',
];

@Module({})
export class LoggingModule {
  static forRoot(options: { level: string; service: string }): DynamicModule {
    return {
      module: LoggingModule,
      imports: [
        LoggerModule.forRoot({
          pinoHttp: {
            level: options.level,
            base: { service: options.service },
            redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
            genReqId: requestIdOf,
            serializers: {
              req: (req: { id: string; method: string; headers: Record<string, unknown> }) => ({
                id: req.id,
                method: req.method,
                // Only harmless headers are copied; credentials never enter the log record (redaction stays as a backstop).
                headers: { 'user-agent': req.headers?.['user-agent'] },
              }),
            },
            // On the completion line only: by then the route is known (and whether its parameters were valid).
            customProps: (req: IncomingMessage, res: ServerResponse) =>
              res.writableFinished || res.headersSent ? { url: loggablePath(req, res), route: routePattern(req) ?? null } : {},
            autoLogging: { ignore: (req: IncomingMessage) => { const url = (req as IncomingMessage & { originalUrl?: string }).originalUrl ?? req.url; return url === '/health' || url === '/metrics'; } },
          },
        }),
      ],
    };
  }
}
