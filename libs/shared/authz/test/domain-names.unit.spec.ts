import { emailDomain, hostOfUrl, isSameOrSubdomain, normalizeDomain } from '../src';

describe('domain helpers', () => {
  it.each<[string | undefined, string | undefined]>([
    ['acme.com', 'acme.com'],
    [' ACME.com. ', 'acme.com'],
    ['', undefined],
    ['.', undefined],
    ['.acme.com', undefined],
    ['a..acme.com', undefined],
    ['acme.com..', undefined],
    ['ac me.com', undefined],
    [undefined, undefined],
  ])('normalizeDomain(%p) = %p', (input, expected) => expect(normalizeDomain(input)).toBe(expected));

  it.each<[string | undefined, string | undefined]>([
    ['bob@acme.com', 'acme.com'],
    ['  Bob@EU.Acme.COM ', 'eu.acme.com'],
    ['bob@acme.com.', 'acme.com'],
    ['"a@b"@acme.com', 'acme.com'],
    ['bob@acme.com@evil.net', 'evil.net'],
    ['bob', undefined],
    ['@acme.com', undefined],
    ['bob@', undefined],
    ['bob@.acme.com', undefined],
    ['', undefined],
    [undefined, undefined],
  ])('emailDomain(%p) = %p', (input, expected) => expect(emailDomain(input)).toBe(expected));

  it.each<[string, string, boolean]>([
    ['acme.com', 'acme.com', true],
    ['eu.acme.com', 'acme.com', true],
    ['a.b.acme.com', 'acme.com', true],
    ['EU.Acme.Com.', 'acme.com.', true],
    ['notacme.com', 'acme.com', false],
    ['evil-acme.com', 'acme.com', false],
    ['acme.com.evil.net', 'acme.com', false],
    ['acme.com', 'eu.acme.com', false],
    ['x..acme.com', 'acme.com', false],
    ['.acme.com', 'acme.com', false],
    ['acme.com', '', false],
    ['', '', false],
    ['acme.com', '.', false],
  ])('isSameOrSubdomain(%p, %p) = %p', (host, domain, expected) => expect(isSameOrSubdomain(host, domain)).toBe(expected));

  it.each<[string | undefined, string | undefined]>([
    ['https://Shop.Acme.com/login?next=/', 'shop.acme.com'],
    ['http://acme.com.:8080/x', 'acme.com'],
    ['https://user:pw@acme.com/', 'acme.com'],
    ['https://acme.com@evil.net/', 'evil.net'],
    ['acme.com/login', 'acme.com'],
    ['acme.com:8443/login', 'acme.com'],
    ['//acme.com/x', 'acme.com'],
    ['android://hash@com.acme.app/', 'com.acme.app'],
    ['https://[::1]:8080/', '[::1]'],
    ['  https://acme.com  ', 'acme.com'],
    ['not a url', undefined],
    ['http://', undefined],
    ['https://a..b/', undefined],
    ['file:///etc/passwd', undefined],
    ['', undefined],
    [undefined, undefined],
  ])('hostOfUrl(%p) = %p', (url, expected) => expect(hostOfUrl(url)).toBe(expected));
});
