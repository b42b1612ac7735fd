import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsEmail, IsIn, IsInt, IsOptional, IsString, IsUUID, Max, MaxLength, Min, MinLength } from 'class-validator';
import { Transform } from 'class-transformer';
import { IsIsoDateTime, OptionalField } from '@leakwatch/runtime';
import { ADMIN_LIST_DEFAULT_LIMIT, ADMIN_LIST_MAX_LIMIT } from '../../read-model/list-page';
import { ROLES, Role } from '@leakwatch/access-control/domain';

export class CreateOrganizationDto {
  @ApiProperty({ example: 'Acme Corp' })
  @IsString() @MinLength(1) @MaxLength(200)
  name!: string;
}

export class IssueApiKeyDto {
  @ApiProperty({ example: 'ci-pipeline', description: 'Label to recognise the key by' })
  @IsString() @MinLength(1) @MaxLength(200)
  name!: string;

  @ApiProperty({ enum: ROLES })
  @IsIn(ROLES)
  role!: Role;

  @ApiPropertyOptional({ description: 'Organisation of the key; required for admin/analyst keys issued by a global admin' })
  @OptionalField() @IsUUID()
  org_id?: string;

  @ApiPropertyOptional({ example: 'alice@acme.com', description: 'The person the key belongs to (makes leaks of this email personal)' })
  @OptionalField() @IsEmail() @MaxLength(320)
  user_email?: string;

  @ApiPropertyOptional({ enum: ['public', 'private'], default: 'private' })
  @OptionalField() @IsIn(['public', 'private'])
  type?: 'public' | 'private';

  @ApiPropertyOptional({ description: 'Authenticated requests per UTC day', default: 10000, minimum: 1 })
  @OptionalField() @IsInt() @Min(1) @Max(100_000_000)
  limit?: number;

  @ApiPropertyOptional({ example: '2027-01-01T00:00:00Z', format: 'date-time', description: 'When the key stops working (ISO 8601 date-time with a zone, or a date)' })
  @OptionalField() @IsIsoDateTime()
  expires_at?: string;
}

export class ClaimDomainDto {
  @ApiProperty({ example: 'acme.com' })
  @IsString() @MinLength(1) @MaxLength(253)
  domain!: string;

  @ApiPropertyOptional({ description: 'Global admins name the organisation; org keys act on their own' })
  @OptionalField() @IsUUID()
  org_id?: string;
}

export class OrgQueryDto {
  @ApiPropertyOptional({ description: 'Global keys: which organisation' })
  @IsOptional() @IsUUID()
  org_id?: string;
}

/** `limit` + `cursor` of the admin lists (answers carry `next_cursor` and a `Link: <…>; rel="next"` header). */
export class ListPageQueryDto {
  @ApiPropertyOptional({ minimum: 1, maximum: ADMIN_LIST_MAX_LIMIT, default: ADMIN_LIST_DEFAULT_LIMIT })
  @IsOptional() @Transform(({ value }) => (value === undefined ? value : Number(value))) @IsInt() @Min(1) @Max(ADMIN_LIST_MAX_LIMIT)
  limit?: number;

  @ApiPropertyOptional({ description: 'The `next_cursor` of the previous page' })
  @IsOptional() @IsString() @MaxLength(1000)
  cursor?: string;
}

export class OrgListQueryDto extends ListPageQueryDto {
  @ApiPropertyOptional({ description: 'Global keys: which organisation' })
  @IsOptional() @IsUUID()
  org_id?: string;
}

export class KeyIdParams {
  @IsUUID()
  id!: string;
}
