/**
 * The gateway's two hot routes, `POST /api/v1/tokens/check` and the `auth_request` endpoint, answered from a
 * Fastify `preHandler` hook instead of Nest's request pipeline (guard, param decorators, pipes, interceptor
 * chain): the same controller code, the same API-key authentication and usage counting (RateLimit-* headers,
 * 401/429), the same problem+json errors — only without the per-request framework machinery, which cost more
 * than the check itself. The Nest routes stay registered (OpenAPI, and any request this hook lets through).
 * Everything Fastify does before a handler still runs first: URL and body hygiene, the bounded body parser.
 */
import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ApiKeyGuard } from '@leakwatch/auth';
import { sendProblem } from '@leakwatch/runtime';
import { AuthorizeController } from './authorize.controller';
import { TokensController } from './tokens.controller';

const CHECK_ROUTE = '/api/v1/tokens/check';
const AUTHORIZE_ROUTES = new Set(['/api/v1/tokens/authorize', '/api/v1/tokens/authorize/*']);

@Injectable()
export class TokenFastPath implements OnModuleInit {
  private readonly logger = new Logger('ProblemDetails');

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly guard: ApiKeyGuard,
    private readonly tokens: TokensController,
    private readonly authorizer: AuthorizeController,
  ) {}

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter?.getInstance?.() as FastifyInstance | undefined;
    if (typeof fastify?.addHook !== 'function') return; // no HTTP server (e.g. a test module)
    fastify.addHook('preHandler', (request: FastifyRequest, reply: FastifyReply, done: () => void) => {
      const route = request.routeOptions.url;
      if (route === CHECK_ROUTE && request.method === 'POST') return void this.check(request, reply);
      if (route !== undefined && AUTHORIZE_ROUTES.has(route)) return void this.authorize(request, reply);
      done();
    });
  }

  private async check(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    try {
      const caller = await this.guard.authenticate(request.headers, reply);
      reply.send(this.tokens.check(caller, request.body));
    } catch (error) {
      sendProblem(request, reply, error, this.logger);
    }
  }

  private async authorize(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    try {
      await this.authorizer.authorize(request, reply);
    } catch (error) {
      sendProblem(request, reply, error, this.logger);
    }
  }
}
