/**
 * Domain-name helpers for the visibility rules. Pure string work (the global WHATWG `URL` parser is used,
 * no DNS): matching must be strict because a loose suffix test would hand `notacme.com` to `acme.com`.
 */

/** Lowercase, trimmed, one trailing dot removed; undefined when empty or when a label is empty (`a..b`, `.a`). */
export function normalizeDomain(domain: string | undefined): string | undefined {
  if (typeof domain !== 'string') return undefined;
  let name = domain.trim().toLowerCase();
  if (name.endsWith('.')) name = name.slice(0, -1);
  if (name === '' || /\s/.test(name)) return undefined;
  return name.split('.').every((label) => label !== '') ? name : undefined;
}

/** The normalised domain after the LAST `@` (so `a@acme.com@evil.net` is `evil.net`); undefined if not an email. */
export function emailDomain(email: string | undefined): string | undefined {
  if (typeof email !== 'string') return undefined;
  const trimmed = email.trim();
  const at = trimmed.lastIndexOf('@');
  if (at <= 0) return undefined;
  return normalizeDomain(trimmed.slice(at + 1));
}

/** `host` is `domain` itself or lies under it at a label boundary: `eu.acme.com` yes, `evil-acme.com` no. */
export function isSameOrSubdomain(host: string | undefined, domain: string | undefined): boolean {
  const h = normalizeDomain(host);
  const d = normalizeDomain(domain);
  if (h === undefined || d === undefined) return false;
  return h === d || h.endsWith(`.${d}`);
}

/** Breach and stealer-log URLs often lack a scheme (`acme.com/login`): read those as http. */
const HAS_AUTHORITY = /^[a-z][a-z0-9+.-]*:\/\//i;

/** The normalised host of a site URL, or undefined when it cannot be parsed or has no host (`file:///x`). */
export function hostOfUrl(url: string | undefined): string | undefined {
  if (typeof url !== 'string') return undefined;
  const trimmed = url.trim();
  if (trimmed === '') return undefined;
  const candidate = HAS_AUTHORITY.test(trimmed) ? trimmed : trimmed.startsWith('//') ? `http:${trimmed}` : `http://${trimmed}`;
  let hostname: string;
  try {
    hostname = new URL(candidate).hostname;
  } catch {
    return undefined;
  }
  return normalizeDomain(hostname);
}
