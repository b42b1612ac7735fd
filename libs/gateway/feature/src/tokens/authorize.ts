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
import type { IncomingHttpHeaders } from 'node:http';
import type { HeaderSink } from '@leakwatch/auth';
import type { Caller } from '@leakwatch/authz';
import { ApiKeyGuard } from '@leakwatch/auth';
import { secretFingerprint } from '@leakwatch/contracts';
import { PROBLEM_CONTENT_TYPE, ProblemException, problem } from '@leakwatch/runtime';
import { AttemptRecorder } from './attempt-recorder';
import { TokenIndex } from './token-index';
import { TokenVerdict, judgeFingerprint } from './token-verdict';

export const GATEWAY_KEY_HEADER = 'x-leakwatch-key';
export const TOKEN_HEADER_HEADER = 'x-leakwatch-token-header';

type Headers = IncomingHttpHeaders;

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

export interface AuthorizeAnswer {
  status: 204 | 403;
  headers: Record<string, string>;
  /** problem+json for a 403. */
  body?: string;
  contentType?: string;
}

const BLOCKED_BODY = JSON.stringify(problem(403, 'token-blocked', 'Forbidden', 'This credential is leaked and blocked by a virtual patch.'));

/**
 * The answer to one authorization subrequest: the proxy's key authenticated (RateLimit-* headers to `sink`),
 * then the presented credential judged. Throws the 401/429 problem for the proxy's own key. Answers in the same
 * turn of the event loop when the guard can (a known key, slots in the usage lease), else as a promise.
 */
export function authorizeRequest(guard: ApiKeyGuard, index: TokenIndex, attempts: AttemptRecorder, headers: Headers, sink: HeaderSink): AuthorizeAnswer | Promise<AuthorizeAnswer> {
  const gatewayKey = first(headers[GATEWAY_KEY_HEADER]);
  if (!gatewayKey) {
    throw new ProblemException(401, 'missing-api-key', 'Unauthorized', `The proxy must send its Leakwatch key as ${GATEWAY_KEY_HEADER}.`);
  }
  return guard.whenAuthenticated({ 'x-api-key': gatewayKey }, sink, (caller) => answerFor(judgeCredential(index, attempts, caller, headers)));
}

function judgeCredential(index: TokenIndex, attempts: AttemptRecorder, caller: Caller, headers: Headers): TokenVerdict {
  const credential = presentedCredential(headers);
  return credential ? judgeFingerprint(index, attempts, caller, secretFingerprint(credential)) : { leaked: false, blocked: false };
}

function answerFor(verdict: TokenVerdict): AuthorizeAnswer {
  const answerHeaders: Record<string, string> = {
    'cache-control': 'no-store',
    'x-leakwatch-verdict': verdict.blocked ? 'blocked' : verdict.leaked ? 'leaked' : 'allow',
  };
  if (!verdict.blocked) return { status: 204, headers: answerHeaders };
  if (verdict.leakid) answerHeaders['x-leakwatch-leakid'] = verdict.leakid;
  return { status: 403, headers: answerHeaders, body: BLOCKED_BODY, contentType: PROBLEM_CONTENT_TYPE };
}
