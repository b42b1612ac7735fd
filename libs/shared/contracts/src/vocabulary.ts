/**
 * The names every context shares: one definition each. Contexts, the CLI and the API documents import them
 * from here instead of keeping their own copy (a copy drifts: a status added in one place and not another
 * is a silent bug at a context boundary).
 */
import { sha256Hex } from './sha256-hex';

/** A leak id: HMAC-MD5 of the secret under the installation's leak-id key, 32 lowercase hex characters. */
export const LEAK_ID_PATTERN_SOURCE = '^[0-9a-f]{32}$';
export const LEAK_ID_PATTERN = new RegExp(LEAK_ID_PATTERN_SOURCE);
export const LEAK_ID_DESCRIPTION = 'a 32-character lowercase hex leak id';
export const isLeakId = (value: unknown): value is string => typeof value === 'string' && LEAK_ID_PATTERN.test(value);

/** Where a leak is in its life: `open` until someone decides it is `fixed` or a `false_positive`. */
export const LEAK_STATUSES = ['open', 'fixed', 'false_positive'] as const;
export type LeakStatus = (typeof LEAK_STATUSES)[number];
export const isLeakStatus = (value: unknown): value is LeakStatus => (LEAK_STATUSES as readonly unknown[]).includes(value);

/** Risk levels, most severe first (the order lists and reports show them in). */
export const RISKS = ['critical', 'high', 'medium', 'low'] as const;
export type Risk = (typeof RISKS)[number];
export const isRisk = (value: unknown): value is Risk => (RISKS as readonly unknown[]).includes(value);

/** What was leaked: a token/API key (blockable at gateways) or a username/password credential. */
export const LEAK_KINDS = ['token', 'credential'] as const;
export type LeakKind = (typeof LEAK_KINDS)[number];

/** API key roles: platform-wide (`global_*`) or within one organisation; analysts only read. */
export const ROLES = ['global_admin', 'global_analyst', 'admin', 'analyst'] as const;
export type Role = (typeof ROLES)[number];
/** Roles arrive from stored events and caches as plain strings: check before trusting them. */
export const isRole = (value: unknown): value is Role => (ROLES as readonly unknown[]).includes(value);
export const isGlobalRole = (role: string): boolean => role === 'global_admin' || role === 'global_analyst';
/** Only admins change things; analysts (global or not) are read-only. */
export const isAdminRole = (role: string): boolean => role === 'global_admin' || role === 'admin';
/** The roles allowed to change state, for `@Roles(...)` on mutating routes. */
export const ADMIN_ROLES = ['global_admin', 'admin'] as const satisfies readonly Role[];

/**
 * The fingerprint of a secret: SHA-256 of its UTF-8 bytes, lowercase hex. Ingest stores it on the leak and
 * gateways look presented tokens up by it, so both sides must compute it the same way: this is that way.
 */
export const secretFingerprint = (secret: string): string => sha256Hex(secret);
export const FINGERPRINT_PATTERN = /^[0-9a-f]{64}$/;

/** Stream names of the leak-lifecycle context (the integration topic's partition key is the leak id). */
export const leakStream = (leakid: string): string => `leak-${leakid}`;
