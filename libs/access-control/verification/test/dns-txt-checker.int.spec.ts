/**
 * The DNS check against a real DNS server (dns2, UDP on loopback): the resolver really queries it, records
 * really arrive split or several to a name, and the silent name really times out.
 */
import { createOwnershipChecker, OwnershipChecker } from '../src';
import { closedUdpPort, DnsTestServer, startDnsTestServer } from './support/dns-test-server';

describe('DNS TXT verification (real DNS server on loopback)', () => {
  let dns: DnsTestServer;
  let checker: OwnershipChecker;

  beforeAll(async () => {
    dns = await startDnsTestServer({
      txt: {
        '_leakwatch-challenge.acme.test': [['v=spf1 -all'], ['leakwatch-verification=someone-else'], ['leakwatch-verification=tok-acme-1']],
        '_leakwatch-challenge.split.test': [['unrelated'], ['leakwatch-verification=', 'tok-split-', '2']],
        '_leakwatch-challenge.wrong.test': [['leakwatch-verification=not-yours'], ['google-site-verification=abc']],
      },
      a: { '_leakwatch-challenge.empty.test': ['192.0.2.1'] }, // the name exists, but has no TXT record
      silent: ['_leakwatch-challenge.slow.test'],
    });
    checker = createOwnershipChecker({ dnsServers: [dns.address], dnsTimeoutMs: 400 });
  });

  afterAll(() => dns.close());

  it('verifies when one of several TXT records matches', async () => {
    await expect(checker.checkDns('acme.test', 'tok-acme-1')).resolves.toEqual({ verified: true, method: 'dns' });
    expect(dns.queries).toContainEqual({ name: '_leakwatch-challenge.acme.test', type: 16 });
  });

  it('joins a TXT record split into several strings', async () => {
    await expect(checker.checkDns('split.test', 'tok-split-2')).resolves.toEqual({ verified: true, method: 'dns' });
  });

  it('refuses when TXT records exist but none matches', async () => {
    await expect(checker.checkDns('wrong.test', 'tok-wrong-3')).resolves.toEqual({
      verified: false,
      method: 'dns',
      reason: '2 TXT records found at _leakwatch-challenge.wrong.test but none matches leakwatch-verification=tok-wrong-3',
    });
  });

  it('refuses with "no TXT record" when the name does not exist (NXDOMAIN)', async () => {
    await expect(checker.checkDns('nothing.test', 'tok-4')).resolves.toEqual({
      verified: false,
      method: 'dns',
      reason: 'no TXT record at _leakwatch-challenge.nothing.test',
    });
  });

  it('refuses with "no TXT record" when the name exists without TXT (NODATA)', async () => {
    await expect(checker.checkDns('empty.test', 'tok-5')).resolves.toMatchObject({
      verified: false,
      reason: 'no TXT record at _leakwatch-challenge.empty.test',
    });
  });

  it('gives up after the configured timeout when the server never answers', async () => {
    const started = Date.now();
    const result = await checker.checkDns('slow.test', 'tok-6');
    expect(result).toEqual({
      verified: false,
      method: 'dns',
      reason: 'DNS lookup of _leakwatch-challenge.slow.test timed out after 400 ms',
    });
    expect(Date.now() - started).toBeLessThan(1_500);
  });

  it('says so when no DNS server listens', async () => {
    const unreachable = createOwnershipChecker({ dnsServers: [`127.0.0.1:${await closedUdpPort()}`], dnsTimeoutMs: 400 });
    const result = await unreachable.checkDns('acme.test', 'tok-acme-1');
    expect(result.verified).toBe(false);
    expect(result).toHaveProperty('reason', expect.stringMatching(/^DNS lookup of _leakwatch-challenge\.acme\.test (failed: the DNS server refused the connection|timed out after 400 ms)$/));
  });

  it('throws only on programmer errors', async () => {
    await expect(checker.checkDns('https://acme.test/', 'tok-acme-1')).rejects.toThrow(TypeError);
    await expect(checker.checkDns('acme.test', '')).rejects.toThrow(TypeError);
    expect(() => createOwnershipChecker({ dnsServers: ['not a server'] })).toThrow();
    expect(() => createOwnershipChecker({ dnsTimeoutMs: 0 })).toThrow(RangeError);
  });
});
