/**
 * Checks real answers against the OpenAPI 3.1 document Leakwatch serves: the operation (method + path
 * template) must exist, the status must be documented, the media type must be one the response declares
 * (errors: application/problem+json), and a JSON body must validate against the declared schema.
 *
 * The schema check is a JSON Schema subset — exactly the keywords the document uses ($ref, type (also as a
 * list), enum, const, properties, required, additionalProperties, items, anyOf/oneOf/allOf, bounds, pattern,
 * formats date-time/date/uuid/uri). A keyword it does not know is reported as an error, never skipped, so a
 * new construct in the document cannot make answers pass unchecked.
 */

// OpenAPI documents and answers are open-ended JSON.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

export interface ObservedResponse {
  method: string;
  /** The requested path (query string allowed; ignored). */
  path: string;
  status: number;
  contentType: string;
  /** Parsed JSON for JSON media types, the text otherwise. */
  body: unknown;
}

export interface ValidationResult {
  operation?: string;
  errors: string[];
}

const ANNOTATIONS = new Set(['description', 'examples', 'example', 'title', 'default', 'deprecated', 'readOnly', 'writeOnly', 'format', '$comment']);
const VALIDATORS = new Set([
  '$ref', 'type', 'enum', 'const', 'properties', 'required', 'additionalProperties', 'items', 'anyOf', 'oneOf', 'allOf',
  'minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'minLength', 'maxLength', 'pattern', 'minItems', 'maxItems',
]);
const FORMATS: Record<string, (value: string) => boolean> = {
  'date-time': (v) => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(v) && !Number.isNaN(Date.parse(v)),
  date: (v) => /^\d{4}-\d{2}-\d{2}$/.test(v) && !Number.isNaN(Date.parse(`${v}T00:00:00Z`)),
  uuid: (v) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(v),
  uri: (v) => /^[a-z][a-z0-9+.-]*:/i.test(v),
};

export class OpenApiValidator {
  private readonly templates: Array<{ template: string; pattern: RegExp; params: number }>;

  constructor(readonly document: Json) {
    this.templates = Object.keys(document.paths ?? {})
      .map((template) => ({
        template,
        pattern: new RegExp(`^${template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\\?\{\w+\\?\}/g, '[^/]+')}$`),
        params: (template.match(/\{/g) ?? []).length,
      }))
      // A literal segment wins over a parameter (`/api/v1/leaks/status` before `/api/v1/leaks/{leakid}`).
      .sort((a, b) => a.params - b.params);
  }

  /** The path template serving `path` for `method`, if the document has one. */
  operationFor(method: string, path: string): { template: string; operation: Json } | undefined {
    const bare = path.split('?')[0];
    for (const { template, pattern } of this.templates) {
      const operation = this.document.paths[template][method.toLowerCase()];
      if (operation && pattern.test(bare)) return { template, operation };
    }
    return undefined;
  }

  validateResponse(observed: ObservedResponse): ValidationResult {
    const found = this.operationFor(observed.method, observed.path);
    if (!found) return { errors: [`${observed.method} ${observed.path.split('?')[0]}: no such operation in the document`] };
    const operation = `${observed.method.toUpperCase()} ${found.template}`;
    const responses = found.operation.responses ?? {};
    const response = responses[String(observed.status)] ?? responses[`${String(observed.status)[0]}XX`] ?? responses.default;
    if (!response) return { operation, errors: [`${operation}: status ${observed.status} is not documented (has ${Object.keys(responses).join(', ')})`] };
    const mediaType = observed.contentType.split(';')[0].trim().toLowerCase();
    const content = response.content as Record<string, Json> | undefined;
    const empty = observed.body === undefined || observed.body === '';
    if (!content) return { operation, errors: empty ? [] : [`${operation} ${observed.status}: a body was sent but the document declares none`] };
    if (empty && observed.status === 204) return { operation, errors: [] };
    const declared = content[mediaType];
    if (!declared) return { operation, errors: [`${operation} ${observed.status}: media type ${mediaType || '(none)'} is not declared (declared: ${Object.keys(content).join(', ')})`] };
    if (!declared.schema) return { operation, errors: [`${operation} ${observed.status} ${mediaType}: no schema`] };
    return { operation, errors: this.validate(declared.schema, observed.body, '$').map((e) => `${operation} ${observed.status}: ${e}`) };
  }

  /** Errors of `value` against `schema` (empty = valid). */
  validate(schema: Json, value: unknown, at: string): string[] {
    if (schema === true || schema === undefined) return [];
    if (schema === false) return [`${at}: no value is allowed here`];
    const errors: string[] = [];
    for (const key of Object.keys(schema)) {
      if (!VALIDATORS.has(key) && !ANNOTATIONS.has(key)) errors.push(`${at}: schema keyword "${key}" is not supported by this validator`);
    }
    if (schema.$ref) {
      const name = String(schema.$ref).replace('#/components/schemas/', '');
      const target = this.document.components?.schemas?.[name];
      if (!target) return [...errors, `${at}: unresolved $ref ${schema.$ref}`];
      errors.push(...this.validate(target, value, at));
    }
    if (schema.type !== undefined) {
      const types: string[] = Array.isArray(schema.type) ? schema.type : [schema.type];
      if (!types.some((t) => hasType(value, t))) return [...errors, `${at}: expected ${types.join(' or ')}, got ${describe(value)}`];
    }
    if (schema.enum && !schema.enum.some((e: unknown) => JSON.stringify(e) === JSON.stringify(value))) errors.push(`${at}: ${JSON.stringify(value)} is not one of ${JSON.stringify(schema.enum)}`);
    if ('const' in schema && JSON.stringify(schema.const) !== JSON.stringify(value)) errors.push(`${at}: must be ${JSON.stringify(schema.const)}`);
    if (typeof value === 'string') {
      if (schema.minLength !== undefined && [...value].length < schema.minLength) errors.push(`${at}: shorter than ${schema.minLength}`);
      if (schema.maxLength !== undefined && [...value].length > schema.maxLength) errors.push(`${at}: longer than ${schema.maxLength}`);
      if (schema.pattern && !new RegExp(schema.pattern, 'u').test(value)) errors.push(`${at}: ${JSON.stringify(value)} does not match ${schema.pattern}`);
      if (schema.format && FORMATS[schema.format] && !FORMATS[schema.format](value)) errors.push(`${at}: ${JSON.stringify(value)} is not a ${schema.format}`);
    }
    if (typeof value === 'number') {
      if (schema.minimum !== undefined && value < schema.minimum) errors.push(`${at}: ${value} < minimum ${schema.minimum}`);
      if (schema.maximum !== undefined && value > schema.maximum) errors.push(`${at}: ${value} > maximum ${schema.maximum}`);
      if (typeof schema.exclusiveMinimum === 'number' && value <= schema.exclusiveMinimum) errors.push(`${at}: ${value} <= ${schema.exclusiveMinimum}`);
      if (typeof schema.exclusiveMaximum === 'number' && value >= schema.exclusiveMaximum) errors.push(`${at}: ${value} >= ${schema.exclusiveMaximum}`);
    }
    if (Array.isArray(value)) {
      if (schema.minItems !== undefined && value.length < schema.minItems) errors.push(`${at}: fewer than ${schema.minItems} items`);
      if (schema.maxItems !== undefined && value.length > schema.maxItems) errors.push(`${at}: more than ${schema.maxItems} items`);
      if (schema.items) value.forEach((item, i) => errors.push(...this.validate(schema.items, item, `${at}[${i}]`)));
    }
    if (isObject(value)) {
      for (const name of schema.required ?? []) if (!(name in value)) errors.push(`${at}: missing required property "${name}"`);
      const properties: Record<string, Json> = schema.properties ?? {};
      for (const [name, v] of Object.entries(value)) {
        if (name in properties) errors.push(...this.validate(properties[name], v, `${at}.${name}`));
        else if (schema.additionalProperties === false) errors.push(`${at}: property "${name}" is not allowed`);
        else if (isObject(schema.additionalProperties)) errors.push(...this.validate(schema.additionalProperties, v, `${at}.${name}`));
      }
    }
    if (schema.allOf) for (const part of schema.allOf) errors.push(...this.validate(part, value, at));
    if (schema.anyOf && !schema.anyOf.some((part: Json) => this.validate(part, value, at).length === 0)) {
      errors.push(`${at}: matches none of anyOf (${schema.anyOf.map((part: Json) => this.validate(part, value, at)[0]).join(' | ')})`);
    }
    if (schema.oneOf) {
      const matches = schema.oneOf.filter((part: Json) => this.validate(part, value, at).length === 0).length;
      if (matches !== 1) errors.push(`${at}: matches ${matches} of oneOf, not exactly 1`);
    }
    return errors;
  }
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

function hasType(value: unknown, type: string): boolean {
  switch (type) {
    case 'null': return value === null;
    case 'object': return isObject(value);
    case 'array': return Array.isArray(value);
    case 'integer': return Number.isInteger(value);
    case 'number': return typeof value === 'number' && Number.isFinite(value);
    case 'string': return typeof value === 'string';
    case 'boolean': return typeof value === 'boolean';
    default: return false;
  }
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value === 'string' ? `string ${JSON.stringify(value.slice(0, 40))}` : typeof value;
}
