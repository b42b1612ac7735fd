/**
 * One gate for what PostgreSQL and the validators cannot take, before any route runs: NUL characters and lone
 * UTF-16 surrogates (text/jsonb refuse them, so they surfaced as 500s deep in a handler), JSON nested deeper
 * than any Leakwatch body needs (class-transformer recursed into a stack overflow), undecodable path segments
 * and oversized URLs. Checked in the path, the query string and the parsed body of every request; the answer
 * is a 400 naming the field (`source.name`, `query.q`, `path[3]`), so nothing of such a request is stored.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';

/** Deeper than every DTO (the deepest is `credentials[i].url`, depth 3) with room to spare. */
export const MAX_INPUT_DEPTH = 32;
/** Node refuses request heads over 16 KiB (431); a URL this long is never a Leakwatch URL. */
export const MAX_URL_LENGTH = 8192;

export interface InputFault {
  field: string;
  message: string;
}

/**
 * A request refused before routing. Shaped like a body-parser error (`status` + `type`), so handlers for parser
 * errors (the Leak-Lookup `/api/stats` format) see it as one; the problem filter turns it into problem+json.
 */
export class UnacceptableInputError extends Error {
  readonly type = 'entity.unacceptable';

  constructor(
    readonly status: number,
    readonly fault: InputFault,
    readonly slug = 'validation-failed',
    readonly title = 'Invalid request',
  ) {
    super(`${fault.field} ${fault.message}`);
  }
}

/** Fixed texts: a parser's own message quotes the body (`Unexpected token … "ghp_…" is not valid JSON`). */
const BODY_ERROR_DETAILS: Record<string, string> = {
  'entity.parse.failed': 'is not valid JSON (or not valid for its content type)',
  'entity.too.large': 'is larger than this endpoint accepts',
  'charset.unsupported': 'has an unsupported charset; send UTF-8',
  'encoding.unsupported': 'has an unsupported content encoding',
  'parameters.too.many': 'has too many form parameters',
  'request.aborted': 'was not sent completely',
};

/** A body parser's error as a refusal that quotes nothing of the body. */
export function bodyParserRefusal(error: unknown): unknown {
  const e = error as { status?: unknown; type?: unknown } | null;
  if (typeof e?.status !== 'number' || e.status < 400 || e.status >= 500 || typeof e.type !== 'string') return error;
  const fault = { field: 'body', message: BODY_ERROR_DETAILS[e.type] ?? 'could not be read' };
  return e.status === 413
    ? new UnacceptableInputError(413, fault, 'payload-too-large', 'Payload too large')
    : new UnacceptableInputError(e.status, fault, 'malformed-body', 'Malformed request body');
}

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Why a string cannot be stored as text, if it cannot. */
export function stringFault(value: string): string | undefined {
  if (value.includes('\u0000')) return 'must not contain NUL (\\u0000) characters';
  if (LONE_SURROGATE.test(value)) return 'must be well-formed Unicode (no lone surrogate \\ud800-\\udfff)';
  return undefined;
}

/**
 * The first unstorable string (value or property name) or over-deep nesting in a parsed JSON/form value.
 * Iterative, so a hostile depth cannot overflow the stack here either.
 */
export function findInputFault(value: unknown, label = 'body', maxDepth = MAX_INPUT_DEPTH): InputFault | undefined {
  const stack: Array<{ value: unknown; path: string; depth: number }> = [{ value, path: '', depth: 0 }];
  for (let item = stack.pop(); item; item = stack.pop()) {
    const { value: current, path, depth } = item;
    if (typeof current === 'string') {
      const message = stringFault(current);
      if (message) return { field: path || label, message };
      continue;
    }
    if (typeof current !== 'object' || current === null) continue;
    if (depth >= maxDepth) return { field: path || label, message: `is nested deeper than ${maxDepth} levels` };
    if (Array.isArray(current)) {
      for (let i = current.length - 1; i >= 0; i--) stack.push({ value: current[i], path: `${path}[${i}]`, depth: depth + 1 });
      continue;
    }
    for (const key of Object.keys(current).reverse()) {
      const field = path ? `${path}.${key}` : key;
      const keyFault = stringFault(key);
      if (keyFault) return { field: path || label, message: `has a property name that ${keyFault}` };
      stack.push({ value: (current as Record<string, unknown>)[key], path: field, depth: depth + 1 });
    }
  }
  return undefined;
}

const PLAIN_PATH = /^[\x20-\x24\x26-\x7e]*$/;

/** The fault of a raw URL path, if any: a segment that does not decode, or decodes to unstorable text. */
export function pathFault(path: string): InputFault | undefined {
  // The common case, checked once per request: printable ASCII without '%' decodes to itself and holds no fault.
  if (PLAIN_PATH.test(path)) return undefined;
  const segments = path.split('/');
  for (let i = 0; i < segments.length; i++) {
    let decoded: string;
    try {
      decoded = decodeURIComponent(segments[i]);
    } catch {
      return { field: `path[${i}]`, message: 'is not valid percent-encoded UTF-8' };
    }
    const message = stringFault(decoded);
    if (message) return { field: `path[${i}]`, message };
  }
  return undefined;
}

/** The URL's fault (too long, undecodable path, unstorable query), if any: checked on every request before its body is read. */
export function urlRefusal(url: string, query: unknown): UnacceptableInputError | undefined {
  if (url.length > MAX_URL_LENGTH) {
    return new UnacceptableInputError(414, { field: 'url', message: `is longer than ${MAX_URL_LENGTH} characters` }, 'uri-too-long', 'URI too long');
  }
  const queryStart = url.indexOf('?');
  const fault = pathFault(queryStart < 0 ? url : url.slice(0, queryStart)) ?? (queryStart < 0 ? undefined : findInputFault(query, 'query'));
  return fault ? new UnacceptableInputError(400, fault) : undefined;
}

/** Fastify `onRequest` hook: refuses a bad URL before routing work and body reading. */
export function urlHygieneHook(request: FastifyRequest, _reply: FastifyReply, done: (error?: Error) => void): void {
  let refusal: UnacceptableInputError | undefined;
  try {
    refusal = urlRefusal(request.url, request.query);
  } catch {
    refusal = new UnacceptableInputError(400, { field: 'query', message: 'is not a valid query string' });
  }
  done(refusal);
}

/** Fastify `preValidation` hook: runs after the body parsers, on the parsed body. */
export function bodyHygieneHook(request: FastifyRequest, _reply: FastifyReply, done: (error?: Error) => void): void {
  const body = request.body;
  const fault = body === undefined || body === null ? undefined : findInputFault(body);
  done(fault ? new UnacceptableInputError(400, fault) : undefined);
}
