import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsIn, IsInt, IsString, IsUUID, Max, MaxLength, Min } from 'class-validator';
import { OptionalField } from '@leakwatch/runtime';
import { NOTIFIABLE_EVENT_TYPES, SUBSCRIPTION_FORMATS, SubscriptionFormat } from '../domain';

export const EVENT_TYPE_CHOICES = [...NOTIFIABLE_EVENT_TYPES, '*'];

export class CreateSubscriptionDto {
  @ApiProperty({ example: 'https://hooks.example.com/leakwatch', description: 'https, on a public address (the same SSRF policy as domain verification)' })
  @IsString() @MaxLength(2000)
  url!: string;

  @ApiPropertyOptional({ enum: SUBSCRIPTION_FORMATS, default: 'cloudevents', description: '`cloudevents`: structured CloudEvents JSON; `slack`: a Slack incoming-webhook message' })
  @OptionalField() @IsIn(SUBSCRIPTION_FORMATS)
  format?: SubscriptionFormat;

  @ApiPropertyOptional({ type: [String], enum: EVENT_TYPE_CHOICES, default: ['*'] })
  @OptionalField() @IsArray() @ArrayMinSize(1) @ArrayMaxSize(EVENT_TYPE_CHOICES.length) @IsIn(EVENT_TYPE_CHOICES, { each: true })
  event_types?: string[];

  @ApiPropertyOptional({ example: 'SIEM' })
  @OptionalField() @IsString() @MaxLength(200)
  description?: string;

  @ApiPropertyOptional({ description: 'Global keys: the organisation the subscription is for' })
  @OptionalField() @IsUUID()
  org_id?: string;
}

export class SubscriptionIdParams {
  @IsUUID() id!: string;
}

export class DeliveryIdParams extends SubscriptionIdParams {
  @IsUUID() delivery_id!: string;
}

export class DeliveryLogQueryDto {
  @ApiPropertyOptional({ enum: ['pending', 'delivered', 'failed', 'cancelled'] })
  @OptionalField() @IsIn(['pending', 'delivered', 'failed', 'cancelled'])
  status?: 'pending' | 'delivered' | 'failed' | 'cancelled';

  @ApiPropertyOptional({ minimum: 1, maximum: 500, default: 50 })
  @OptionalField() @Transform(({ value }) => (value === undefined ? undefined : Number(value))) @IsInt() @Min(1) @Max(500)
  limit?: number;
}

export class OrgQueryDto {
  @ApiPropertyOptional() @OptionalField() @IsUUID()
  org_id?: string;
}
