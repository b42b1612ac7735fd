import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsObject, Matches, ValidateNested } from 'class-validator';
import { IsIsoDateTime, OptionalField } from '@leakwatch/runtime';

export class TokenAttemptDto {
  @ApiProperty({ description: 'SHA-256 (64 lowercase hex) of the presented token' })
  @Matches(/^[0-9a-f]{64}$/, { message: 'sha256 must be 64 lowercase hex characters' })
  sha256!: string;

  // The shared strict parser: a regex let 2026-02-30 through, which Date reads as 2 March.
  @ApiPropertyOptional({ format: 'date-time', description: 'When the token was presented (RFC 3339); default: when Leakwatch received the batch' })
  @OptionalField() @IsIsoDateTime()
  attempted_at?: string;
}

export class TokenAttemptsDto {
  @ApiProperty({ type: [TokenAttemptDto], minItems: 1, maxItems: 1000 })
  @IsArray() @ArrayMinSize(1) @ArrayMaxSize(1000) @IsObject({ each: true }) @ValidateNested({ each: true }) @Type(() => TokenAttemptDto)
  attempts!: TokenAttemptDto[];
}
