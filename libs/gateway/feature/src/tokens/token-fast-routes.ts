/**
 * The gateway's hot routes on the fast path (see @leakwatch/runtime's fast-routes.ts): the JSON token check
 * and the reverse-proxy authorize endpoint, answered with the same functions their controllers use — the same
 * authentication and usage counting, validation, verdict and recorded attempts.
 */
import { Injectable, OnModuleInit } from '@nestjs/common';
import { ApiKeyGuard } from '@leakwatch/auth';
import { FastRoutes } from '@leakwatch/runtime';
import { AttemptRecorder } from './attempt-recorder';
import { authorizeRequest } from './authorize';
import { checkToken } from './token-check';
import { TokenIndex } from './token-index';

export const TOKEN_CHECK_PATH = '/api/v1/tokens/check';
export const AUTHORIZE_PATH = '/api/v1/tokens/authorize';

@Injectable()
export class TokenFastRoutes implements OnModuleInit {
  constructor(
    private readonly routes: FastRoutes,
    private readonly guard: ApiKeyGuard,
    private readonly index: TokenIndex,
    private readonly attempts: AttemptRecorder,
  ) {}

  onModuleInit(): void {
    this.routes.add({
      method: 'POST',
      path: TOKEN_CHECK_PATH,
      body: 'json',
      handle: (request, response) =>
        this.guard.whenAuthenticated(request.headers, response, (caller) => ({ status: 200, body: JSON.stringify(checkToken(this.index, this.attempts, caller, request.body)) })),
    });
    this.routes.add({
      method: '*',
      path: AUTHORIZE_PATH,
      body: 'none',
      handle: (request, response) => authorizeRequest(this.guard, this.index, this.attempts, request.headers, response),
    });
  }
}
