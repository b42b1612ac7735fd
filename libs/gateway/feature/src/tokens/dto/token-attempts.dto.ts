import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsObject, IsOptional, Matches, ValidateNested } from 'class-validator';

/** RFC 3339 date-time in UTC or with an offset (no week dates or other ISO 8601 forms Date cannot read). */
const RFC3339 = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d{1,9})?(Z|[+-]([01]\d|2[0-3]):[0-5]\d)$/;

export class TokenAttemptDto {
  @ApiProperty({ description: 'SHA-256 (64 lowercase hex) of the presented token' })
  @Matches(/^[0-9a-f]{64}$/, { message: 'sha256 must be 64 lowercase hex characters' })
  sha256!: string;

  @ApiPropertyOptional({ description: 'When the token was presented (RFC 3339); default: when Leakwatch received the batch' })
  @IsOptional() @Matches(RFC3339, { message: 'attempted_at must be an RFC 3339 date-time' })
  attempted_at?: string;
}

export class TokenAttemptsDto {
  @ApiProperty({ type: [TokenAttemptDto], minItems: 1, maxItems: 1000 })
  @IsArray() @ArrayMinSize(1) @ArrayMaxSize(1000) @IsObject({ each: true }) @ValidateNested({ each: true }) @Type(() => TokenAttemptDto)
  attempts!: TokenAttemptDto[];
}
