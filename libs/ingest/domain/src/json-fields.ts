/**
 * Typed reads from untyped JSON records. Type errors are collected (not thrown) so a parser can refuse
 * one record with a precise reason and keep going. Error texts never quote field VALUES: a value may be
 * a secret, and rejections travel back to HTTP clients and into logs.
 */
export type JsonRecord = Record<string, unknown>;

export function isRecord(value: unknown): value is JsonRecord {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `array`, `null`, `string`... for error messages (the JSON type, never the value). */
export function jsonTypeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

export class FieldReader {
  readonly errors: string[] = [];

  constructor(
    readonly record: JsonRecord,
    private readonly prefix = '',
  ) {}

  /** A string field; missing, null and '' read as undefined. */
  string(key: string): string | undefined {
    const value = this.record[key];
    if (value === undefined || value === null || value === '') return undefined;
    if (typeof value !== 'string') return this.wrongType(key, 'a string', value);
    return value;
  }

  /** A finite number field; missing and null read as undefined. */
  number(key: string): number | undefined {
    const value = this.record[key];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'number' || !Number.isFinite(value)) return this.wrongType(key, 'a number', value);
    return value;
  }

  boolean(key: string): boolean | undefined {
    const value = this.record[key];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'boolean') return this.wrongType(key, 'a boolean', value);
    return value;
  }

  /** An array of strings (gitleaks v8 `Tags`); missing and null read as undefined. */
  strings(key: string): string[] | undefined {
    const value = this.record[key];
    if (value === undefined || value === null) return undefined;
    if (!Array.isArray(value) || value.some((item) => typeof item !== 'string')) return this.wrongType(key, 'an array of strings', value);
    return value as string[];
  }

  object(key: string): JsonRecord | undefined {
    const value = this.record[key];
    if (value === undefined || value === null) return undefined;
    if (!isRecord(value)) return this.wrongType(key, 'an object', value);
    return value;
  }

  has(key: string): boolean {
    return this.record[key] !== undefined && this.record[key] !== null;
  }

  private wrongType(key: string, expected: string, value: unknown): undefined {
    this.errors.push(`${this.prefix}${key} must be ${expected} (got ${jsonTypeOf(value)})`);
    return undefined;
  }
}
