/**
 * Stored access-control events ↔ domain events, one codec per aggregate. Every type is at version 1 today;
 * a type whose shape changes gets version 2 here with an upcaster from 1.
 */
import { defineEventCodec } from '@leakwatch/decider';
import { ApiKeyEvent, apiKeyDecider } from './api-key.decider';
import { DomainEvent, domainDecider } from './domain-claim.decider';
import { OrganizationEvent, organizationDecider } from './organization.decider';

export const apiKeyEventCodec = defineEventCodec<ApiKeyEvent>({ ApiKeyIssued: { version: 1 }, ApiKeyRotated: { version: 1 }, ApiKeyRevoked: { version: 1 } });
export const domainEventCodec = defineEventCodec<DomainEvent>({ DomainClaimed: { version: 1 }, DomainVerified: { version: 1 }, DomainRevoked: { version: 1 } });
export const organizationEventCodec = defineEventCodec<OrganizationEvent>({ OrganizationCreated: { version: 1 } });

/** Every access-control event, for readers of all three categories (the projections). */
export const accessEventCodec = defineEventCodec<ApiKeyEvent | DomainEvent | OrganizationEvent>({
  ApiKeyIssued: { version: 1 }, ApiKeyRotated: { version: 1 }, ApiKeyRevoked: { version: 1 },
  DomainClaimed: { version: 1 }, DomainVerified: { version: 1 }, DomainRevoked: { version: 1 },
  OrganizationCreated: { version: 1 },
});

export const apiKeyAggregate = { decider: apiKeyDecider, codec: apiKeyEventCodec };
export const domainAggregate = { decider: domainDecider, codec: domainEventCodec };
export const organizationAggregate = { decider: organizationDecider, codec: organizationEventCodec };
