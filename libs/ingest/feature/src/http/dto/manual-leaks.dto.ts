import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsDefined, IsEmail, IsIn, IsObject, IsString, IsUrl, MaxLength, MinLength, ValidateNested } from 'class-validator';
import { OptionalField } from '@leakwatch/runtime';
import { RISKS, Risk } from '@leakwatch/contracts';

const URL_OPTIONS = { require_protocol: true, require_tld: false };

export class LeakSourceDto {
  @ApiProperty({ example: 'pastebin' })
  @IsString() @MinLength(1) @MaxLength(200)
  name!: string;

  @ApiPropertyOptional({ example: 'https://pastebin.com/abc123' })
  @OptionalField() @IsUrl(URL_OPTIONS) @MaxLength(2000)
  url?: string;
}

export class ManualTokenDto {
  @ApiProperty({ description: 'The leaked token. Hashed and dropped on arrival: never stored or logged.' })
  @IsString() @MinLength(4) @MaxLength(10_000)
  value!: string;

  @ApiPropertyOptional({ example: 'github-pat', description: 'Detected from the value when omitted' })
  @OptionalField() @IsString() @MaxLength(100)
  type?: string;
}

export class ManualCredentialDto {
  @ApiPropertyOptional()
  @OptionalField() @IsEmail() @MaxLength(320)
  email?: string;

  @ApiPropertyOptional()
  @OptionalField() @IsString() @MaxLength(320)
  username?: string;

  @ApiProperty({ description: 'Hashed and dropped on arrival: never stored or logged.' })
  @IsString() @MinLength(1) @MaxLength(10_000)
  password!: string;

  @ApiPropertyOptional({ example: 'https://login.acme.com' })
  @OptionalField() @IsUrl(URL_OPTIONS) @MaxLength(2000)
  url?: string;
}

export class ManualLeaksDto {
  @ApiProperty({ type: LeakSourceDto })
  // IsObject: an array passes ValidateNested (each element is checked: none), and was stored as a source.
  @IsDefined() @IsObject() @ValidateNested() @Type(() => LeakSourceDto)
  source!: LeakSourceDto;

  @ApiPropertyOptional({ type: [ManualTokenDto], maxItems: 1000 })
  @OptionalField() @IsArray() @ArrayMaxSize(1000) @IsObject({ each: true }) @ValidateNested({ each: true }) @Type(() => ManualTokenDto)
  tokens?: ManualTokenDto[];

  @ApiPropertyOptional({ type: [ManualCredentialDto], maxItems: 1000 })
  @OptionalField() @IsArray() @ArrayMaxSize(1000) @IsObject({ each: true }) @ValidateNested({ each: true }) @Type(() => ManualCredentialDto)
  credentials?: ManualCredentialDto[];

  @ApiPropertyOptional({ enum: RISKS, description: 'Overrides the computed risk' })
  @OptionalField() @IsIn(RISKS)
  risk?: Risk;
}
