/** One stream per aggregate; these names are persisted, so they never change. */
export const orgStream = (orgId: string) => `org-${orgId}`;
export const apiKeyStream = (keyId: string) => `apikey-${keyId}`;
export const domainStream = (orgId: string, domain: string) => `domain-${orgId}-${domain}`;
