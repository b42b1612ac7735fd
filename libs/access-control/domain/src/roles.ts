/** API key roles: platform-wide (`global_*`) or within one organisation; analysts only read. */
export { ROLES, isAdminRole, isGlobalRole } from '@leakwatch/contracts';
export type { Role } from '@leakwatch/contracts';
