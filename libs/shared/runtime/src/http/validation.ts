/**
 * One validation pipe for every boundary: unknown fields are refused (400), each bad field is named in `errors[]`.
 */
import { ArgumentMetadata, ValidationError, ValidationPipe, ValidationPipeOptions } from '@nestjs/common';
import { FieldError, ProblemException } from './problem';

/** Query strings remembered per DTO class (least recently used out first). */
const REMEMBERED_QUERIES = 500;

/**
 * A whole query-string DTO (`@Query() q: SomeDto`) that passed once is not validated again for the same query:
 * the same parameters are asked over and over (the console's polling, a gateway or a dashboard reading the same
 * page), and class-transformer + class-validator cost ~10% of the CPU of a list request (bench:token-check's profile).
 * Only successes are kept, so a refusal is always computed afresh; the rules of a query DTO must therefore not let a
 * valid value become invalid later (the one clock-dependent rule, "not in the future", only goes the other way).
 * Each request gets its own copy of the DTO (same class), never the remembered object.
 */
export class QueryMemoValidationPipe extends ValidationPipe {
  private readonly passed = new WeakMap<object, Map<string, object>>();

  constructor(options: ValidationPipeOptions) {
    super(options);
  }

  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    const type = metadata.metatype;
    if (metadata.type !== 'query' || metadata.data !== undefined || !type || !isQueryObject(value)) return super.transform(value, metadata);
    const key = JSON.stringify(value);
    let known = this.passed.get(type);
    const hit = known?.get(key);
    if (hit) {
      known?.delete(key);
      known?.set(key, hit);
      return copyOf(hit);
    }
    const result = await super.transform(value, metadata); // throws the 400: nothing kept
    if (result && typeof result === 'object') {
      if (!known) this.passed.set(type, (known = new Map()));
      known.set(key, copyOf(result));
      if (known.size > REMEMBERED_QUERIES) known.delete(known.keys().next().value as string);
    }
    return result;
  }
}

/** A deep copy of a DTO, of the same class: what a handler does to its copy reaches no other request. */
function copyOf<T extends object>(dto: T): T {
  return Object.assign(Object.create(Object.getPrototypeOf(dto)), structuredClone({ ...dto }));
}

/** A parsed query string: an object whose values are strings or arrays of strings. */
function isQueryObject(value: unknown): value is Record<string, string | string[]> {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return false;
  for (const v of Object.values(value)) {
    if (typeof v === 'string') continue;
    if (!Array.isArray(v) || !v.every((item) => typeof item === 'string')) return false;
  }
  return true;
}

export function createValidationPipe(): ValidationPipe {
  return new QueryMemoValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    stopAtFirstError: false,
    exceptionFactory: (errors) => {
      const fieldErrors = flatten(errors);
      return new ProblemException(400, 'validation-failed', 'Invalid request', fieldErrors.map((e) => `${e.field}: ${e.message}`).join('; '), {
        errors: fieldErrors,
      });
    },
  });
}

export function flatten(errors: ValidationError[], parent = ''): FieldError[] {
  return errors.flatMap((error) => {
    const field = parent ? (/^\d+$/.test(error.property) ? `${parent}[${error.property}]` : `${parent}.${error.property}`) : error.property;
    const own = Object.values(error.constraints ?? {}).map((message) => ({ field, message }));
    return [...own, ...flatten(error.children ?? [], field)];
  });
}
