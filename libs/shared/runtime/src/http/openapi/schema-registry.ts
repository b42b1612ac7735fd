/**
 * Named response schemas for the OpenAPI document. Controllers declare their answers with
 * `@ApiOkResponse({ schema: apiSchema('LeakPage', {...}) })`; the schema lands once in
 * `components.schemas` (so generated clients get one named type) and the operation holds a `$ref`.
 * Registered at import time (decorators run when classes are defined), collected by `finishOpenApiDocument`.
 */
import { LEAK_ID_PATTERN_SOURCE } from '@leakwatch/contracts';

// OpenAPI 3.1 schemas are JSON Schema 2020-12: open-ended JSON.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type JsonSchema = Record<string, any>;

const registry = new Map<string, JsonSchema>();

export const schemaRef = (name: string): JsonSchema => ({ $ref: `#/components/schemas/${name}` });

/** Registers `schema` as `components.schemas[name]` and returns a `$ref` to it. */
export function apiSchema(name: string, schema: JsonSchema): JsonSchema {
  const known = registry.get(name);
  if (known && JSON.stringify(known) !== JSON.stringify(schema)) throw new Error(`OpenAPI schema ${name} is defined twice, differently`);
  registry.set(name, schema);
  return schemaRef(name);
}

export function registeredSchemas(): ReadonlyMap<string, JsonSchema> {
  return registry;
}

/** Shorthands for the schemas the answers are made of. */
export const s = {
  string: (extra: JsonSchema = {}): JsonSchema => ({ type: 'string', ...extra }),
  nullableString: (extra: JsonSchema = {}): JsonSchema => ({ type: ['string', 'null'], ...extra }),
  dateTime: (): JsonSchema => ({ type: 'string', format: 'date-time' }),
  nullableDateTime: (): JsonSchema => ({ type: ['string', 'null'], format: 'date-time' }),
  day: (): JsonSchema => ({ type: 'string', format: 'date' }),
  integer: (extra: JsonSchema = {}): JsonSchema => ({ type: 'integer', ...extra }),
  number: (): JsonSchema => ({ type: 'number' }),
  boolean: (): JsonSchema => ({ type: 'boolean' }),
  uuid: (): JsonSchema => ({ type: 'string', format: 'uuid' }),
  leakid: (): JsonSchema => ({ type: 'string', pattern: LEAK_ID_PATTERN_SOURCE, examples: ['b3652f2555841f7652badd9804859f4e'] }),
  enumOf: (values: readonly string[]): JsonSchema => ({ type: 'string', enum: [...values] }),
  array: (items: JsonSchema, extra: JsonSchema = {}): JsonSchema => ({ type: 'array', items, ...extra }),
  /** An object whose listed properties are all required (answers always carry every field). */
  object: (properties: Record<string, JsonSchema>, extra: JsonSchema = {}): JsonSchema => ({
    type: 'object', properties, required: Object.keys(properties), ...extra,
  }),
  /** An object with the given required properties plus optional ones. */
  partial: (required: Record<string, JsonSchema>, optional: Record<string, JsonSchema>, extra: JsonSchema = {}): JsonSchema => ({
    type: 'object', properties: { ...required, ...optional }, required: Object.keys(required), ...extra,
  }),
  map: (values: JsonSchema): JsonSchema => ({ type: 'object', additionalProperties: values }),
  nullable: (schema: JsonSchema): JsonSchema => ({ anyOf: [schema, { type: 'null' }] }),
};
