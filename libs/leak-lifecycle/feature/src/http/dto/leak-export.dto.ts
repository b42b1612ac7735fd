import { ApiPropertyOptional, PickType } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, Matches } from 'class-validator';
import { IsIsoDateTime } from '@leakwatch/runtime';
import { LeakListQueryDto } from './leak-decision.dto';

export const EXPORT_FORMATS = ['csv', 'ndjson'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** The list's filters (same names, same validation), without paging: an export is every matching leak. */
export class LeakExportQueryDto extends PickType(LeakListQueryDto, ['type', 'status', 'risk', 'source', 'virtual_patch', 'q', 'as_of', 'first_seen_from', 'first_seen_to', 'fixed_from', 'fixed_to'] as const) {
  @ApiPropertyOptional({ enum: EXPORT_FORMATS, default: 'csv' })
  @IsOptional() @IsIn(EXPORT_FORMATS)
  format?: ExportFormat;
}

export class AuditEventsQueryDto {
  @ApiPropertyOptional({ format: 'date-time', description: 'Only events at or after this time (ISO 8601)' })
  @IsOptional() @IsIsoDateTime()
  from?: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'Only events before this time (ISO 8601, exclusive)' })
  @IsOptional() @IsIsoDateTime()
  to?: string;

  @ApiPropertyOptional({ description: 'Only events of this type, e.g. LeakStatusChanged' })
  @IsOptional() @IsString() @Matches(/^[A-Za-z][A-Za-z0-9]{0,99}$/, { message: 'type must be an event type name such as LeakStatusChanged' })
  type?: string;
}
