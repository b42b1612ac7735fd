/** Roles of DESIGN.md: platform-wide (`global_*`) or within one organisation; analysts only read. */
export const ROLES = ['global_admin', 'global_analyst', 'admin', 'analyst'] as const;
export type Role = (typeof ROLES)[number];

export const isGlobalRole = (role: Role): boolean => role === 'global_admin' || role === 'global_analyst';
export const isAdminRole = (role: Role): boolean => role === 'global_admin' || role === 'admin';
