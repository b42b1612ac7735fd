/**
 * Integration contract of `leakwatch.access.v1` (CloudEvent `type` = the event name, `data` = these shapes).
 * Other contexts build their local access projection (API keys, verified domains) from these events only.
 * Version 1; a breaking change gets a new topic version, additive fields do not.
 */
export type AccessRole = 'global_admin' | 'global_analyst' | 'admin' | 'analyst';

export interface OrganizationCreatedV1 {
  org_id: string;
  name: string;
}

export interface ApiKeyIssuedV1 {
  key_id: string;
  name: string;
  role: AccessRole;
  org_id: string | null;
  user_email: string | null;
  type: 'public' | 'private';
  limit: number;
  expires_at: string | null;
  /** SHA-256 (hex) of the key; the key itself never leaves access-control. */
  key_hash: string;
  prefix: string;
  issued_at: string;
}

export interface ApiKeyRotatedV1 {
  key_id: string;
  org_id: string | null;
  key_hash: string;
  prefix: string;
  rotated_at: string;
}

export interface ApiKeyRevokedV1 {
  key_id: string;
  org_id: string | null;
  revoked_at: string;
}

export interface DomainClaimedV1 {
  org_id: string;
  domain: string;
  token: string;
  claimed_at: string;
}

export interface DomainVerifiedV1 {
  org_id: string;
  domain: string;
  method: 'dns' | 'http';
  verified_at: string;
  expires_at: string;
}

export interface DomainRevokedV1 {
  org_id: string;
  domain: string;
  revoked_at: string;
}

export type AccessEventV1 =
  | { type: 'OrganizationCreated'; data: OrganizationCreatedV1 }
  | { type: 'ApiKeyIssued'; data: ApiKeyIssuedV1 }
  | { type: 'ApiKeyRotated'; data: ApiKeyRotatedV1 }
  | { type: 'ApiKeyRevoked'; data: ApiKeyRevokedV1 }
  | { type: 'DomainClaimed'; data: DomainClaimedV1 }
  | { type: 'DomainVerified'; data: DomainVerifiedV1 }
  | { type: 'DomainRevoked'; data: DomainRevokedV1 };

export const ACCESS_EVENT_TYPES: ReadonlyArray<AccessEventV1['type']> = [
  'OrganizationCreated',
  'ApiKeyIssued',
  'ApiKeyRotated',
  'ApiKeyRevoked',
  'DomainClaimed',
  'DomainVerified',
  'DomainRevoked',
];

export function isAccessEvent(event: { type: string }): event is AccessEventV1 {
  return (ACCESS_EVENT_TYPES as readonly string[]).includes(event.type);
}
