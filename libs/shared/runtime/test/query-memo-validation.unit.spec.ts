/**
 * The validation pipe remembers query strings that passed (per DTO class): same answer, validated once, a fresh copy
 * per request; refusals are never remembered.
 */
import { Transform } from 'class-transformer';
import { IsIn, IsInt, IsOptional, Max, Min } from 'class-validator';
import { ProblemException } from '../src/http/problem';
import { createValidationPipe } from '../src/http/validation';

let transforms = 0;

class ListQuery {
  @IsOptional() @Transform(({ value }) => (transforms++, value === undefined ? value : Number(value))) @IsInt() @Min(1) @Max(500)
  limit?: number;

  @IsOptional() @IsIn(['asc', 'desc'])
  direction?: string;
}

class OtherQuery {
  @IsOptional() @Transform(({ value }) => (transforms++, value === undefined ? value : Number(value))) @IsInt() @Min(1) @Max(5)
  limit?: number;
}

const query = (metatype: new () => object) => ({ type: 'query' as const, metatype, data: undefined });

describe('validation pipe: remembered query strings', () => {
  beforeEach(() => (transforms = 0));

  it('validates a query string once and hands every request its own instance of the DTO class', async () => {
    const pipe = createValidationPipe();
    const first = (await pipe.transform({ limit: '20', direction: 'asc' }, query(ListQuery))) as ListQuery;
    const second = (await pipe.transform({ limit: '20', direction: 'asc' }, query(ListQuery))) as ListQuery;
    expect(transforms).toBe(1);
    expect(first).toBeInstanceOf(ListQuery);
    expect(second).toBeInstanceOf(ListQuery);
    expect(second).toEqual({ limit: 20, direction: 'asc' });
    expect(second).not.toBe(first);
    second.limit = 7; // a handler changing its copy changes no one else's
    expect(await pipe.transform({ limit: '20', direction: 'asc' }, query(ListQuery))).toEqual({ limit: 20, direction: 'asc' });
  });

  it('never remembers a refusal, and keeps classes and query strings apart', async () => {
    const pipe = createValidationPipe();
    for (let i = 0; i < 2; i++) await expect(pipe.transform({ limit: '0' }, query(ListQuery))).rejects.toBeInstanceOf(ProblemException);
    expect(transforms).toBe(2);
    await expect(pipe.transform({ limit: '9' }, query(ListQuery))).resolves.toEqual({ limit: 9 });
    await expect(pipe.transform({ limit: '9' }, query(OtherQuery))).rejects.toMatchObject({ response: expect.objectContaining({ detail: expect.stringContaining('limit') }) });
    await expect(pipe.transform({ limit: '9', extra: 'x' }, query(ListQuery))).rejects.toBeInstanceOf(ProblemException);
  });

  it('forgets the least recently used query string after 500 others', async () => {
    const pipe = createValidationPipe();
    await pipe.transform({ limit: '1' }, query(ListQuery));
    for (let i = 2; i <= 501; i++) await pipe.transform({ limit: String(i % 500 || 500), direction: i % 2 ? 'asc' : 'desc' }, query(ListQuery));
    transforms = 0;
    await pipe.transform({ limit: '1' }, query(ListQuery));
    expect(transforms).toBe(1);
  });

  it('validates bodies and single query fields every time', async () => {
    const pipe = createValidationPipe();
    for (let i = 0; i < 2; i++) await pipe.transform({ limit: '3' }, { type: 'body', metatype: ListQuery, data: undefined });
    expect(transforms).toBe(2);
  });
});
