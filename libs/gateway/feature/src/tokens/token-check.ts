/**
 * `POST /api/v1/tokens/check`: the rules of its body and its answer, shared by the Nest controller (what OpenAPI
 * documents, and what answers unusual requests) and the fast route that answers the plain ones.
 */
import type { Caller } from '@leakwatch/authz';
import { secretFingerprint } from '@leakwatch/contracts';
import { ProblemException } from '@leakwatch/runtime';
import { AttemptRecorder } from './attempt-recorder';
import { TokenCheckDto } from './dto/token-check.dto';
import { TokenIndex } from './token-index';
import { TokenVerdict, judgeFingerprint } from './token-verdict';

const SHA256_HEX = /^[0-9a-f]{64}$/;

/** TokenCheckDto's rules (unknown fields refused, a present null validated), without class-validator. */
export function readTokenCheck(raw: unknown): TokenCheckDto {
  const body = (raw ?? {}) as Record<string, unknown>;
  const errors: Array<{ field: string; message: string }> = [];
  if (typeof body !== 'object' || Array.isArray(body)) errors.push({ field: 'body', message: 'must be a JSON object' });
  else {
    for (const field of Object.keys(body)) if (field !== 'token' && field !== 'sha256') errors.push({ field, message: `property ${field} should not exist` });
    if ('token' in body) {
      const token = body.token;
      if (typeof token !== 'string') errors.push({ field: 'token', message: 'token must be a string' });
      else if (token.length < 1) errors.push({ field: 'token', message: 'token must be longer than or equal to 1 characters' });
      else if (token.length > 10_000) errors.push({ field: 'token', message: 'token must be shorter than or equal to 10000 characters' });
    }
    if ('sha256' in body) {
      const sha256 = body.sha256;
      if (typeof sha256 !== 'string') errors.push({ field: 'sha256', message: 'sha256 must be a string' });
      else if (!SHA256_HEX.test(sha256)) errors.push({ field: 'sha256', message: 'sha256 must be 64 lowercase hex characters' });
    }
  }
  if (errors.length) {
    throw new ProblemException(400, 'validation-failed', 'Invalid request', errors.map((e) => `${e.field}: ${e.message}`).join('; '), { errors });
  }
  return body as TokenCheckDto;
}

/** The caller's verdict on the token (or SHA-256) in `raw`, a parsed JSON body; 400 when it is not a valid check. */
export function checkToken(index: TokenIndex, attempts: AttemptRecorder, caller: Caller, raw: unknown): TokenVerdict {
  const body = readTokenCheck(raw);
  if ((body.token === undefined) === (body.sha256 === undefined)) {
    throw new ProblemException(400, 'validation-failed', 'Invalid request', 'Give exactly one of token or sha256.', {
      errors: [{ field: 'token', message: 'exactly one of token or sha256 is required' }],
    });
  }
  return judgeFingerprint(index, attempts, caller, body.sha256 ?? secretFingerprint(body.token as string));
}
