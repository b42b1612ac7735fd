import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsString, Matches, MaxLength, MinLength } from 'class-validator';
import { OptionalField } from '@leakwatch/runtime';

export class TokenCheckDto {
  @ApiPropertyOptional({ description: 'The presented token; hashed at once, never stored or logged' })
  @OptionalField() @IsString() @MinLength(1) @MaxLength(10_000)
  token?: string;

  @ApiPropertyOptional({ description: 'Or its SHA-256, lowercase hex (a gateway that never shares tokens)' })
  @OptionalField() @IsString() @Matches(/^[0-9a-f]{64}$/, { message: 'sha256 must be 64 lowercase hex characters' })
  sha256?: string;
}
