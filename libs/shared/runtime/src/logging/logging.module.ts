/**
 * Structured JSON logs (pino). Credentials never reach a log line: auth headers and cookies are redacted,
 * request bodies and query strings are never logged, and a path only once its route accepted it
 * (request-path.ts). One "request completed" line per request, written when it finished.
 */
import { DynamicModule, Module } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { LoggerModule, PinoLogger } from 'nestjs-pino';
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

const QUIET_PATHS = new Set(['/health', '/metrics']);

/**
 * The "request completed" line of a finished request (info; 5xx at error), as pino-http wrote it: request id,
 * method and user agent, the loggable path and route pattern, status and time. Nothing when info is off.
 */
export function logRequestCompleted(req: IncomingMessage, res: ServerResponse, responseTime: number): void {
  const logger = PinoLogger.root;
  if (!logger || QUIET_PATHS.has(req.url ?? '')) return;
  const level = res.statusCode >= 500 ? 'error' : 'info';
  if (!logger.isLevelEnabled(level)) return;
  logger[level](
    { req: { id: requestIdOf(req), method: req.method, headers: req.headers }, url: loggablePath(req, res), route: routePattern(req) ?? null, res, responseTime: Math.round(responseTime) },
    'request completed',
  );
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
          },
          // No per-request middleware (pino-http's child logger, AsyncLocalStorage): it cost more than the token
          // check itself. The completion line is written by the app's onResponse hook (logRequestCompleted).
          forRoutes: [],
        }),
      ],
    };
  }
}
