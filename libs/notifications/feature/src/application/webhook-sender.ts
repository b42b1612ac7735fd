/**
 * POSTs one notification to a subscriber's URL, guarded against SSRF with the same address policy as domain
 * verification (`AddressPolicy`): only public addresses unless configured otherwise; IP literals checked
 * before any socket exists; host names resolved once, every address checked, and the socket connects to the
 * very address that was checked (a custom `lookup`, so DNS rebinding gets no second chance). HTTPS only
 * unless allowed for tests; redirects are not followed (a redirect could lead anywhere); one deadline; the
 * answer's body is read at most 64 KiB and dropped. Outcomes are values.
 */
import { promises as dns, LookupAddress } from 'node:dns';
import * as http from 'node:http';
import * as https from 'node:https';
import { isIP } from 'node:net';
import { AddressPolicy, describeCategory } from '@leakwatch/net-policy';
import { isRetryable } from '../domain/backoff';

export type SendOutcome = { ok: true; status: number } | { ok: false; status?: number; error: string; retryable: boolean };

export interface WebhookSenderOptions {
  policy: AddressPolicy;
  allowInsecureHttp: boolean;
  timeoutMs?: number;
  /** Name resolution, injectable for tests; the system resolver by default. */
  resolve?: (hostname: string) => Promise<LookupAddress[]>;
}

const MAX_ANSWER_BYTES = 64 * 1024;
const USER_AGENT = 'Leakwatch-Webhooks/1.0';

class Refused extends Error {}

export class WebhookSender {
  private readonly resolve: (hostname: string) => Promise<LookupAddress[]>;

  constructor(private readonly options: WebhookSenderOptions) {
    this.resolve = options.resolve ?? ((hostname) => dns.lookup(hostname, { all: true, order: 'ipv4first' }));
  }

  /** Why this URL may not receive notifications (scheme, credentials, address), or undefined. Resolves the host. */
  async refusal(url: string): Promise<string | undefined> {
    let target: URL;
    try {
      target = new URL(url);
    } catch {
      return 'is not a URL';
    }
    const scheme = this.schemeRefusal(target);
    if (scheme) return scheme;
    try {
      await this.checkedAddresses(target.hostname);
      return undefined;
    } catch (error) {
      return (error as Error).message;
    }
  }

  async send(url: string, headers: Record<string, string>, body: string): Promise<SendOutcome> {
    const target = new URL(url);
    const scheme = this.schemeRefusal(target);
    if (scheme) return { ok: false, error: `url ${scheme}`, retryable: false };
    let addresses: LookupAddress[];
    try {
      addresses = await this.checkedAddresses(target.hostname);
    } catch (error) {
      // A refused address is not retried (the policy will not change); a host that does not resolve may come back.
      return { ok: false, error: (error as Error).message, retryable: !(error instanceof Refused) };
    }
    const chosen = addresses[0];
    const client = target.protocol === 'https:' ? https : http;
    return new Promise<SendOutcome>((resolve) => {
      const request = client.request(
        target,
        {
          method: 'POST',
          headers: { ...headers, 'content-length': Buffer.byteLength(body), 'user-agent': USER_AGENT },
          // Connect to the address that was checked, whatever a second lookup would say.
          lookup: (_hostname, options, callback) =>
            (options as { all?: boolean }).all
              ? (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, [chosen])
              : (callback as (e: null, a: string, f: number) => void)(null, chosen.address, chosen.family),
        },
        (response) => {
          let read = 0;
          response.on('data', (chunk: Buffer) => {
            read += chunk.length;
            if (read > MAX_ANSWER_BYTES) response.destroy();
          });
          const status = response.statusCode ?? 0;
          const finish = () => {
            clearTimeout(timer);
            if (status >= 200 && status < 300) resolve({ ok: true, status });
            else if (status >= 300 && status < 400) resolve({ ok: false, status, error: `answered ${status}: redirects are not followed`, retryable: false });
            else resolve({ ok: false, status, error: `answered ${status}`, retryable: isRetryable(status) });
          };
          response.on('end', finish);
          response.on('close', finish);
          response.on('error', finish);
        },
      );
      const timer = setTimeout(() => request.destroy(new Error(`no answer within ${this.options.timeoutMs ?? 5000} ms`)), this.options.timeoutMs ?? 5000);
      request.on('error', (error) => {
        clearTimeout(timer);
        resolve({ ok: false, error: error.message, retryable: true });
      });
      request.end(body);
    });
  }

  private schemeRefusal(target: URL): string | undefined {
    if (target.protocol !== 'https:' && !(target.protocol === 'http:' && this.options.allowInsecureHttp)) return 'must use https';
    if (target.username || target.password) return 'must not carry credentials';
    return undefined;
  }

  /** Every address of the host, each allowed by the policy; throws `Refused` naming the first refused one. */
  private async checkedAddresses(hostname: string): Promise<LookupAddress[]> {
    const host = hostname.replace(/^\[|\]$/g, '');
    const addresses = isIP(host) ? [{ address: host, family: isIP(host) }] : await this.resolve(host).catch((error: NodeJS.ErrnoException) => {
      throw new Error(`${host} does not resolve (${error.code ?? error.message})`);
    });
    if (addresses.length === 0) throw new Error(`${host} does not resolve`);
    for (const { address } of addresses) {
      const verdict = this.options.policy.check(address);
      if (!verdict.allowed) throw new Refused(`${host} is ${describeCategory(verdict.category)} (${address}): refused`);
    }
    return addresses;
  }
}
