/**
 * The SSRF guard of outbound webhooks, with a real local receiver: the address policy judges every address a
 * name resolves to, the socket connects to the address that was judged (no second lookup for DNS rebinding to
 * answer differently), redirects are not followed, and outcomes say whether a retry can help.
 */
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import type { LookupAddress } from 'node:dns';
import { AddressPolicy } from '@leakwatch/net-policy';
import { WebhookSender } from '../src/application/webhook-sender';

describe('webhook sender', () => {
  let server: Server;
  let port: number;
  const hosts: string[] = [];
  let answer = 200;

  beforeAll(async () => {
    server = createServer((req, res) => {
      hosts.push(req.headers.host ?? '');
      res.statusCode = answer;
      if (answer === 302) res.setHeader('location', 'http://169.254.169.254/');
      res.end('ok');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise((r) => server.close(r)));

  const senderResolving = (table: Record<string, string[]>, allowed = ['127.0.0.1']) => {
    let lookups = 0;
    const sender = new WebhookSender({
      policy: new AddressPolicy({ allowedAddresses: allowed }),
      allowInsecureHttp: true,
      timeoutMs: 2000,
      resolve: async (hostname): Promise<LookupAddress[]> => {
        lookups++;
        const addresses = table[hostname];
        if (!addresses) throw Object.assign(new Error('ENOTFOUND'), { code: 'ENOTFOUND' });
        return addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
      },
    });
    return { sender, lookups: () => lookups };
  };

  it('connects to the very address it checked, once resolved', async () => {
    const { sender, lookups } = senderResolving({ 'hooks.example': ['127.0.0.1'] });
    answer = 204;
    expect(await sender.send(`http://hooks.example:${port}/in`, { 'content-type': 'application/json' }, '{}')).toEqual({ ok: true, status: 204 });
    expect(hosts.at(-1)).toBe(`hooks.example:${port}`);
    expect(lookups()).toBe(1);
  });

  it('refuses a name with any refused address, and does not retry it', async () => {
    const { sender } = senderResolving({ 'mixed.example': ['127.0.0.1', '10.1.2.3'], 'meta.example': ['169.254.169.254'] });
    const before = hosts.length;
    expect(await sender.send(`http://mixed.example:${port}/`, {}, '{}')).toEqual({ ok: false, error: expect.stringMatching(/private address \(10\.1\.2\.3\): refused/), retryable: false });
    expect(await sender.refusal(`http://meta.example:${port}/`)).toMatch(/link-local address/);
    expect(await sender.refusal('http://[fd00::1]/')).toMatch(/unique-local address/);
    expect(hosts.length).toBe(before);
  });

  it('a name that does not resolve is retried; https is required unless allowed', async () => {
    const { sender } = senderResolving({});
    expect(await sender.send('http://gone.example/', {}, '{}')).toMatchObject({ ok: false, retryable: true });
    const strict = new WebhookSender({ policy: new AddressPolicy(), allowInsecureHttp: false });
    expect(await strict.refusal('http://hooks.example/')).toBe('must use https');
    expect(await strict.refusal('https://127.0.0.1/')).toMatch(/loopback address/);
  });

  it('does not follow redirects; tells retryable answers from final ones', async () => {
    const { sender } = senderResolving({});
    answer = 302;
    expect(await sender.send(`http://127.0.0.1:${port}/`, {}, '{}')).toEqual({ ok: false, status: 302, error: 'answered 302: redirects are not followed', retryable: false });
    answer = 503;
    expect(await sender.send(`http://127.0.0.1:${port}/`, {}, '{}')).toEqual({ ok: false, status: 503, error: 'answered 503', retryable: true });
    answer = 404;
    expect(await sender.send(`http://127.0.0.1:${port}/`, {}, '{}')).toEqual({ ok: false, status: 404, error: 'answered 404', retryable: false });
  });
});
