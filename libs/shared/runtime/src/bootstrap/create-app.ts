/**
 * Builds a configured Nest application (not yet listening): used by `runLeakwatch` and by e2e tests,
 * so tests exercise exactly the HTTP pipeline users get.
 */
import { INestApplication, Logger as NestLogger } from '@nestjs/common';
import { NestApplication, NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { createServer } from 'node:http';
import type { FastifyInstance, FastifyReply, FastifyRequest, FastifyServerFactory } from 'fastify';
import type { Registry } from 'prom-client';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { Logger } from 'nestjs-pino';
import { LeakwatchConfig } from '../config/leakwatch-config';
import { OpenApiContributors } from '../http/openapi-contributor';
import { finishOpenApiDocument } from '../http/openapi/finish-document';
import { ProblemDetailsFilter, sendProblem } from '../http/problem.filter';
import { createValidationPipe } from '../http/validation';
import { UnacceptableInputError, bodyHygieneHook, urlHygieneHook, urlRefusal } from '../http/input-hygiene';
import { answerClientError } from '../http/client-error';
import { JSON_BODY_LIMIT, registerBodyParsers } from '../http/body-parsers';
import { registerConditionalGet } from '../http/conditional-get';
import { FastRoutes } from '../http/fast-routes';
import { logRequestCompleted, requestIdOf } from '../logging/logging.module';
import { ROUTE_PATTERN } from '../logging/request-path';
import { METRICS_REGISTRY, installHttpMetrics } from '../metrics/metrics';
import { LeakwatchAppModule, LeakwatchTarget } from './app-module';

export { STREAMED_BODY_PATHS } from '../http/body-parsers';

/** The longest path parameter a route receives (find-my-way's default of 100 would turn a long pasted value into a 404). */
const MAX_PARAM_LENGTH = 8192;

/**
 * Fastify under NestJS. `app.init()` also waits for Fastify to be ready, so a test may hand
 * `app.getHttpServer()` to supertest right after it.
 */
export async function createLeakwatchApp(
  target: LeakwatchTarget,
  config: LeakwatchConfig & { databaseUrl: string },
): Promise<INestApplication> {
  const fast: { routes?: FastRoutes } = {};
  const adapter = new FastifyAdapter({
    serverFactory: serverWithFastRoutes(fast),
    logger: false, // nestjs-pino logs (LoggingModule)
    bodyLimit: JSON_BODY_LIMIT,
    genReqId: requestIdOf,
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH, ignoreTrailingSlash: true },
    clientErrorHandler: answerClientError,
    // A path that does not percent-decode: refused before routing, naming the segment.
    frameworkErrors: (error: Error & { code?: string }, request: FastifyRequest, reply: FastifyReply) => {
      const refusal = error.code === 'FST_ERR_BAD_URL' ? (urlRefusal(request.url, {}) ?? new UnacceptableInputError(400, { field: 'url', message: 'is not valid' })) : error;
      sendProblem(request, reply, refusal, new NestLogger('ProblemDetails'));
    },
  });
  const app = await NestFactory.create<NestFastifyApplication>(LeakwatchAppModule.create(target, config), adapter, {
    bufferLogs: true,
    abortOnError: false, // throw instead of process.exit, so callers (and tests) see start-up errors
    bodyParser: false,
  });
  app.useLogger(app.get(Logger));
  fast.routes = app.get(FastRoutes);
  const fastify = app.getHttpAdapter().getInstance() as unknown as FastifyInstance;
  closeServerOnClose(fastify);
  installRequestPipeline(fastify, app.get<Registry>(METRICS_REGISTRY));
  await registerConditionalGet(fastify); // ETag / If-None-Match → 304 for GETs under /api/v1
  app.useGlobalPipes(createValidationPipe());
  app.useGlobalFilters(new ProblemDetailsFilter());
  setUpOpenApi(app, target.name);
  // Nest's application proxy ignores plain assignments (defineProperty reaches the application itself), and
  // reads methods lazily: the original is taken from the prototype, not through the proxy.
  Object.defineProperty(app, 'init', {
    configurable: true,
    value: async function init(this: INestApplication) {
      await NestApplication.prototype.init.call(this);
      await fastify.ready();
      return this;
    },
  });
  return app;
}

/**
 * The HTTP server Fastify would create (same timeouts), except that the fast routes (http/fast-routes.ts) see
 * each request first. `fast.routes` is filled in once Nest has built the modules that add them.
 */
function serverWithFastRoutes(fast: { routes?: FastRoutes }): FastifyServerFactory {
  return (handler, options) => {
    const server = createServer(options.http ?? {}, (req, res) => {
      if (!fast.routes?.take(req, res)) handler(req, res);
    });
    server.keepAliveTimeout = options.keepAliveTimeout as number;
    server.requestTimeout = options.requestTimeout as number;
    server.setTimeout(options.connectionTimeout as number);
    if ((options.maxRequestsPerSocket as number) > 0) server.maxRequestsPerSocket = options.maxRequestsPerSocket as number;
    return server;
  };
}

/**
 * With a server factory, Fastify closes the HTTP server only if it listened itself: an app whose server was put to
 * listen by someone else (supertest on `app.getHttpServer()` in tests) would stay open after `app.close()`, and
 * hold its process. Close it here too (idle keep-alive connections first); a second close is harmless.
 */
function closeServerOnClose(fastify: FastifyInstance): void {
  fastify.addHook('onClose', (instance, done) => {
    const server = instance.server;
    if (!server.listening) return done();
    server.closeIdleConnections();
    server.close(() => done());
  });
}

/**
 * What every request goes through before a route: the route pattern for the log lines, the URL gate and the
 * bounded body parsers (a refusal names the field and quotes nothing), the body gate; after it, the metrics.
 */
function installRequestPipeline(fastify: FastifyInstance, registry: Registry): void {
  registerBodyParsers(fastify);
  const logger = new NestLogger('ProblemDetails');
  // Answered here rather than passed on: on the not-found route an error would miss Nest's error handler.
  fastify.addHook('onRequest', (request: FastifyRequest, reply: FastifyReply, done: () => void) => {
    (request.raw as unknown as Record<symbol, unknown>)[ROUTE_PATTERN] = request.routeOptions.url;
    urlHygieneHook(request, reply, (refusal) => (refusal ? sendProblem(request, reply, refusal, logger) : done()));
  });
  fastify.addHook('preValidation', bodyHygieneHook);
  installHttpMetrics(fastify, registry);
  fastify.addHook('onResponse', (request: FastifyRequest, reply: FastifyReply, done: () => void) => {
    logRequestCompleted(request.raw, reply.raw, reply.elapsedTime);
    done();
  });
  // Errors raised here reach Nest's error handler, so the global ProblemDetailsFilter answers them too.
}

/** OpenAPI 3.1 at /docs/openapi.json (and .yaml): Nest's document, finished by `finishOpenApiDocument`. */
function setUpOpenApi(app: INestApplication, service: string): void {
  const document = finishOpenApiDocument(
    SwaggerModule.createDocument(
      app,
      new DocumentBuilder()
        .setTitle('Leakwatch API')
        .setDescription(
          `Leaked credentials and API tokens, from detection to remediation. Process: ${service}. ` +
            'Errors are RFC 9457 problem+json; counted requests carry RateLimit-Limit/Remaining/Reset; lists with `next_cursor` send `Link: <…>; rel="next"`.',
        )
        .setVersion('1')
        .setLicense('Apache-2.0', 'https://www.apache.org/licenses/LICENSE-2.0')
        .addServer('/', 'This Leakwatch process')
        .addApiKey({ type: 'apiKey', in: 'header', name: 'X-API-Key', description: 'An API key (`lw_…`)' }, 'api-key')
        .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'The API key as a bearer token' }, 'bearer')
        .build(),
    ),
  );
  const contributors = app.get(OpenApiContributors);
  SwaggerModule.setup('docs', app, document, {
    jsonDocumentUrl: 'docs/openapi.json',
    yamlDocumentUrl: 'docs/openapi.yaml',
    patchDocumentOnRequest: (_req, _res, doc) => contributors.apply(doc),
  });
}
