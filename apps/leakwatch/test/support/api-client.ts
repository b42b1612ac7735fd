/**
 * A JSON client for the e2e suites: `call(method, path, key?, body?)` → status, headers, parsed body.
 * Every answer it receives is checked against the OpenAPI document the same process serves (issue 13.1):
 * an answer of a documented operation whose status, media type or body the document does not describe
 * fails the request with the validator's reasons. Not checked: paths outside the document (the console,
 * /metrics, unknown routes). Every documented answer has a body schema, so every answer is held to one.
 */
import { OpenApiValidator } from './openapi-validator';

export interface ApiAnswer {
  status: number;
  type: string;
  headers: Headers;
  // Tests assert on arbitrary response shapes.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
}

const validators = new Map<string, Promise<OpenApiValidator | undefined>>();

function validatorFor(base: string): Promise<OpenApiValidator | undefined> {
  let validator = validators.get(base);
  if (!validator) {
    validator = fetch(`${base}/docs/openapi.json`)
      .then(async (r) => (r.ok ? new OpenApiValidator(await r.json()) : undefined))
      .catch(() => undefined);
    validators.set(base, validator);
  }
  return validator;
}

/** The validator's reasons why this answer does not match the document ([] when it does or is not checked). */
export async function undocumentedAnswer(base: string, method: string, path: string, answer: Pick<ApiAnswer, 'status' | 'type' | 'body'>): Promise<string[]> {
  const validator = await validatorFor(base);
  const found = validator?.operationFor(method, path);
  if (!validator || !found) return [];
  return validator.validateResponse({ method, path, status: answer.status, contentType: answer.type, body: answer.body }).errors;
}

export function apiClient(baseUrl: () => string) {
  return async function call(method: string, path: string, key?: string, body?: unknown): Promise<ApiAnswer> {
    const response = await fetch(`${baseUrl()}${path}`, {
      method,
      headers: { ...(key ? { 'x-api-key': key } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    const type = response.headers.get('content-type') ?? '';
    // JSON (and problem+json) parsed; other answers (CSV, NDJSON exports, text) as text.
    const json = /(^|[/+])json(;|$)/.test(type);
    // An empty text answer (an export with no rows) is the empty string; an empty JSON or untyped one is no body.
    const answer = { status: response.status, type, headers: response.headers, body: text ? (json ? JSON.parse(text) : text) : json || !type ? undefined : '' };
    const mismatches = await undocumentedAnswer(baseUrl(), method, path, answer);
    if (mismatches.length) throw new Error(`The answer does not match the OpenAPI document:\n${mismatches.join('\n')}`);
    return answer;
  };
}
