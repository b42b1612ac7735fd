/** One stream per aggregate, named as DESIGN.md fixes them. */
export const orgStream = (orgId: string) => `org-${orgId}`;
export const apiKeyStream = (keyId: string) => `apikey-${keyId}`;
export const domainStream = (orgId: string, domain: string) => `domain-${orgId}-${domain}`;
