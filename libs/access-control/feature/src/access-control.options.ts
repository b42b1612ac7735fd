/** Settings of the access-control service, from the validated configuration (documented in the README). */
import type { LeakwatchConfig } from '@leakwatch/runtime';

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

/** From the validated process configuration (libs/shared/runtime config: every variable checked at start-up). */
export function accessControlOptionsFrom(config: LeakwatchConfig): AccessControlOptions {
  const v = config.verification;
  return {
    adminKey: config.adminKey,
    verificationValidDays: v.validDays,
    dnsServers: v.dnsServers,
    allowPrivateVerificationTargets: v.allowPrivateTargets,
    verificationHttpPort: v.httpPort,
    dnsTimeoutMs: v.dnsTimeoutMs,
    httpTimeoutMs: v.httpTimeoutMs,
  };
}
