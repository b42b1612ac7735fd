/**
 * Name resolution shared by both checks: a c-ares `Resolver` pointed at the configured DNS servers (tests run
 * their own), or the system resolver when none are configured. The HTTP fetcher resolves through
 * `guardedLookup`, so the address the socket connects to is the very address the SSRF guard approved — there
 * is no second lookup an attacker could answer differently (DNS rebinding).
 */
import { promises as dns, LookupAddress, LookupOneOptions, LookupAllOptions } from 'node:dns';
import { AddressPolicy, AddressCategory } from '@leakwatch/net-policy';

export interface ResolverSettings {
  /** `ip` or `ip:port` / `[ipv6]:port`; absent → the system resolver (`dns.lookup`, honours /etc/hosts). */
  dnsServers?: readonly string[];
  /** Upper bound for one lookup, all retries included. */
  timeoutMs: number;
}

const TRIES = 2;

/** A fresh resolver per lookup, so a timed-out lookup can be cancelled without touching others. */
export function createResolver(settings: ResolverSettings): dns.Resolver {
  // c-ares doubles the per-try timeout on each retry: T + 2T fits the budget; the caller's timer is the hard cap.
  const resolver = new dns.Resolver({ timeout: Math.max(50, Math.floor(settings.timeoutMs / (2 ** TRIES - 1))), tries: TRIES });
  if (settings.dnsServers?.length) resolver.setServers([...settings.dnsServers]);
  return resolver;
}

/** Thrown inside the resolver/lookup path; the fetcher turns it into a `reason`. */
export class HostResolutionError extends Error {
  constructor(
    readonly hostname: string,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'HostResolutionError';
  }
}

export class AddressRefusedError extends Error {
  constructor(
    readonly hostname: string,
    readonly address: string,
    readonly category: Exclude<AddressCategory, 'public'>,
  ) {
    super(`${hostname} resolves to a ${category} address (${address})`);
    this.name = 'AddressRefusedError';
  }
}

/** Races a resolver call against the budget; on expiry the resolver is cancelled and the result is ETIMEOUT. */
export async function withDnsTimeout<T>(resolver: dns.Resolver, timeoutMs: number, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expiry = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      resolver.cancel();
      reject(Object.assign(new Error(`DNS lookup timed out after ${timeoutMs} ms`), { code: 'ETIMEOUT' }));
    }, timeoutMs);
  });
  try {
    return await Promise.race([work, expiry]);
  } finally {
    clearTimeout(timer);
  }
}

/** A and AAAA addresses of `hostname`, IPv4 first. Rejects with HostResolutionError. */
export async function resolveHostAddresses(hostname: string, settings: ResolverSettings): Promise<LookupAddress[]> {
  try {
    if (!settings.dnsServers?.length) return await dns.lookup(hostname, { all: true, order: 'ipv4first' });
    const resolver = createResolver(settings);
    const [v4, v6] = await withDnsTimeout(
      resolver,
      settings.timeoutMs,
      Promise.allSettled([resolver.resolve4(hostname), resolver.resolve6(hostname)]),
    );
    const addresses: LookupAddress[] = [
      ...(v4.status === 'fulfilled' ? v4.value.map((address) => ({ address, family: 4 })) : []),
      ...(v6.status === 'fulfilled' ? v6.value.map((address) => ({ address, family: 6 })) : []),
    ];
    if (addresses.length > 0) return addresses;
    // Both failed: report the more telling error (a timeout or refusal over "no such record").
    const errors = [v4, v6].map((r) => (r.status === 'rejected' ? (r.reason as NodeJS.ErrnoException) : undefined));
    throw errors.find((e) => e && e.code !== 'ENODATA' && e.code !== 'ENOTFOUND') ?? errors[0] ?? dnsError('ENODATA');
  } catch (error) {
    throw toResolutionError(hostname, error as NodeJS.ErrnoException, settings.timeoutMs);
  }
}

function dnsError(code: string): NodeJS.ErrnoException {
  return Object.assign(new Error(code), { code });
}

function toResolutionError(hostname: string, error: NodeJS.ErrnoException, timeoutMs: number): HostResolutionError {
  const code = error.code ?? 'EUNKNOWN';
  switch (code) {
    case 'ENOTFOUND':
    case 'ENODATA':
    case 'EAI_NONAME':
      return new HostResolutionError(hostname, code, `${hostname} does not resolve (no A or AAAA record)`);
    case 'ETIMEOUT':
    case 'ECANCELLED':
      return new HostResolutionError(hostname, code, `DNS lookup of ${hostname} timed out after ${timeoutMs} ms`);
    case 'ECONNREFUSED':
      return new HostResolutionError(hostname, code, `could not resolve ${hostname}: the DNS server refused the connection`);
    default:
      return new HostResolutionError(hostname, code, `could not resolve ${hostname} (${code})`);
  }
}

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;
export type GuardedLookup = (hostname: string, options: LookupOneOptions | LookupAllOptions, callback: LookupCallback) => void;

/**
 * A `lookup` for `http(s).request`: resolves with `settings` and refuses the host if ANY of its addresses is
 * refused by `policy` — a name mixing a public and a private address is an attack shape, not a hosting setup.
 */
export function guardedLookup(settings: ResolverSettings, policy: AddressPolicy): GuardedLookup {
  return (hostname, options, callback) => {
    resolveHostAddresses(hostname, settings)
      .then((resolved) => {
        const family = options.family === 4 || options.family === 6 ? options.family : undefined;
        const addresses = family ? resolved.filter((a) => a.family === family) : resolved;
        if (addresses.length === 0) throw new HostResolutionError(hostname, 'ENODATA', `${hostname} has no IPv${family} address`);
        for (const { address } of addresses) {
          const verdict = policy.check(address);
          if (!verdict.allowed) throw new AddressRefusedError(hostname, address, verdict.category);
        }
        if (options.all) callback(null, addresses);
        else callback(null, addresses[0].address, addresses[0].family);
      })
      .catch((error: NodeJS.ErrnoException) => callback(error, []));
  };
}
