/**
 * Fetches one small text file from a host we do not trust, for the HTTP half of domain verification.
 * Bounded in every dimension — one total deadline (DNS + connect + response, across redirects), 64 KiB of
 * body, 3 redirects — and guarded against SSRF: every hop's host is resolved by `guardedLookup` and refused
 * when it lands on a non-public address, IP literals are refused before any socket exists, and only `https:`
 * is spoken unless a test allows `http:`. Outcomes are values; this class throws only for a malformed URL.
 */
import * as http from 'node:http';
import * as https from 'node:https';
import { isIP } from 'node:net';
import { AddressPolicy, describeCategory } from '@leakwatch/net-policy';
import { AddressRefusedError, guardedLookup, GuardedLookup, HostResolutionError, ResolverSettings } from './host-resolution';

export const DEFAULT_HTTP_TIMEOUT_MS = 5_000;
export const MAX_BODY_BYTES = 64 * 1024;
export const MAX_REDIRECTS = 3;

export interface HttpsFileFetcherOptions {
  /** How hosts are resolved (the same DNS servers as the TXT check). */
  resolver: ResolverSettings;
  policy: AddressPolicy;
  /** Total budget for one fetch, redirects included. */
  timeoutMs?: number;
  maxBodyBytes?: number;
  maxRedirects?: number;
  /** Tests only: also speak plain `http:` (production verification is HTTPS, certificate checked). */
  allowInsecureHttp?: boolean;
}

export type FetchResult = { ok: true; url: string; body: string } | { ok: false; url: string; reason: string };

type HopOutcome = { kind: 'redirect'; location: string } | { kind: 'done'; result: FetchResult };

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
const USER_AGENT = 'Leakwatch-Verifier/1.0 (domain ownership check)';

export class HttpsFileFetcher {
  private readonly timeoutMs: number;
  private readonly maxBodyBytes: number;
  private readonly maxRedirects: number;
  private readonly lookup: GuardedLookup;

  constructor(private readonly options: HttpsFileFetcherOptions) {
    this.timeoutMs = options.timeoutMs ?? DEFAULT_HTTP_TIMEOUT_MS;
    this.maxBodyBytes = options.maxBodyBytes ?? MAX_BODY_BYTES;
    this.maxRedirects = options.maxRedirects ?? MAX_REDIRECTS;
    this.lookup = guardedLookup(options.resolver, options.policy);
  }

  /** GETs `url`; `ok` only for a 200 whose body fits. Redirect targets pass the same checks as the first URL. */
  async fetch(url: string): Promise<FetchResult> {
    let current = new URL(url);
    const deadline = Date.now() + this.timeoutMs;
    for (let hop = 0; ; hop++) {
      const refusal = this.refuseTarget(current, hop);
      if (refusal) return { ok: false, url: current.href, reason: refusal };
      const outcome = await this.requestOnce(current, hop, deadline);
      if (outcome.kind === 'done') return outcome.result;
      if (hop >= this.maxRedirects) {
        return { ok: false, url: current.href, reason: `too many redirects (more than ${this.maxRedirects}) from ${url}` };
      }
      try {
        current = new URL(outcome.location, current);
      } catch {
        return { ok: false, url: current.href, reason: `${current.href} redirected to an invalid URL (${outcome.location})` };
      }
    }
  }

  /** Checks that need no network: scheme, credentials, and IP literals (a literal never goes through `lookup`). */
  private refuseTarget(url: URL, hop: number): string | undefined {
    const allowed = url.protocol === 'https:' || (url.protocol === 'http:' && this.options.allowInsecureHttp);
    if (!allowed) return hop === 0 ? `refused: only https URLs are fetched (${url.href})` : `redirect to a non-HTTPS URL refused (${url.href})`;
    if (url.username || url.password) return hop === 0 ? 'refused: URL carries credentials' : 'redirect to a URL with credentials refused';
    const host = hostnameOf(url);
    if (isIP(host)) {
      const verdict = this.options.policy.check(host);
      if (!verdict.allowed) {
        const kind = describeCategory(verdict.category);
        return hop === 0 ? `refused: ${host} is ${kind}` : `redirect to ${kind} refused (${host})`;
      }
    }
    return undefined;
  }

  private requestOnce(url: URL, hop: number, deadline: number): Promise<HopOutcome> {
    return new Promise((resolve) => {
      let settled = false;
      let connected = false;
      const fail = (reason: string) => finish({ kind: 'done', result: { ok: false, url: url.href, reason } });
      const finish = (outcome: HopOutcome) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        req.destroy();
        resolve(outcome);
      };

      // Fires asynchronously, after `req` exists, even when the budget is already spent.
      const timer = setTimeout(() => {
        fail(
          connected
            ? `${url.href} timed out after ${this.timeoutMs} ms without a complete response`
            : `connection to ${hostnameOf(url)} timed out after ${this.timeoutMs} ms`,
        );
      }, Math.max(0, deadline - Date.now()));
      const transport = url.protocol === 'https:' ? https : http;
      const req = transport.request(
        {
          protocol: url.protocol,
          hostname: hostnameOf(url),
          port: url.port || undefined,
          path: `${url.pathname}${url.search}`,
          method: 'GET',
          headers: { 'user-agent': USER_AGENT, accept: 'text/plain, */*;q=0.5', 'accept-encoding': 'identity' },
          // A fresh socket per hop: a pooled one would skip `lookup`, and with it the address check.
          agent: false,
          lookup: this.lookup,
        },
        (res) => {
          const status = res.statusCode ?? 0;
          if (REDIRECT_STATUSES.has(status)) {
            const location = res.headers.location;
            if (!location) return fail(`${url.href} answered ${status} without a Location header`);
            return finish({ kind: 'redirect', location });
          }
          if (status !== 200) return fail(`${url.href} answered ${status}`);
          if (Number(res.headers['content-length'] ?? 0) > this.maxBodyBytes) return fail(this.tooLarge());
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (chunk: Buffer) => {
            size += chunk.length;
            if (size > this.maxBodyBytes) return fail(this.tooLarge());
            chunks.push(chunk);
          });
          res.on('end', () => finish({ kind: 'done', result: { ok: true, url: url.href, body: Buffer.concat(chunks).toString('utf8') } }));
          res.on('error', () => fail(`${url.href}: connection closed before the response was complete`));
          res.on('close', () => {
            if (!res.complete) fail(`${url.href}: connection closed before the response was complete`);
          });
        },
      );
      req.on('socket', (socket) => socket.once('connect', () => (connected = true)));
      req.on('error', (error) => fail(this.describeError(error, url, hop)));
      req.end();
    });
  }

  private tooLarge(): string {
    return `response larger than ${formatBytes(this.maxBodyBytes)}`;
  }

  private describeError(error: NodeJS.ErrnoException, url: URL, hop: number): string {
    if (error instanceof AddressRefusedError) {
      const kind = describeCategory(error.category);
      return hop === 0
        ? `refused: ${error.hostname} resolves to ${kind} (${error.address})`
        : `redirect to ${kind} refused: ${error.hostname} resolves to ${error.address}`;
    }
    if (error instanceof HostResolutionError) return error.message;
    const host = hostnameOf(url);
    const code = error.code ?? '';
    if (code === 'ECONNREFUSED') return `connection to ${host}:${portOf(url)} refused`;
    if (code === 'ECONNRESET') return `connection to ${host} reset before the response was complete`;
    if (code === 'ETIMEDOUT') return `connection to ${host} timed out`;
    if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH') return `${host} is unreachable (${code})`;
    if (/CERT|SELF_SIGNED|ERR_TLS|ERR_SSL/.test(code)) return `TLS certificate of ${host} rejected (${code})`;
    if (code.startsWith('HPE_')) return `${url.href} did not answer with valid HTTP (${code})`;
    return `request to ${url.href} failed (${code || error.message})`;
  }
}

/** URL keeps IPv6 literals bracketed; sockets and the address checks want them bare. */
function hostnameOf(url: URL): string {
  return url.hostname.replace(/^\[(.*)\]$/, '$1');
}

function portOf(url: URL): string {
  return url.port || (url.protocol === 'https:' ? '443' : '80');
}

function formatBytes(bytes: number): string {
  return bytes % 1024 === 0 ? `${bytes / 1024} KiB` : `${bytes} bytes`;
}
