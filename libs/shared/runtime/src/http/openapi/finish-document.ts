/**
 * Turns the document @nestjs/swagger builds (OpenAPI 3.0 shapes) into the one Leakwatch serves, OpenAPI 3.1:
 * - `openapi: 3.1.0`; `nullable` (3.0) becomes a `null` type / `anyOf` (JSON Schema 2020-12);
 * - the named answer schemas (`apiSchema`) join `components.schemas`, unreferenced ones are left out;
 * - every error answer is `application/problem+json` with the shared `Problem` schema; the errors every
 *   operation shares are added where not declared: 431 (an oversized request head), 400 (input hygiene refuses a NUL or an undecodable path
 *   anywhere, validation a bad parameter or body), and for authenticated operations 401 and 429 (and 404
 *   with a path parameter, 403 with an `org_id` query or `x-required-roles` from `@Roles`, 503 when the
 *   usage ledger cannot be reached), and 413 for a body over its limit;
 * - security per operation: authenticated ones take `X-API-Key` or a bearer token, public ones `security: []`;
 * - path parameters an operation does not declare are declared as strings (never `{id}` undeclared).
 * Operations marked `x-leak-lookup-compatible` answer 200 to every client error (Leak-Lookup's format): only the 431 of an oversized request head is added.
 */
import type { OpenAPIObject } from '@nestjs/swagger';
import { problemDescription, problemExample } from './problem-responses';
import { JsonSchema, registeredSchemas, schemaRef } from './schema-registry';

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;
const PROBLEM_TYPE = 'application/problem+json';
const integerHeader = (description: string) => ({ description, schema: { type: 'integer', minimum: 0 } });
const RATE_LIMIT_HEADERS = {
  'RateLimit-Limit': integerHeader('Requests the key may make per UTC day'),
  'RateLimit-Remaining': integerHeader('Requests left today'),
  'RateLimit-Reset': integerHeader('Seconds until the allowance starts again (next 00:00 UTC)'),
  'RateLimit-Policy': { description: '`<limit>;w=86400`', schema: { type: 'string' } },
};

export function finishOpenApiDocument(input: OpenAPIObject): OpenAPIObject {
  const document = JSON.parse(JSON.stringify(input)) as JsonSchema;
  document.openapi = '3.1.0';
  document.components ??= {};
  document.components.schemas = { ...document.components.schemas };
  for (const [path, item] of Object.entries<JsonSchema>(document.paths ?? {})) {
    for (const method of METHODS) if (item[method]) finishOperation(path, item[method]);
  }
  const converted = toJsonSchema2020(document) as JsonSchema;
  addReferencedSchemas(converted);
  return converted as OpenAPIObject;
}

function finishOperation(path: string, op: JsonSchema): void {
  const secured = Array.isArray(op.security) && op.security.some((requirement: JsonSchema) => 'api-key' in requirement || 'bearer' in requirement);
  op.security = secured ? [{ 'api-key': [] }, { bearer: [] }] : [];
  op.parameters ??= [];
  for (const [, name] of path.matchAll(/\{(\w+)\}/g)) {
    if (!op.parameters.some((p: JsonSchema) => p.in === 'path' && p.name === name)) {
      op.parameters.push({ name, in: 'path', required: true, schema: { type: 'string' } });
    }
  }
  op.responses ??= {};
  // Node's HTTP parser refuses an oversized head with 431 before any route: every operation can get it.
  const shared = [431, ...(op['x-leak-lookup-compatible'] ? [] : [400, ...(secured ? [401, 429] : [])])];
  // An id in the path may name nothing (404); an `org_id` names an organisation the key may not act on (403).
  if (secured && op.parameters?.some((p: JsonSchema) => p.in === 'path')) shared.push(404);
  if (secured && op.parameters?.some((p: JsonSchema) => p.in === 'query' && p.name === 'org_id')) shared.push(403);
  if (secured && Array.isArray(op['x-required-roles'])) shared.push(403);
  // Bodies are size-limited (413); counting needs the usage ledger (503 with Retry-After when it is unreachable).
  if (op.requestBody && !op['x-leak-lookup-compatible']) shared.push(413);
  if (secured) shared.push(503);
  for (const status of shared) op.responses[status] ??= { description: problemDescription(status) };
  if (op.parameters.length === 0) delete op.parameters;
  for (const [status, response] of Object.entries<JsonSchema>(op.responses)) {
    // An operation may answer an error status with its own body (health's 503 is the health report itself).
    const ownBody = (op['x-error-bodies'] as string[] | undefined)?.includes(status) && response.content;
    if (!ownBody && (Number(status) >= 400 || /^[45]XX$/.test(status))) {
      const declared = response.content ? (Object.values<JsonSchema>(response.content)[0] ?? {}) : {};
      response.content = { [PROBLEM_TYPE]: { schema: schemaRef('Problem'), example: declared.example ?? problemExample(Number(status)) } };
    }
    if (!response.description) response.description = Number(status) < 300 ? 'Success' : problemDescription(Number(status));
    // Every counted answer says how much of the daily limit is left (not sent when nothing was counted: an
    // unknown key, a head refused before routing, an unreachable usage ledger).
    if (secured && !['401', '431', '503'].includes(status)) response.headers = { ...RATE_LIMIT_HEADERS, ...response.headers };
  }
}

/** 3.0's `nullable: true` → a `null` type (or `anyOf` with null for `$ref`/`allOf`), recursively. */
function toJsonSchema2020(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(toJsonSchema2020);
  if (!value || typeof value !== 'object') return value;
  const out: JsonSchema = {};
  for (const [k, v] of Object.entries(value)) out[k] = toJsonSchema2020(v);
  if (out.nullable === true) {
    delete out.nullable;
    if (typeof out.type === 'string') {
      out.type = [out.type, 'null'];
      if (Array.isArray(out.enum) && !out.enum.includes(null)) out.enum = [...out.enum, null];
    } else if (out.$ref || out.allOf) {
      const { description, ...rest } = out;
      return { ...(description ? { description } : {}), anyOf: [rest, { type: 'null' }] };
    }
  } else if (out.nullable === false) {
    delete out.nullable;
  }
  return out;
}

/** Adds the registered schemas the document refers to (directly or through each other). */
function addReferencedSchemas(document: JsonSchema): void {
  const schemas = document.components.schemas as JsonSchema;
  const registered = registeredSchemas();
  const pending = [document];
  while (pending.length) {
    const node = pending.pop();
    if (!node || typeof node !== 'object') continue;
    if (typeof node.$ref === 'string') {
      const name = node.$ref.replace('#/components/schemas/', '');
      if (!schemas[name] && registered.has(name)) {
        schemas[name] = toJsonSchema2020(registered.get(name));
        pending.push(schemas[name]);
      }
    }
    for (const child of Object.values(node)) if (child && typeof child === 'object') pending.push(child as JsonSchema);
  }
}
