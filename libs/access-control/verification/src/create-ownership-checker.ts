/**
 * Wires the DNS and HTTPS adapters behind the `OwnershipChecker` port from one typed, validated config.
 * Production passes nothing (system resolver, HTTPS only, public addresses only); tests point `dnsServers`
 * at a local DNS server and open the guard for loopback.
 */
import { Resolver } from 'node:dns/promises';
import { AddressPolicy } from '@leakwatch/net-policy';
import { DnsTxtChecker } from './dns-txt-checker';
import { DEFAULT_HTTP_TIMEOUT_MS, HttpsFileFetcher } from './https-file-fetcher';
import { CheckResult, OwnershipChecker, WELL_KNOWN_PATH, assertDomain, assertToken, challengeRecordValue } from './ownership-checker.port';
import { wellKnownContentProves } from './proof-matching';

export const DEFAULT_DNS_TIMEOUT_MS = 3_000;

export interface OwnershipCheckerConfig {
  /** DNS servers for both checks, `ip` or `ip:port` (`127.0.0.1:5353`, `[::1]:5353`); default: the system resolver. */
  dnsServers?: string[];
  /** Budget of one DNS lookup, retries included (default 3000). */
  dnsTimeoutMs?: number;
  /** Budget of one HTTP check: DNS, connect, redirects and body (default 5000). */
  httpTimeoutMs?: number;
  /** Tests only: let the fetcher connect to loopback/private addresses. */
  allowPrivateAddresses?: boolean;
  /** Exceptions to the address guard (IPs or CIDRs) that stay refused otherwise — e.g. exactly `127.0.0.1` in tests. */
  allowedAddresses?: string[];
  /** Tests only: fetch the well-known file over `http:` instead of `https:`. */
  allowInsecureHttp?: boolean;
  /** Tests only: the port of the well-known URL (where the local HTTP server listens); default 443 / 80. */
  httpPort?: number;
}

export function createOwnershipChecker(config: OwnershipCheckerConfig = {}): OwnershipChecker {
  const dnsTimeoutMs = positiveInteger('dnsTimeoutMs', config.dnsTimeoutMs ?? DEFAULT_DNS_TIMEOUT_MS);
  const httpTimeoutMs = positiveInteger('httpTimeoutMs', config.httpTimeoutMs ?? DEFAULT_HTTP_TIMEOUT_MS);
  if (config.httpPort !== undefined && (!Number.isInteger(config.httpPort) || config.httpPort < 1 || config.httpPort > 65_535)) {
    throw new RangeError(`httpPort must be 1–65535, got ${config.httpPort}`);
  }
  validateDnsServers(config.dnsServers);
  const resolver = { dnsServers: config.dnsServers, timeoutMs: dnsTimeoutMs };

  const dns = new DnsTxtChecker(resolver);
  const fetcher = new HttpsFileFetcher({
    resolver,
    policy: new AddressPolicy({ allowPrivateAddresses: config.allowPrivateAddresses, allowedAddresses: config.allowedAddresses }),
    timeoutMs: httpTimeoutMs,
    allowInsecureHttp: config.allowInsecureHttp,
  });
  const scheme = config.allowInsecureHttp ? 'http' : 'https';
  const port = config.httpPort === undefined ? '' : `:${config.httpPort}`;

  return {
    checkDns: (domain, token) => dns.check(domain, token),
    async checkHttp(domain, token): Promise<CheckResult> {
      const url = `${scheme}://${assertDomain(domain)}${port}${WELL_KNOWN_PATH}`;
      assertToken(token);
      const fetched = await fetcher.fetch(url);
      if (!fetched.ok) return { verified: false, method: 'http', reason: fetched.reason };
      if (wellKnownContentProves(fetched.body, token)) return { verified: true, method: 'http' };
      return { verified: false, method: 'http', reason: `${fetched.url} does not contain the line ${challengeRecordValue(token)}` };
    },
  };
}

function positiveInteger(name: string, value: number): number {
  if (!Number.isInteger(value) || value <= 0) throw new RangeError(`${name} must be a positive integer, got ${value}`);
  return value;
}

/** Fails at wiring time, not at the first check: `setServers` throws on a malformed entry. */
function validateDnsServers(servers: string[] | undefined): void {
  if (servers === undefined) return;
  if (servers.length === 0) throw new RangeError('dnsServers must not be empty (omit it to use the system resolver)');
  new Resolver().setServers(servers);
}
