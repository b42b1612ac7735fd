/** Settings of the access-control service, read once from the environment (documented in the README). */
export const ACCESS_CONTROL_OPTIONS = Symbol('ACCESS_CONTROL_OPTIONS');

export interface AccessControlOptions {
  /** Value of the bootstrap global_admin key; random (and printed once) when absent. */
  adminKey?: string;
  /** How long a domain verification holds before it must be renewed. */
  verificationValidDays: number;
  /** DNS servers for TXT checks (`host` or `host:port`); the system's when empty. */
  dnsServers: string[];
  /** Tests only: allow loopback/private targets and plain HTTP for the well-known file. */
  allowPrivateVerificationTargets: boolean;
  /** Tests only: port of the local HTTP server that serves the well-known file. */
  verificationHttpPort?: number;
  dnsTimeoutMs: number;
  httpTimeoutMs: number;
}

export function accessControlOptionsFromEnv(env: NodeJS.ProcessEnv = process.env, adminKey?: string): AccessControlOptions {
  const days = Number(env.LEAKWATCH_DOMAIN_VERIFICATION_DAYS ?? 30);
  if (!Number.isInteger(days) || days < 1 || days > 3650) throw new Error('LEAKWATCH_DOMAIN_VERIFICATION_DAYS must be an integer from 1 to 3650');
  return {
    adminKey,
    verificationValidDays: days,
    dnsServers: (env.LEAKWATCH_DNS_SERVERS ?? '').split(',').map((s) => s.trim()).filter(Boolean),
    allowPrivateVerificationTargets: env.LEAKWATCH_VERIFICATION_ALLOW_PRIVATE === 'true',
    verificationHttpPort: env.LEAKWATCH_VERIFICATION_HTTP_PORT ? Number(env.LEAKWATCH_VERIFICATION_HTTP_PORT) : undefined,
    dnsTimeoutMs: Number(env.LEAKWATCH_DNS_TIMEOUT_MS ?? 3000),
    httpTimeoutMs: Number(env.LEAKWATCH_HTTP_TIMEOUT_MS ?? 5000),
  };
}
