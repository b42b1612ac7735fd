import type { LeakAccessFacts } from '@leakwatch/authz';
import type { LeakDetectedData } from '@leakwatch/leak-lifecycle/domain';

/** The facts the authorization policy needs about one leak. */
export function accessFacts(leak: Pick<LeakDetectedData, 'identity' | 'site' | 'org_id'>): LeakAccessFacts {
  return {
    identityEmail: leak.identity?.email ?? undefined,
    siteDomain: leak.site?.domain ?? undefined,
    ingestedByOrgId: leak.org_id ?? undefined,
  };
}
