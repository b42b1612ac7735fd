import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsBoolean, IsIn, IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min, ValidateBy, buildMessage } from 'class-validator';
import { IsIsoDateTime, OptionalField } from '@leakwatch/runtime';
import { LEAK_STATUSES, LeakStatus, RISKS } from '@leakwatch/leak-lifecycle/domain';
import { LEAK_SORTS, LeakSort, SORT_DIRECTIONS, SortDirection } from '../../read-model/leak-list-order';
import { LEAK_ID_PATTERN } from '@leakwatch/contracts';


/** Exactly one of `leakid` / `leakids` (checked in the controller, which names the problem). */
abstract class LeakSelectionDto {
  @ApiPropertyOptional({ example: 'b3652f2555841f7652badd9804859f4e' })
  @OptionalField() @IsString()
  leakid?: string;

  @ApiPropertyOptional({ type: [String], maxItems: 1000 })
  @OptionalField() @IsArray() @ArrayMinSize(1) @ArrayMaxSize(1000) @IsString({ each: true })
  leakids?: string[];
}

export class LeakStatusDto extends LeakSelectionDto {
  @ApiProperty({ enum: LEAK_STATUSES })
  @IsIn(LEAK_STATUSES)
  status!: LeakStatus;

  @ApiPropertyOptional({ maxLength: 2000 })
  @OptionalField() @IsString() @MaxLength(2000)
  comment?: string;
}

export class VirtualPatchDto extends LeakSelectionDto {
  @ApiProperty()
  @IsBoolean()
  enabled!: boolean;
}

/** The ids of a selection, or the field errors that make it invalid. */
export function selectedIds(body: LeakSelectionDto): { ids: string[] } | { errors: Array<{ field: string; message: string }> } {
  if (body.leakid !== undefined && body.leakids !== undefined) return { errors: [{ field: 'leakid', message: 'give either leakid or leakids, not both' }] };
  if (body.leakid === undefined && body.leakids === undefined) return { errors: [{ field: 'leakid', message: 'leakid or leakids is required' }] };
  if (body.leakid !== undefined) {
    // The field is named, the value not quoted: a token pasted where an id belongs must not come back.
    return LEAK_ID_PATTERN.test(body.leakid) ? { ids: [body.leakid] } : { errors: [{ field: 'leakid', message: 'is not a 32-character lowercase hex leak id' }] };
  }
  const bad = (body.leakids ?? []).map((id, i) => ({ id, i })).filter(({ id }) => !LEAK_ID_PATTERN.test(id));
  if (bad.length) return { errors: bad.map(({ i }) => ({ field: `leakids[${i}]`, message: 'is not a 32-character lowercase hex leak id' })) };
  return { ids: body.leakids ?? [] };
}

/** An `as_of` names a moment that has happened: the future has no state to show yet. */
export function IsNotInFuture(): PropertyDecorator {
  return ValidateBy({
    name: 'isNotInFuture',
    validator: {
      validate: (value) => typeof value !== 'string' || !(Date.parse(value) > Date.now()),
      defaultMessage: buildMessage((each) => `${each}$property must not be in the future`),
    },
  });
}

const toBool = ({ value }: { value: unknown }) => (value === 'true' ? true : value === 'false' ? false : value);

export class LeakListQueryDto {
  @ApiPropertyOptional({ enum: ['personal', 'employee', 'customer', 'organization', 'all'] })
  @IsOptional() @IsIn(['personal', 'employee', 'customer', 'organization', 'all'])
  type?: 'personal' | 'employee' | 'customer' | 'organization' | 'all';

  @ApiPropertyOptional({ enum: LEAK_STATUSES })
  @IsOptional() @IsIn(LEAK_STATUSES)
  status?: LeakStatus;

  @ApiPropertyOptional({ enum: RISKS })
  @IsOptional() @IsIn(RISKS)
  risk?: string;

  @ApiPropertyOptional()
  @IsOptional() @IsString() @MaxLength(200)
  source?: string;

  @ApiPropertyOptional()
  @IsOptional() @Transform(toBool) @IsBoolean()
  virtual_patch?: boolean;

  @ApiPropertyOptional({ description: 'Search in id, preview, type, email, site, source' })
  @IsOptional() @IsString() @MaxLength(200)
  q?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 500, default: 50 })
  @IsOptional() @Transform(({ value }) => (value === undefined ? value : Number(value))) @IsInt() @Min(1) @Max(500)
  limit?: number;

  @ApiPropertyOptional({ description: 'The `next_cursor` of the previous page (also in its `Link: <…>; rel="next"` header), asked with the same sort and direction' })
  @IsOptional() @IsString() @MaxLength(500)
  cursor?: string;

  @ApiPropertyOptional({ enum: LEAK_SORTS, default: 'first_seen', description: 'Order of the list; ties are ordered by leakid (same direction), so pages never overlap or skip' })
  @IsOptional() @IsIn(LEAK_SORTS)
  sort?: LeakSort;

  @ApiPropertyOptional({ enum: SORT_DIRECTIONS, default: 'desc', description: 'desc: newest, most severe (risk critical first), or status in reverse lifecycle order first' })
  @IsOptional() @IsIn(SORT_DIRECTIONS)
  direction?: SortDirection;

  @ApiPropertyOptional({
    format: 'date-time',
    example: '2026-11-25T10:00:00Z',
    description: 'ISO 8601 time (with a zone, or a date), not in the future: the list, its filters, total and per-type summary as they were at that moment, rebuilt from the events (before any leak existed: an empty page)',
  })
  @IsOptional() @IsIsoDateTime() @IsNotInFuture()
  as_of?: string;

  @ApiPropertyOptional({ format: 'date-time', example: '2026-11-25T00:00:00Z', description: 'Only leaks first seen (detected) at or after this time (ISO 8601, with a zone, or a date: midnight UTC)' })
  @IsOptional() @IsIsoDateTime()
  first_seen_from?: string;

  @ApiPropertyOptional({ format: 'date-time', example: '2026-11-26T00:00:00Z', description: 'Only leaks first seen before this time (exclusive): `first_seen_from=2026-11-25&first_seen_to=2026-11-26` is that UTC day' })
  @IsOptional() @IsIsoDateTime()
  first_seen_to?: string;

  @ApiPropertyOptional({ format: 'date-time', example: '2026-11-25T00:00:00Z', description: 'Only leaks fixed at or after this time (their current fix: a reopened leak has none)' })
  @IsOptional() @IsIsoDateTime()
  fixed_from?: string;

  @ApiPropertyOptional({ format: 'date-time', example: '2026-11-26T00:00:00Z', description: 'Only leaks fixed before this time (exclusive)' })
  @IsOptional() @IsIsoDateTime()
  fixed_to?: string;
}

/** The date filters (`*_from` inclusive, `*_to` exclusive): a range that ends before it starts is refused, naming the field. */
export const DATE_RANGES = [
  ['first_seen_from', 'first_seen_to'],
  ['fixed_from', 'fixed_to'],
] as const;

export function dateRangeErrors(query: Partial<Record<(typeof DATE_RANGES)[number][number], string>>): Array<{ field: string; message: string }> {
  return DATE_RANGES.filter(([from, to]) => query[from] && query[to] && Date.parse(query[from] as string) > Date.parse(query[to] as string)).map(([from, to]) => ({
    field: from,
    message: `must not be after ${to}`,
  }));
}

export class LeakIdParams {
  @Matches(LEAK_ID_PATTERN, { message: 'leakid must be a 32-character lowercase hex leak id' })
  leakid!: string;
}

export class AsOfQueryDto {
  @ApiPropertyOptional({ format: 'date-time', description: 'ISO 8601 time (with a zone, or a date): the leak as it was then, rebuilt from its events' })
  @IsOptional() @IsIsoDateTime()
  as_of?: string;
}
