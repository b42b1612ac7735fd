/** The answers of the access-control endpoints, as named OpenAPI schemas. */
import { apiSchema, s } from '@leakwatch/runtime';
import { ROLES } from '@leakwatch/access-control/domain';

const ORG_ID = '71157f19-a659-44d3-98a6-6ebac5901975';
const nextCursor = s.nullableString({ description: 'Pass as `cursor` for the next page; null on the last page (also `Link: <…>; rel="next"`)' });

export const ORGANIZATION_SCHEMA = apiSchema('Organization', s.object({ org_id: s.uuid(), name: s.string(), created_at: s.dateTime() }));
export const ORGANIZATION_CREATED_SCHEMA = apiSchema('OrganizationCreated', s.object({ org_id: s.uuid(), name: s.string() }));
export const ORGANIZATION_PAGE_SCHEMA = apiSchema('OrganizationPage', s.object({ items: s.array(ORGANIZATION_SCHEMA), next_cursor: nextCursor }));
export const ORGANIZATION_EXAMPLE = { org_id: ORG_ID, name: 'Acme Corp', created_at: '2026-11-25T10:00:00.000Z' };

const apiKeyFields = {
  id: s.uuid(),
  name: s.string(),
  prefix: s.string({ description: 'The first characters of the key, to recognise it', examples: ['lw_SsIJ02dP'] }),
  role: s.enumOf(ROLES),
  org_id: s.nullableString({ format: 'uuid' }),
  user_email: s.nullableString(),
  type: s.enumOf(['public', 'private']),
  limit: s.integer({ minimum: 0, description: 'Authenticated requests per UTC day' }),
  expires_at: s.nullableDateTime(),
  created_at: s.dateTime(),
  rotated_at: s.nullableDateTime(),
  revoked_at: s.nullableDateTime(),
  status: s.enumOf(['active', 'revoked', 'expired']),
};
export const API_KEY_SCHEMA = apiSchema('ApiKey', s.object(apiKeyFields, { description: 'An API key’s record; never the key itself' }));
export const API_KEY_WITH_SECRET_SCHEMA = apiSchema(
  'ApiKeyWithSecret',
  s.object({ ...apiKeyFields, key: s.string({ description: 'The key: shown in this answer only', examples: ['lw_SsIJ02dPTmnP09ehgslDSnR5GyQMPw_CoRPSTxy0sak'] }) }),
);
export const API_KEY_PAGE_SCHEMA = apiSchema('ApiKeyPage', s.object({ items: s.array(API_KEY_SCHEMA), next_cursor: nextCursor }));
export const API_KEY_EXAMPLE = {
  id: '5494856b-f4f7-4666-9ae1-7d553c7bde8b', name: 'ci-pipeline', prefix: 'lw_SsIJ02dP', role: 'admin', org_id: ORG_ID, user_email: null, type: 'private',
  limit: 10000, expires_at: null, created_at: '2026-11-25T10:00:00.000Z', rotated_at: null, revoked_at: null, status: 'active',
};

const domainStatus = s.enumOf(['pending', 'verified', 'expired', 'revoked']);
export const DOMAIN_SCHEMA = apiSchema(
  'Domain',
  s.object({ org_id: s.uuid(), domain: s.string(), status: domainStatus, method: s.nullableString({ examples: ['dns', 'http'] }), claimed_at: s.dateTime(), verified_at: s.nullableDateTime(), expires_at: s.nullableDateTime() }),
);
export const DOMAIN_PAGE_SCHEMA = apiSchema('DomainPage', s.object({ items: s.array(DOMAIN_SCHEMA), next_cursor: nextCursor }));
export const DOMAIN_CLAIM_SCHEMA = apiSchema(
  'DomainClaim',
  s.object(
    {
      org_id: s.uuid(), domain: s.string(), status: s.enumOf(['pending']), token: s.string(),
      dns: s.object({ name: s.string(), type: s.enumOf(['TXT']), value: s.string() }),
      http: s.object({ url: s.string(), content: s.string() }),
    },
    { description: 'The token and where to publish it: a DNS TXT record or an HTTPS file' },
  ),
);
export const DOMAIN_CLAIM_EXAMPLE = {
  org_id: ORG_ID, domain: 'acme.com', status: 'pending', token: 'KGUo5Havgu6k15dMPNkcWNOW5N5Cx1vI',
  dns: { name: '_leakwatch-challenge.acme.com', type: 'TXT', value: 'leakwatch-verification=KGUo5Havgu6k15dMPNkcWNOW5N5Cx1vI' },
  http: { url: 'https://acme.com/.well-known/leakwatch-verification.txt', content: 'leakwatch-verification=KGUo5Havgu6k15dMPNkcWNOW5N5Cx1vI' },
};
export const DOMAIN_VERIFICATION_SCHEMA = apiSchema(
  'DomainVerification',
  s.partial(
    { org_id: s.uuid(), domain: s.string(), status: domainStatus, expires_at: s.nullableDateTime() },
    { method: s.nullableString(), reason: s.string({ description: 'Why it is still pending' }) },
  ),
);
