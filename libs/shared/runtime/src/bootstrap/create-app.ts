/**
 * Builds a configured Nest application (not yet listening): used by `runLeakwatch` and by e2e tests,
 * so tests exercise exactly the HTTP pipeline users get.
 */
import { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import express, { NextFunction, Request, Response } from 'express';
import { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { Logger } from 'nestjs-pino';
import { LeakwatchConfig } from '../config/leakwatch-config';
import { OpenApiContributors } from '../http/openapi-contributor';
import { finishOpenApiDocument } from '../http/openapi/finish-document';
import { ProblemDetailsFilter } from '../http/problem.filter';
import { createValidationPipe } from '../http/validation';
import { bodyParserRefusal, inputHygiene } from '../http/input-hygiene';
import { answerClientErrors } from '../http/client-error';
import { LeakwatchAppModule, LeakwatchTarget } from './app-module';

/** Routes that read their request body as a stream (scanner reports can be tens of megabytes). */
export const STREAMED_BODY_PATHS = ['/api/v1/ingest/'];

export async function createLeakwatchApp(
  target: LeakwatchTarget,
  config: LeakwatchConfig & { databaseUrl: string },
): Promise<INestApplication> {
  const app = await NestFactory.create<NestExpressApplication>(LeakwatchAppModule.create(target, config), {
    bufferLogs: true,
    abortOnError: false, // throw instead of process.exit, so callers (and tests) see start-up errors
    bodyParser: false,
  });
  app.useLogger(app.get(Logger));
  app.disable('x-powered-by');
  // Report intake streams its (large) bodies itself; everything else gets bounded parsers.
  const json = express.json({ limit: '1mb', type: ['application/json', 'application/*+json'] });
  const form = express.urlencoded({ extended: false, limit: '64kb' });
  app.use((req: Request, res: Response, next: NextFunction) => {
    if (STREAMED_BODY_PATHS.some((prefix) => req.path.startsWith(prefix))) return next();
    json(req, res, (error?: unknown) => (error ? next(bodyParserRefusal(error)) : form(req, res, (e?: unknown) => next(e ? bodyParserRefusal(e) : undefined))));
  });
  app.use(inputHygiene());
  answerClientErrors(app.getHttpServer());
  app.useGlobalPipes(createValidationPipe());
  app.useGlobalFilters(new ProblemDetailsFilter());
  setUpOpenApi(app, target.name);
  return app;
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
