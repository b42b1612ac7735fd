/**
 * Request generators for the fuzz suite, derived from the OpenAPI document Leakwatch serves: every operation,
 * its path parameters (also those the document leaves undeclared, from the `{name}` in the template), its
 * query parameters and its body schema. Each value is drawn mostly from the schema (so requests reach the
 * handlers) and otherwise replaced by something hostile: NUL, lone surrogates, wrong types, null, arrays
 * for objects, deep nesting, huge numbers, ISO week dates, percent-encoding junk, tokens where ids belong, and
 * for every `cursor` well-formed base64url JSON cursors holding impossible times, wrong types and junk ids.
 *
 * Markers: tokens generated into URLs and bodies carry `FUZZ_MARKER`, so the suite can prove that none of
 * them is echoed in an error or written to a log.
 */
import fc from 'fast-check';

export const FUZZ_MARKER = 'fz9marker';
/** Only ever put into query strings: no answer may contain it. */
export const QUERY_MARKER = 'fz9query';

/** Values the generators pick for ids, so some requests hit objects that exist. */
export interface FuzzFixtures {
  keys: { globalAdmin: string; admin: string; analyst: string };
  orgIds: string[];
  leakids: string[];
  /** Ids of keys the fuzzer may revoke or rotate (never the keys it sends). */
  victimKeyIds: string[];
  domains: string[];
}

export interface FuzzRequest {
  operation: string;
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string;
}

interface Operation {
  method: string;
  template: string;
  pathParams: string[];
  query: Array<{ name: string; schema: Schema }>;
  body?: Schema;
}

// OpenAPI schemas are open-ended JSON.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Schema = Record<string, any>;

/** Operations of the document (GET/POST/PUT/PATCH/DELETE), with `$ref`s resolved. */
export function operationsOf(document: Schema): Operation[] {
  const resolve = (schema: Schema | undefined): Schema | undefined => {
    if (!schema?.$ref) return schema;
    return document.components?.schemas?.[String(schema.$ref).split('/').pop() as string];
  };
  const operations: Operation[] = [];
  for (const [template, item] of Object.entries<Schema>(document.paths ?? {})) {
    for (const method of ['get', 'post', 'put', 'patch', 'delete']) {
      const op = item[method];
      if (!op) continue;
      const declared = (op.parameters ?? []) as Array<{ name: string; in: string; schema?: Schema }>;
      const content = op.requestBody?.content ?? {};
      const body = resolve((content['application/json'] ?? Object.values<Schema>(content)[0])?.schema);
      operations.push({
        method: method.toUpperCase(),
        template,
        pathParams: [...template.matchAll(/\{(\w+)\}/g)].map((m) => m[1]),
        query: declared.filter((p) => p.in === 'query').map((p) => ({ name: p.name, schema: resolve(p.schema) ?? {} })),
        body: body ? deref(body, resolve) : undefined,
      });
    }
  }
  return operations;
}

function deref(schema: Schema, resolve: (s: Schema | undefined) => Schema | undefined, depth = 0): Schema {
  if (depth > 6) return {};
  const own = resolve(schema) ?? {};
  const out: Schema = { ...own };
  if (own.properties) out.properties = Object.fromEntries(Object.entries<Schema>(own.properties).map(([k, v]) => [k, deref(v, resolve, depth + 1)]));
  if (own.items) out.items = deref(own.items, resolve, depth + 1);
  return out;
}

const hex = (length: number) => fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: length, maxLength: length });
export const markedToken = hex(24).map((h) => `ghp_${FUZZ_MARKER}${h}`);
const nested = (depth: number) => JSON.parse('['.repeat(depth) + ']'.repeat(depth)) as unknown;

/** Strings that broke (or could break) something below the HTTP layer. */
export const hostileString: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    '\u0000', 'a\u0000b', '\ud800', 'x\udfffy', '\udc00\ud800', '', ' ', '\t\n', '%00', '%', '%E0%A4%A', '..', '../../etc/passwd',
    "'; DROP TABLE ll_leaks; --", '$1', '{{7*7}}', '<script>alert(1)</script>', '2026-W01-1', '2026-02-30T00:00:00Z', '+275760-09-13T00:00:00Z',
    '1e20', '-1', '0', 'NaN', 'Infinity', 'null', 'true', '0x10', '9'.repeat(40), '\u202e\u200b', '🔑', 'a'.repeat(3000), 'ÿ'.repeat(300),
  ),
  fc.string({ unit: 'binary', maxLength: 30 }),
  markedToken,
);

const hostileNumber = fc.oneof(
  fc.constantFrom(2 ** 31, 2 ** 31 + 1, 2 ** 53 + 1, -1, 0, -0, 1.5, 1e20, 1e308, -1e308, Number.MAX_SAFE_INTEGER),
  fc.integer(),
  fc.double({ noNaN: true }),
);

/** Anything at all in place of a value. */
const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  hostileString,
  hostileNumber,
  fc.constantFrom(null, true, false, [], {}, [[]], [null], { '': null }, { __proto__x: 1 }),
  fc.constantFrom(40, 200, 1900).map(nested),
  fc.jsonValue({ maxDepth: 3 }),
);

const isoDateTime = fc
  .date({ min: new Date('1971-01-01T00:00:00Z'), max: new Date('2100-01-01T00:00:00Z'), noInvalidDate: true })
  .chain((d) => fc.constantFrom(d.toISOString(), d.toISOString().slice(0, 10), d.toISOString().replace('Z', '+02:00')));

/** A plausible value for a field, from its schema and its name. */
function valid(name: string, schema: Schema, fixtures: FuzzFixtures, depth: number): fc.Arbitrary<unknown> {
  if (schema.enum) return fc.constantFrom(...(schema.enum as unknown[]));
  const lower = name.toLowerCase();
  if (schema.type === 'array' || schema.items) {
    const item = schema.items ?? {};
    return fc.array(value(name, item, fixtures, depth + 1), { minLength: schema.minItems ?? 0, maxLength: Math.min(schema.maxItems ?? 3, 3) });
  }
  if (schema.type === 'object' || schema.properties) {
    const properties = Object.entries<Schema>(schema.properties ?? {});
    const required = new Set<string>(schema.required ?? []);
    const record: Record<string, fc.Arbitrary<unknown>> = {};
    for (const [key, s] of properties) record[key] = value(key, s, fixtures, depth + 1);
    return fc.record(record, { requiredKeys: [...required].filter((k) => k in record) });
  }
  if (schema.type === 'boolean') return fc.boolean();
  if (schema.type === 'integer' || schema.type === 'number') {
    return fc.integer({ min: schema.minimum ?? 0, max: Math.min(schema.maximum ?? 1000, 1000) });
  }
  if (schema.format === 'date-time' || /(_at|as_of)$/.test(lower)) return isoDateTime;
  if (lower === 'leakid') return fc.constantFrom(...fixtures.leakids);
  if (lower === 'leakids') return fc.array(fc.constantFrom(...fixtures.leakids), { minLength: 1, maxLength: 3 });
  if (lower === 'org_id') return fc.constantFrom(...fixtures.orgIds);
  if (lower === 'id') return fc.constantFrom(...fixtures.victimKeyIds);
  if (lower === 'domain') return fc.oneof(fc.constantFrom(...fixtures.domains), fc.domain());
  if (lower.includes('email')) return fc.emailAddress();
  if (lower === 'url') return fc.webUrl();
  if (lower === 'sha256') return hex(64);
  if (lower === 'prefix') return hex(5);
  if (lower === 'cursor') return fc.constantFrom('0', '1', '5');
  if (['value', 'token', 'password', 'key'].includes(lower)) return markedToken;
  return fc.string({ minLength: 1, maxLength: 30 });
}

/** Time-like strings a cursor's time member may be cast from (the valid µs form among them). */
const cursorTime = fc.oneof(
  fc.constantFrom(
    'abc', '2026-02-30T00:00:00Z', '2026-02-30T00:00:00.000000Z', '2026-11-25T24:00:00.000000Z', '0000-01-01T00:00:00.000000Z',
    '+275760-09-13T00:00:00.000Z', '99999-01-01', '2026-W01-1', '2026-11-25T10:00:00.000000Z', '2026-11-25T10:00:00.000000+99:00',
    '1e20', 'infinity', '-infinity', 'epoch', 'now', 'allballs', '',
  ),
  isoDateTime,
  fc.date({ noInvalidDate: true }).map((d) => d.toISOString().replace('Z', '000Z')),
);

/**
 * Cursors as the lists write them — base64url JSON — with hostile contents: the admin lists' `[time, id]`,
 * the leak list's `{s, d, v, id}` and its legacy `[time, leakid]`, and any JSON at all. A decoder that lets
 * one through to a `::timestamptz` or `::int` cast answered 500.
 */
function hostileCursor(fixtures: FuzzFixtures): fc.Arbitrary<string> {
  const member = fc.oneof(cursorTime, hostileString, hostileValue);
  const id = fc.oneof(fc.constantFrom(...fixtures.leakids, ...fixtures.orgIds, ...fixtures.victimKeyIds), hostileString);
  const shapes: fc.Arbitrary<unknown> = fc.oneof(
    fc.tuple(cursorTime, id),
    fc.tuple(member, member),
    fc.array(member, { maxLength: 4 }),
    fc.record({
      s: fc.oneof(fc.constantFrom('first_seen', 'last_seen', 'risk', 'status'), hostileString),
      d: fc.oneof(fc.constantFrom('asc', 'desc'), hostileString),
      v: fc.oneof(cursorTime, hostileNumber, hostileValue),
      id,
    }),
    hostileValue,
  );
  return shapes.map((v) => Buffer.from(JSON.stringify(v) ?? 'null').toString('base64url'));
}

function value(name: string, schema: Schema, fixtures: FuzzFixtures, depth = 0): fc.Arbitrary<unknown> {
  // A long-poll wait of up to 30 s is the contract, not a hang: only short or invalid waits.
  if (name === 'wait') return fc.constantFrom('0', '1', '31', '-1', '1.5', 'abc', '1e3', '');
  // Every `cursor` parameter also gets well-formed (base64url JSON) cursors with hostile contents.
  if (name === 'cursor') {
    return fc.oneof(
      { weight: 2, arbitrary: valid(name, schema, fixtures, depth) },
      { weight: 3, arbitrary: hostileCursor(fixtures) },
      { weight: 1, arbitrary: hostileValue },
    );
  }
  if (depth > 4) return hostileValue;
  return fc.oneof({ weight: 5, arbitrary: valid(name, schema, fixtures, depth) }, { weight: 1, arbitrary: hostileValue });
}

const LONE_SURROGATE = /([\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff])/;

/** encodeURIComponent, except that a lone surrogate goes out as its (invalid) UTF-8 bytes instead of throwing. */
export function encode(value: string): string {
  return value
    .split(LONE_SURROGATE)
    .map((part) => {
      if (part.length !== 1 || !LONE_SURROGATE.test(part)) return encodeURIComponent(part);
      const code = part.charCodeAt(0);
      return [0xe0 | (code >> 12), 0x80 | ((code >> 6) & 0x3f), 0x80 | (code & 0x3f)].map((b) => `%${b.toString(16).toUpperCase()}`).join('');
    })
    .join('');
}

const asQueryValue = (v: unknown): string => (typeof v === 'string' ? v : typeof v === 'object' ? JSON.stringify(v) : String(v));

/** A path segment: mostly URL-encoded, sometimes raw percent junk. */
function segment(name: string, fixtures: FuzzFixtures): fc.Arbitrary<string> {
  const encoded = fc.oneof({ weight: 4, arbitrary: valid(name, {}, fixtures, 0) }, { weight: 2, arbitrary: hostileString }).map((v) => encode(asQueryValue(v)) || 'x');
  return fc.oneof({ weight: 6, arbitrary: encoded }, { weight: 1, arbitrary: fc.constantFrom('%00', '%E0%A4%A', '%ED%A0%80', '%2e%2e', '%') });
}

const keyHeader = (fixtures: FuzzFixtures) =>
  fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom(fixtures.keys.globalAdmin, fixtures.keys.admin) },
    { weight: 2, arbitrary: fc.constant(fixtures.keys.analyst) },
    { weight: 1, arbitrary: fc.constantFrom(undefined, `lw_${FUZZ_MARKER}_not_a_key_000000000000`, '', 'Bearer') },
  );

/** One request for one operation. */
export function requestFor(op: Operation, fixtures: FuzzFixtures): fc.Arbitrary<FuzzRequest> {
  const pathParams = fc.tuple(...op.pathParams.map((name) => segment(name, fixtures)));
  const query = fc.tuple(
    ...op.query.map((p) => fc.option(value(p.name, p.schema, fixtures).map(asQueryValue), { freq: 2, nil: undefined })),
  );
  const extraQuery = fc.option(
    fc.oneof(
      fc.constant(`key=lw_${FUZZ_MARKER}${QUERY_MARKER}_000000`),
      fc.tuple(fc.string({ maxLength: 8 }), hostileString).map(([k, v]) => `${encode(k) || 'x'}=${encode(v)}`),
      fc.constantFrom('q=a%00b', 'limit=1&limit=2', 'cursor[]=1', '%=%', 'a=%E0%A4%A'),
    ),
    { freq: 3, nil: undefined },
  );
  const body = op.body
    ? fc.oneof(
        { weight: 8, arbitrary: value('body', op.body, fixtures).map((b) => ({ type: 'application/json', text: JSON.stringify(b) ?? 'null' })) },
        { weight: 1, arbitrary: fc.record({ type: fc.constantFrom('application/json', 'application/x-www-form-urlencoded', 'text/plain', ''), text: fc.oneof(hostileString, fc.constantFrom('{"a":', '[', 'a=1&a=2&b=%00', '{"source":{"name":"x"},"tokens":' + '['.repeat(5000))) }) },
      )
    : fc.option(fc.constant({ type: 'application/json', text: '{}' }), { freq: 4, nil: undefined });
  return fc.tuple(pathParams, query, extraQuery, body, keyHeader(fixtures)).map(([segments, queryValues, extra, payload, key]) => {
    let path = op.template;
    op.pathParams.forEach((name, i) => (path = path.replace(`{${name}}`, segments[i])));
    const pairs = op.query.flatMap((p, i) => (queryValues[i] === undefined ? [] : [`${encode(p.name)}=${encode(queryValues[i] as string)}`]));
    if (extra) pairs.push(extra);
    const headers: Record<string, string> = {};
    if (key !== undefined) headers['x-api-key'] = key;
    if (payload?.type) headers['content-type'] = payload.type;
    return {
      operation: `${op.method} ${op.template}`,
      method: op.method,
      path: pairs.length ? `${path}?${pairs.join('&')}` : path,
      headers,
      body: payload && op.method !== 'GET' && op.method !== 'DELETE' ? payload.text : undefined,
    };
  });
}

/** Requests over every operation, each operation equally likely. */
export function requestsFor(document: Schema, fixtures: FuzzFixtures): { operations: string[]; arbitrary: fc.Arbitrary<FuzzRequest> } {
  const operations = operationsOf(document);
  return {
    operations: operations.map((op) => `${op.method} ${op.template}`),
    arbitrary: fc.oneof(...operations.map((op) => requestFor(op, fixtures))),
  };
}
