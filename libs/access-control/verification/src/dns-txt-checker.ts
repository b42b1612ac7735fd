/**
 * The DNS half of domain verification: TXT records of `_leakwatch-challenge.<domain>`, asked of the configured
 * servers (or the system's), with a hard time budget. Every failure becomes a sentence, never an exception.
 */
import { promises as dns } from 'node:dns';
import { CheckResult, challengeRecordName, challengeRecordValue } from './ownership-checker.port';
import { createResolver, ResolverSettings, withDnsTimeout } from './host-resolution';
import { txtRecordsProve } from './proof-matching';

export class DnsTxtChecker {
  constructor(private readonly settings: ResolverSettings) {}

  async check(domain: string, token: string): Promise<CheckResult> {
    const name = challengeRecordName(domain);
    const expected = challengeRecordValue(token);
    const resolver = createResolver(this.settings);
    let records: string[][];
    try {
      records = await withDnsTimeout(resolver, this.settings.timeoutMs, resolver.resolveTxt(name));
    } catch (error) {
      return { verified: false, method: 'dns', reason: this.describe(name, error as NodeJS.ErrnoException) };
    }
    if (records.length === 0) return { verified: false, method: 'dns', reason: `no TXT record at ${name}` };
    if (txtRecordsProve(records, token)) return { verified: true, method: 'dns' };
    const count = records.length === 1 ? '1 TXT record found' : `${records.length} TXT records found`;
    return { verified: false, method: 'dns', reason: `${count} at ${name} but none matches ${expected}` };
  }

  private describe(name: string, error: NodeJS.ErrnoException): string {
    switch (error.code) {
      case dns.NOTFOUND:
      case dns.NODATA:
        return `no TXT record at ${name}`;
      case dns.TIMEOUT:
      case dns.CANCELLED:
        return `DNS lookup of ${name} timed out after ${this.settings.timeoutMs} ms`;
      case dns.CONNREFUSED:
        return `DNS lookup of ${name} failed: the DNS server refused the connection`;
      case dns.SERVFAIL:
        return `DNS lookup of ${name} failed: the DNS server answered SERVFAIL`;
      case dns.REFUSED:
        return `DNS lookup of ${name} failed: the DNS server refused the query`;
      default:
        return `DNS lookup of ${name} failed (${error.code ?? error.message})`;
    }
  }
}
