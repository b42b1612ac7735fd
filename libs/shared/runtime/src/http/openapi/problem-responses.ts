/**
 * The RFC 9457 problem+json schema (one `Problem` component) and `@ApiProblems(...)` for the errors an
 * operation can return besides the ones every operation shares (added by `finishOpenApiDocument`).
 */
import { applyDecorators } from '@nestjs/common';
import { ApiResponse } from '@nestjs/swagger';
import { apiSchema } from './schema-registry';

export const PROBLEM_SCHEMA_REF = apiSchema('Problem', {
  type: 'object',
  description: 'RFC 9457 problem details (`application/problem+json`); 429/503 carry `retry_after` (seconds, also the Retry-After header)',
  properties: {
    type: { type: 'string', format: 'uri', description: 'Identifies the kind of problem', examples: ['https://leakwatch.dev/problems/validation-failed'] },
    title: { type: 'string', examples: ['Invalid request'] },
    status: { type: 'integer', minimum: 400, maximum: 599, description: 'The HTTP status of this answer' },
    detail: { type: 'string' },
    instance: { type: 'string', description: 'The route pattern that answered (never the requested URL)' },
    errors: {
      type: 'array',
      description: 'One entry per invalid field',
      items: { type: 'object', properties: { field: { type: 'string', examples: ['leakids[3]'] }, message: { type: 'string' } }, required: ['field', 'message'] },
    },
    retry_after: { type: 'integer', minimum: 0 },
  },
  required: ['type', 'title', 'status'],
});

const TITLES: Record<number, [slug: string, title: string, description: string]> = {
  400: ['validation-failed', 'Invalid request', 'The request is invalid; `errors` names each field'],
  401: ['missing-api-key', 'Unauthorized', 'No API key, or an unknown, revoked or expired one'],
  403: ['forbidden-role', 'Forbidden', 'The key’s role or organisation may not do this'],
  404: ['not-found', 'Not found', 'No such object visible to the key'],
  409: ['conflict', 'Conflict', 'The object changed or is in a state that forbids this'],
  412: ['precondition-failed', 'Precondition failed', 'If-Match names a revision the object is no longer at; nothing was changed'],
  413: ['payload-too-large', 'Payload too large', 'The body is over the configured limit'],
  415: ['unsupported-media-type', 'Unsupported media type', 'The body’s content type is not accepted here'],
  429: ['rate-limited', 'Too many requests', 'The key’s daily request limit is used up (RateLimit-* and Retry-After headers)'],
  431: ['request-header-fields-too-large', 'Request Header Fields Too Large', 'The request head (URL and headers) is over 16 KiB; refused before routing'],
  503: ['service-unavailable', 'Service unavailable', 'A dependency is not available; try again shortly'],
};

export function problemExample(status: number, detail?: string): Record<string, unknown> {
  const [slug, title, description] = TITLES[status] ?? ['error', 'Error', 'Error'];
  return { type: `https://leakwatch.dev/problems/${slug}`, title, status, detail: detail ?? `${description}.` };
}

export function problemDescription(status: number): string {
  return TITLES[status]?.[2] ?? 'Error';
}

/** Declares problem+json answers for these statuses (the media type is set when the document is finished). */
export const ApiProblems = (...statuses: number[]) =>
  applyDecorators(
    ...statuses.map((status) => ApiResponse({ status, description: problemDescription(status), schema: PROBLEM_SCHEMA_REF, example: problemExample(status) })),
  );
