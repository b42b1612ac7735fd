/**
 * Reverse-proxy authorization (nginx `auth_request`, Envoy `ext_authz` HTTP service): the proxy forwards
 * the ORIGINAL request's headers here and allows the request on 2xx. The proxy's own Leakwatch key travels
 * in `X-Leakwatch-Key` (the usual `X-API-Key`/`Authorization` headers carry the credential being checked).
 * The presented credential is read from the header named by `X-Leakwatch-Token-Header` if the proxy sets
 * one, else from `Authorization` (`Bearer`/`Token` scheme) and then `X-API-Key`.
 *
 * 204 = allow (not leaked, leaked but not patched, or no credential at all), 403 = a virtual patch blocks
 * this token, 401 = the proxy's own key is missing or invalid. Blocked attempts are recorded as by the JSON
 * check. Memory only: the key directory and the token index, no database query (usage counting leases
 * request slots in blocks).
 */
import { All, Controller, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply as Response, FastifyRequest as Request } from 'fastify';
import { ApiKeyGuard, Public } from '@leakwatch/auth';
import { PROBLEM_CONTENT_TYPE, ProblemException, problem } from '@leakwatch/runtime';
import { AttemptRecorder } from './attempt-recorder';
import { TokenIndex } from './token-index';
import { secretFingerprint } from '@leakwatch/contracts';
import { judgeFingerprint } from './token-verdict';

export const GATEWAY_KEY_HEADER = 'x-leakwatch-key';
export const TOKEN_HEADER_HEADER = 'x-leakwatch-token-header';

type Headers = Request['headers'];

const first = (value: string | string[] | undefined): string | undefined => (Array.isArray(value) ? value[0] : value)?.trim() || undefined;

/** The credential the client presented to the proxied service, or undefined. */
export function presentedCredential(headers: Headers): string | undefined {
  const named = first(headers[TOKEN_HEADER_HEADER])?.toLowerCase();
  if (named) return credentialIn(named, first(headers[named]));
  return credentialIn('authorization', first(headers.authorization)) ?? first(headers['x-api-key']);
}

function credentialIn(header: string, value: string | undefined): string | undefined {
  if (!value) return undefined;
  if (header !== 'authorization') return value;
  const match = /^(?:Bearer|Token)\s+(\S+)\s*$/i.exec(value);
  return match ? match[1] : value;
}

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
    const gatewayKey = first(req.headers[GATEWAY_KEY_HEADER]);
    if (!gatewayKey) {
      throw new ProblemException(401, 'missing-api-key', 'Unauthorized', `The proxy must send its Leakwatch key as ${GATEWAY_KEY_HEADER}.`);
    }
    const caller = await this.guard.authenticate({ 'x-api-key': gatewayKey }, res);
    const credential = presentedCredential(req.headers);
    const verdict = credential ? judgeFingerprint(this.index, this.attempts, caller, secretFingerprint(credential)) : { leaked: false, blocked: false };
    res.header('Cache-Control', 'no-store');
    res.header('X-Leakwatch-Verdict', verdict.blocked ? 'blocked' : verdict.leaked ? 'leaked' : 'allow');
    if (!verdict.blocked) {
      res.status(204).send();
      return;
    }
    if (verdict.leakid) res.header('X-Leakwatch-Leakid', verdict.leakid);
    res
      .status(403)
      .type(PROBLEM_CONTENT_TYPE)
      .send(JSON.stringify(problem(403, 'token-blocked', 'Forbidden', 'This credential is leaked and blocked by a virtual patch.')));
  }
}
