/**
 * Reverse-proxy authorization (nginx `auth_request`, Envoy `ext_authz` HTTP service): see authorize.ts. The plain
 * requests are answered by the fast route (token-fast-routes.ts); this controller answers the rest (a query
 * string, Envoy's nested paths, a request with a body) the same way.
 */
import { All, Controller, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply as Response, FastifyRequest as Request } from 'fastify';
import { ApiKeyGuard, Public } from '@leakwatch/auth';
import { AttemptRecorder } from './attempt-recorder';
import { authorizeRequest } from './authorize';
import { TokenIndex } from './token-index';

export { GATEWAY_KEY_HEADER, TOKEN_HEADER_HEADER, presentedCredential } from './authorize';

@ApiExcludeController() // documented in the README: its contract is the proxy's, not a JSON API
@Public() // authenticated below, from X-Leakwatch-Key
@Controller('api/v1/tokens/authorize')
export class AuthorizeController {
  constructor(private readonly guard: ApiKeyGuard, private readonly index: TokenIndex, private readonly attempts: AttemptRecorder) {}

  @All()
  root(@Req() req: Request, @Res() res: Response): Promise<void> {
    return this.authorize(req, res);
  }

  /** Envoy appends the original path to the authorization service's path prefix. */
  @All('*')
  nested(@Req() req: Request, @Res() res: Response): Promise<void> {
    return this.authorize(req, res);
  }

  private async authorize(req: Request, res: Response): Promise<void> {
    const answer = await authorizeRequest(this.guard, this.index, this.attempts, req.headers, res);
    for (const name in answer.headers) res.header(name, answer.headers[name]);
    if (answer.body === undefined) res.status(answer.status).send();
    else res.status(answer.status).type(answer.contentType as string).send(answer.body);
  }
}
