/**
 * The HTTP check against real servers on loopback: names resolve through a real DNS server (dns2) to
 * 127.0.0.1, where a real node:http server plays every site. The address guard stays ON in these tests,
 * with exactly 127.0.0.1 excepted — so every private or other-loopback target below is refused for real,
 * before any socket exists. No test sends a packet to a non-loopback address.
 */
import { Socket } from 'node:net';
import { AddressPolicy } from '@leakwatch/net-policy';
import { createOwnershipChecker, HttpsFileFetcher, OwnershipChecker } from '../src';
import { DnsTestServer, startDnsTestServer } from './support/dns-test-server';
import { closedTcpPort, HttpTestServer, Site, startHttpTestServer } from './support/http-test-server';

const FILE = '/.well-known/leakwatch-verification.txt';

const text =
  (body: string): Site =>
  (_req, res) =>
    res.writeHead(200, { 'content-type': 'text/plain' }).end(body);
const redirect =
  (location: (port: number) => string, status = 302): Site =>
  (_req, res, port) =>
    res.writeHead(status, { location: location(port) }).end();

const sites: Record<string, Site> = {
  'good.test': text('# Leakwatch\nleakwatch-verification=tok-good\n'),
  'bare.test': text('  tok-bare  \r\n'),
  'wrong.test': text('leakwatch-verification=someone-else\n'),
  'missing.test': (_req, res) => res.writeHead(404).end('not found'),
  'moved.test': (req, res) => {
    if (req.url === FILE) return void res.writeHead(301, { location: '/files/verification.txt' }).end();
    if (req.url === '/files/verification.txt') return void res.writeHead(200).end('leakwatch-verification=tok-moved');
    res.writeHead(404).end();
  },
  'chain.test': (req, res) => {
    const next: Record<string, string> = { [FILE]: '/1', '/1': '/2', '/2': '/3' };
    if (req.url && next[req.url]) return void res.writeHead(307, { location: next[req.url] }).end();
    res.writeHead(200).end('leakwatch-verification=tok-chain');
  },
  'loop.test': redirect(() => FILE),
  'huge.test': (_req, res) => res.writeHead(200, { 'content-length': 100 * 1024 }).end('x'.repeat(100 * 1024)),
  'stream.test': (_req, res) => {
    res.writeHead(200); // chunked, no content-length: the limit must hold while streaming
    for (let i = 0; i < 8; i++) res.write(`${'y'.repeat(16 * 1024 - 1)}\n`);
    res.end('leakwatch-verification=tok-stream\n');
  },
  'slow.test': () => undefined, // accepts the request, never answers
  'to-private.test': redirect(() => `http://10.0.0.1${FILE}`),
  'to-internal.test': redirect((port) => `http://internal.test:${port}${FILE}`),
  'to-loopback.test': redirect((port) => `http://127.0.0.2:${port}${FILE}`),
  'to-metadata.test': redirect(() => 'http://[::ffff:169.254.169.254]/latest/meta-data/'),
  'to-ftp.test': redirect(() => 'ftp://good.test/file.txt'),
};

describe('HTTP well-known file verification (real DNS + HTTP servers on loopback)', () => {
  let dns: DnsTestServer;
  let web: HttpTestServer;
  let checker: OwnershipChecker;

  const loopbackHosts = Object.keys(sites);

  beforeAll(async () => {
    web = await startHttpTestServer(sites);
    dns = await startDnsTestServer({
      a: {
        ...Object.fromEntries(loopbackHosts.map((host) => [host, ['127.0.0.1']])),
        'internal.test': ['10.0.0.5'],
        'mixed.test': ['127.0.0.1', '10.0.0.7'],
      },
      aaaa: { 'v6.test': ['::1'], 'mapped.test': ['::ffff:7f00:1'] }, // dns2 encodes hex groups only
      silent: ['hang.test'],
    });
    checker = createOwnershipChecker({
      dnsServers: [dns.address],
      dnsTimeoutMs: 2_000,
      httpTimeoutMs: 1_000,
      allowInsecureHttp: true,
      httpPort: web.port,
      allowedAddresses: ['127.0.0.1'],
    });
  });

  afterAll(async () => {
    await web.close();
    await dns.close();
  });

  const url = (host: string) => `http://${host}:${web.port}${FILE}`;

  describe('proofs', () => {
    it('verifies a file containing the token line', async () => {
      await expect(checker.checkHttp('good.test', 'tok-good')).resolves.toEqual({ verified: true, method: 'http' });
    });

    it('tolerates a file holding only the bare token', async () => {
      await expect(checker.checkHttp('bare.test', 'tok-bare')).resolves.toEqual({ verified: true, method: 'http' });
    });

    it('refuses a file with another token', async () => {
      await expect(checker.checkHttp('wrong.test', 'tok-wrong')).resolves.toEqual({
        verified: false,
        method: 'http',
        reason: `${url('wrong.test')} does not contain the line leakwatch-verification=tok-wrong`,
      });
    });

    it('reports the status of a missing file', async () => {
      await expect(checker.checkHttp('missing.test', 'tok-x')).resolves.toEqual({
        verified: false,
        method: 'http',
        reason: `${url('missing.test')} answered 404`,
      });
    });
  });

  describe('redirects', () => {
    it('follows a redirect to another path', async () => {
      await expect(checker.checkHttp('moved.test', 'tok-moved')).resolves.toEqual({ verified: true, method: 'http' });
    });

    it('follows up to 3 redirects', async () => {
      await expect(checker.checkHttp('chain.test', 'tok-chain')).resolves.toEqual({ verified: true, method: 'http' });
    });

    it('stops after 3 redirects', async () => {
      const result = await checker.checkHttp('loop.test', 'tok-x');
      expect(result).toEqual({ verified: false, method: 'http', reason: `too many redirects (more than 3) from ${url('loop.test')}` });
      expect(web.hits.filter((host) => host === 'loop.test')).toHaveLength(4);
    });

    it('refuses a redirect to a non-HTTP scheme', async () => {
      await expect(checker.checkHttp('to-ftp.test', 'tok-x')).resolves.toMatchObject({
        verified: false,
        reason: 'redirect to a non-HTTPS URL refused (ftp://good.test/file.txt)',
      });
    });
  });

  describe('limits', () => {
    it('refuses a body announced larger than 64 KiB', async () => {
      await expect(checker.checkHttp('huge.test', 'tok-x')).resolves.toEqual({ verified: false, method: 'http', reason: 'response larger than 64 KiB' });
    });

    it('stops reading a streamed body past 64 KiB, even if the token comes later', async () => {
      await expect(checker.checkHttp('stream.test', 'tok-stream')).resolves.toEqual({ verified: false, method: 'http', reason: 'response larger than 64 KiB' });
    });

    it('times out a server that never answers', async () => {
      const started = Date.now();
      await expect(checker.checkHttp('slow.test', 'tok-x')).resolves.toEqual({
        verified: false,
        method: 'http',
        reason: `${url('slow.test')} timed out after 1000 ms without a complete response`,
      });
      expect(Date.now() - started).toBeLessThan(2_000);
    });

    it('counts DNS resolution against the same budget (connection timed out)', async () => {
      await expect(checker.checkHttp('hang.test', 'tok-x')).resolves.toEqual({
        verified: false,
        method: 'http',
        reason: 'connection to hang.test timed out after 1000 ms',
      });
    });

    it('reports a host that does not resolve and a refused connection', async () => {
      await expect(checker.checkHttp('nowhere.test', 'tok-x')).resolves.toMatchObject({ reason: 'nowhere.test does not resolve (no A or AAAA record)' });
      const port = await closedTcpPort();
      const elsewhere = createOwnershipChecker({ dnsServers: [dns.address], allowInsecureHttp: true, httpPort: port, allowedAddresses: ['127.0.0.1'] });
      await expect(elsewhere.checkHttp('good.test', 'tok-good')).resolves.toMatchObject({ reason: `connection to good.test:${port} refused` });
    });
  });

  describe('SSRF guard', () => {
    it('refuses a host resolving to loopback when private addresses are not allowed', async () => {
      const strict = createOwnershipChecker({ dnsServers: [dns.address], allowInsecureHttp: true, httpPort: web.port });
      const hitsBefore = web.hits.length;
      await expect(strict.checkHttp('good.test', 'tok-good')).resolves.toEqual({
        verified: false,
        method: 'http',
        reason: 'refused: good.test resolves to a loopback address (127.0.0.1)',
      });
      expect(web.hits.length).toBe(hitsBefore);
    });

    it('refuses a host whose AAAA is loopback in IPv4-mapped form', async () => {
      const strict = createOwnershipChecker({ dnsServers: [dns.address], allowInsecureHttp: true, httpPort: web.port });
      await expect(strict.checkHttp('mapped.test', 'tok-x')).resolves.toEqual({
        verified: false,
        method: 'http',
        reason: 'refused: mapped.test resolves to a loopback address (::ffff:127.0.0.1)',
      });
      expect(web.hits).not.toContain('mapped.test');
    });

    it('connects to loopback once private addresses are allowed (the test switch)', async () => {
      const lax = createOwnershipChecker({ dnsServers: [dns.address], allowInsecureHttp: true, httpPort: web.port, allowPrivateAddresses: true });
      await expect(lax.checkHttp('good.test', 'tok-good')).resolves.toEqual({ verified: true, method: 'http' });
    });

    it.each([
      ['internal.test', 'refused: internal.test resolves to a private address (10.0.0.5)'],
      ['mixed.test', 'refused: mixed.test resolves to a private address (10.0.0.7)'],
      ['v6.test', 'refused: v6.test resolves to a loopback address (::1)'],
    ])('refuses %s, whose DNS answer is not public, before connecting', async (host, reason) => {
      await expect(checker.checkHttp(host, 'tok-x')).resolves.toEqual({ verified: false, method: 'http', reason });
    });

    describe('IP literals, checked before any socket exists', () => {
      let connect: jest.SpyInstance;
      // Belt and braces: if the guard ever let one through, this throws instead of sending a packet.
      beforeEach(() => {
        connect = jest.spyOn(Socket.prototype, 'connect').mockImplementation(() => {
          throw new Error('a socket was opened');
        });
      });
      afterEach(() => connect.mockRestore());

      const fetcher = () =>
        new HttpsFileFetcher({ resolver: { dnsServers: [dns.address], timeoutMs: 500 }, policy: new AddressPolicy(), allowInsecureHttp: true });

      it.each([
        ['http://10.0.0.1/.well-known/leakwatch-verification.txt', 'refused: 10.0.0.1 is a private address'],
        ['http://127.0.0.1/', 'refused: 127.0.0.1 is a loopback address'],
        ['http://2130706433/', 'refused: 127.0.0.1 is a loopback address'], // decimal form, normalised by URL
        ['http://0x0a.0.0.1/', 'refused: 10.0.0.1 is a private address'],
        ['http://[::1]/', 'refused: ::1 is a loopback address'],
        ['http://[::ffff:192.168.0.1]/', 'refused: ::ffff:c0a8:1 is a private address'],
        ['http://[fd00::1]:8080/', 'refused: fd00::1 is a unique-local address'],
        ['http://169.254.169.254/latest/meta-data/', 'refused: 169.254.169.254 is a link-local address'],
        ['http://100.64.0.1/', 'refused: 100.64.0.1 is a carrier-grade NAT (100.64.0.0/10) address'],
        ['http://0.0.0.0/', 'refused: 0.0.0.0 is an unspecified address'],
      ])('never contacts %s', async (target, reason) => {
        await expect(fetcher().fetch(target)).resolves.toEqual({ ok: false, url: expect.any(String), reason });
        expect(connect).not.toHaveBeenCalled();
      });

      it('refuses plain http in production mode', async () => {
        const production = new HttpsFileFetcher({ resolver: { timeoutMs: 500 }, policy: new AddressPolicy() });
        await expect(production.fetch('http://acme.test/x')).resolves.toMatchObject({ ok: false, reason: 'refused: only https URLs are fetched (http://acme.test/x)' });
        expect(connect).not.toHaveBeenCalled();
      });

      it('the domain itself may not be an IP literal either', async () => {
        await expect(checker.checkHttp('10.0.0.1', 'tok-x')).resolves.toEqual({ verified: false, method: 'http', reason: 'refused: 10.0.0.1 is a private address' });
        expect(connect).not.toHaveBeenCalled();
      });
    });

    it.each([
      ['to-private.test', 'redirect to a private address refused (10.0.0.1)'],
      ['to-loopback.test', 'redirect to a loopback address refused (127.0.0.2)'],
      ['to-metadata.test', 'redirect to a link-local address refused (::ffff:a9fe:a9fe)'],
      ['to-internal.test', 'redirect to a private address refused: internal.test resolves to 10.0.0.5'],
    ])('re-checks every redirect target: %s', async (host, reason) => {
      await expect(checker.checkHttp(host, 'tok-x')).resolves.toEqual({ verified: false, method: 'http', reason });
    });
  });
});
