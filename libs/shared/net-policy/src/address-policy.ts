/**
 * The SSRF guard's vocabulary: which IP addresses an outbound fetch (domain verification, webhook delivery)
 * may connect to. Anything that is not routable on the public internet — private, loopback, link-local, unique-local, CGNAT, multicast, unspecified,
 * reserved — is refused, including the same addresses dressed up as IPv6 (IPv4-mapped `::ffff:10.0.0.1`,
 * IPv4-compatible, NAT64 `64:ff9b::/96`, 6to4 `2002::/16`).
 */
import { BlockList, isIP } from 'node:net';

export type AddressCategory =
  | 'public'
  | 'private'
  | 'loopback'
  | 'link-local'
  | 'unique-local'
  | 'cgnat'
  | 'multicast'
  | 'unspecified'
  | 'reserved';

type Family = 'ipv4' | 'ipv6';
type Range = readonly [network: string, prefix: number];

/** Ordered: the first list that contains the address names its category. */
const RANGES: readonly { category: Exclude<AddressCategory, 'public'>; family: Family; ranges: readonly Range[] }[] = [
  { category: 'unspecified', family: 'ipv4', ranges: [['0.0.0.0', 8]] },
  { category: 'loopback', family: 'ipv4', ranges: [['127.0.0.0', 8]] },
  { category: 'private', family: 'ipv4', ranges: [['10.0.0.0', 8], ['172.16.0.0', 12], ['192.168.0.0', 16]] },
  { category: 'cgnat', family: 'ipv4', ranges: [['100.64.0.0', 10]] },
  { category: 'link-local', family: 'ipv4', ranges: [['169.254.0.0', 16]] },
  { category: 'multicast', family: 'ipv4', ranges: [['224.0.0.0', 4]] },
  {
    category: 'reserved',
    family: 'ipv4',
    // IETF assignments, documentation nets, benchmarking, 240/4 (incl. broadcast).
    ranges: [['192.0.0.0', 24], ['192.0.2.0', 24], ['198.18.0.0', 15], ['198.51.100.0', 24], ['203.0.113.0', 24], ['240.0.0.0', 4]],
  },
  { category: 'unspecified', family: 'ipv6', ranges: [['::', 128]] },
  { category: 'loopback', family: 'ipv6', ranges: [['::1', 128]] },
  { category: 'link-local', family: 'ipv6', ranges: [['fe80::', 10]] },
  { category: 'private', family: 'ipv6', ranges: [['fec0::', 10]] }, // deprecated site-local, still routed internally
  { category: 'unique-local', family: 'ipv6', ranges: [['fc00::', 7]] },
  { category: 'multicast', family: 'ipv6', ranges: [['ff00::', 8]] },
  // Discard-only, local-use NAT64, documentation.
  { category: 'reserved', family: 'ipv6', ranges: [['100::', 64], ['64:ff9b:1::', 48], ['2001:db8::', 32]] },
];

const LISTS = RANGES.map(({ category, family, ranges }) => {
  const list = new BlockList();
  for (const [network, prefix] of ranges) list.addSubnet(network, prefix, family);
  return { category, family, list };
});

/** Classifies one IP address (IPv4 or IPv6, zone id tolerated). Throws on a non-IP string: callers pass resolved addresses. */
export function classifyAddress(address: string): AddressCategory {
  const ip = stripZone(address);
  const version = isIP(ip);
  if (version === 0) throw new TypeError(`not an IP address: ${JSON.stringify(address)}`);
  if (version === 6) {
    const embedded = embeddedIpv4(parseIpv6(ip));
    // An IPv6 form that carries an IPv4 address reaches that IPv4 host: judge it by that address.
    if (embedded !== undefined) {
      const inner = classifyAddress(embedded);
      if (inner !== 'public') return inner;
    }
  }
  const family: Family = version === 4 ? 'ipv4' : 'ipv6';
  for (const entry of LISTS) {
    if (entry.family === family && entry.list.check(ip, family)) return entry.category;
  }
  return 'public';
}

/** "a private address", "an unspecified address" — for refusal sentences. */
export function describeCategory(category: AddressCategory): string {
  const noun = category === 'cgnat' ? 'carrier-grade NAT (100.64.0.0/10)' : category;
  return `${/^(?:[aeio]|unspecified)/.test(noun) ? 'an' : 'a'} ${noun} address`;
}

export interface AddressPolicyOptions {
  /** Tests only: allow every non-public address (loopback included). */
  allowPrivateAddresses?: boolean;
  /** Exceptions to the guard, as IPs or CIDRs (`127.0.0.1`, `10.1.0.0/16`) — e.g. an internal mirror, or one loopback test host. */
  allowedAddresses?: readonly string[];
}

export type AddressVerdict = { allowed: true } | { allowed: false; category: Exclude<AddressCategory, 'public'> };

export class AddressPolicy {
  private readonly exceptions = new BlockList();

  constructor(private readonly options: AddressPolicyOptions = {}) {
    for (const entry of options.allowedAddresses ?? []) {
      const [network, prefixText] = entry.split('/');
      const version = isIP(network);
      if (version === 0) throw new TypeError(`allowedAddresses: not an IP or CIDR: ${JSON.stringify(entry)}`);
      const family: Family = version === 4 ? 'ipv4' : 'ipv6';
      if (prefixText === undefined) this.exceptions.addAddress(network, family);
      else {
        const prefix = Number(prefixText);
        if (!Number.isInteger(prefix) || prefix < 0 || prefix > (version === 4 ? 32 : 128)) {
          throw new TypeError(`allowedAddresses: bad prefix length in ${JSON.stringify(entry)}`);
        }
        this.exceptions.addSubnet(network, prefix, family);
      }
    }
  }

  check(address: string): AddressVerdict {
    const category = classifyAddress(address);
    if (category === 'public' || this.options.allowPrivateAddresses) return { allowed: true };
    const ip = stripZone(address);
    if (this.exceptions.check(ip, isIP(ip) === 4 ? 'ipv4' : 'ipv6')) return { allowed: true };
    return { allowed: false, category };
  }
}

function stripZone(address: string): string {
  const percent = address.indexOf('%');
  return percent === -1 ? address : address.slice(0, percent);
}

/** Eight 16-bit groups; `ip` is already known to be valid IPv6 (net.isIP). */
function parseIpv6(ip: string): number[] {
  let text = ip.toLowerCase();
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted) {
    const [a, b, c, d] = dotted[1].split('.').map(Number);
    text = `${text.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.split('::');
  const groups = (part: string | undefined) => (part ? part.split(':').map((g) => parseInt(g, 16)) : []);
  const left = groups(head);
  const right = groups(tail);
  const fill = tail === undefined ? [] : new Array<number>(8 - left.length - right.length).fill(0);
  return [...left, ...fill, ...right];
}

function embeddedIpv4(g: number[]): string | undefined {
  const v4 = (hi: number, lo: number) => `${hi >> 8}.${hi & 0xff}.${lo >> 8}.${lo & 0xff}`;
  const zeros = (from: number, to: number) => g.slice(from, to).every((x) => x === 0);
  if (zeros(0, 5) && g[5] === 0xffff) return v4(g[6], g[7]); // ::ffff:a.b.c.d (IPv4-mapped)
  if (zeros(0, 6) && (g[6] !== 0 || g[7] > 1)) return v4(g[6], g[7]); // ::a.b.c.d (IPv4-compatible, deprecated)
  if (g[0] === 0x64 && g[1] === 0xff9b && zeros(2, 6)) return v4(g[6], g[7]); // 64:ff9b::a.b.c.d (NAT64)
  if (g[0] === 0x2002) return v4(g[1], g[2]); // 2002:AABB:CCDD::/48 (6to4)
  return undefined;
}
