/**
 * The remediation report's pure parts: the figures fold (mean, nearest-rank p90, groups), CSV quoting with
 * CSV-injection guard, HTML escaping, and reading a LeakStatusChanged event into a decision row.
 */
import { cloudEvent } from '@leakwatch/messaging';
import { readLeakDecision } from '../src/reports/leak-decisions.read-model';
import { percentile, RemediationReport, reportWindow, ReportRow, summarize } from '../src/reports/remediation-report';
import { csvCell, csvLine } from '@leakwatch/runtime';
import { remediationCsv, REMEDIATION_CSV_COLUMNS } from '../src/reports/remediation-report.csv';
import { escapeHtml, formatDuration, remediationHtml } from '../src/reports/remediation-report.html';

const window = { from: '2026-11-01T00:00:00.000Z', to: '2026-12-01T00:00:00.000Z' };
const facets = (over: Partial<{ caller_type: string | null; risk: string; sources: string[] }> = {}) => ({ caller_type: 'organization', risk: 'high', sources: ['github'], ...over });

describe('percentile (nearest rank)', () => {
  it('is null for no values and an observed value otherwise', () => {
    expect(percentile([], 90)).toBeNull();
    expect(percentile([7], 90)).toBe(7);
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 90)).toBe(9);
    expect(percentile([10, 1, 2, 3, 4, 5, 6, 7, 8, 9, 100], 90)).toBe(10);
    expect(percentile([3, 1, 2], 90)).toBe(3);
  });
});

describe('summarize', () => {
  it('counts each row in the totals, its type, its risk and every one of its sources', () => {
    const rows: ReportRow[] = [
      { kind: 'opened', ...facets({ sources: ['github', 'pastebin', 'github'] }) },
      { kind: 'fixed', seconds_open: 100, ...facets() },
      { kind: 'fixed', seconds_open: 300, ...facets({ risk: 'low', caller_type: 'employee' }) },
      { kind: 'fixed', seconds_open: null, ...facets() },
      { kind: 'reopened', regression: true, ...facets() },
      { kind: 'reopened', regression: false, ...facets() },
      { kind: 'false_positive', ...facets({ caller_type: null, risk: 'unknown-risk' }) },
      { kind: 'open_too_long', ...facets({ caller_type: 'customer' }) },
    ];
    const report = summarize(rows, window, 30, []);
    expect(report.totals).toEqual({
      opened: 1, reopened: 2, reopened_by_regression: 1, fixed: 3, false_positives: 1, mean_time_to_fix_seconds: 200, p90_time_to_fix_seconds: 300, open_longer_than_n_days: 1,
    });
    expect(report.by_type.employee).toMatchObject({ fixed: 1, mean_time_to_fix_seconds: 300 });
    expect(report.by_type.personal).toMatchObject({ opened: 0, fixed: 0, mean_time_to_fix_seconds: null });
    expect(report.by_type.customer.open_longer_than_n_days).toBe(1);
    // A leak without a type for this caller counts only where it has a facet.
    const typed = Object.values(report.by_type).reduce((n, f) => n + f.false_positives, 0);
    expect(typed).toBe(0);
    expect(Object.keys(report.by_risk)).toEqual(['critical', 'high', 'medium', 'low', 'unknown-risk']);
    expect(report.by_source.github.opened).toBe(1); // listed twice on the leak, counted once
    expect(report.by_source.pastebin.opened).toBe(1);
  });
});

describe('CSV', () => {
  it('quotes separators, quotes and line breaks (RFC 4180)', () => {
    expect(csvCell('plain')).toBe('plain');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('two\nlines')).toBe('"two\nlines"');
    expect(csvCell(null)).toBe('');
    expect(csvCell(0)).toBe('0');
    expect(csvLine(['a', 1, null])).toBe('a,1,\r\n');
  });

  it("prefixes cells a spreadsheet would run as a formula with '", () => {
    expect(csvCell('=HYPERLINK("http://evil.example","x")')).toBe(`"'=HYPERLINK(""http://evil.example"",""x"")"`);
    expect(csvCell('+1')).toBe("'+1");
    expect(csvCell('-2+3')).toBe("'-2+3");
    expect(csvCell('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvCell('\tcmd')).toBe("'\tcmd");
    expect(csvCell('a=b')).toBe('a=b');
  });

  it('writes one header, a figures row per group and a decision row per change', () => {
    const report = summarize([{ kind: 'fixed', seconds_open: 60, ...facets() }], window, 30, [
      { at: '2026-11-02T10:00:00.000Z', leakid: 'a'.repeat(32), revision: 2, from: 'open', to: 'fixed', reason: 'decision', comment: '=cmd|calc', actor: { key_id: 'k1', role: 'admin', org_id: 'o1' } },
    ]);
    const lines = remediationCsv(report).split('\r\n');
    expect(lines[0]).toBe(REMEDIATION_CSV_COLUMNS.join(','));
    expect(lines[1]).toBe('figures,total,all,0,0,0,1,0,60,60,0,,,,,,,,,,');
    expect(lines).toContain('figures,source,github,0,0,0,1,0,60,60,0,,,,,,,,,,');
    expect(lines).toContain(`decision,,,,,,,,,,,2026-11-02T10:00:00.000Z,${'a'.repeat(32)},2,open,fixed,decision,'=cmd|calc,k1,admin,o1`);
    expect(lines.at(-1)).toBe('');
    expect(new Set(lines.slice(0, -1).map((l) => l.split(',').length))).toEqual(new Set([REMEDIATION_CSV_COLUMNS.length]));
  });
});

describe('HTML', () => {
  it('escapes markup and quotes', () => {
    expect(escapeHtml(`<script>alert("x")</script> & 'y'`)).toBe('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;y&#39;');
    expect(escapeHtml(null)).toBe('');
  });

  it('formats durations', () => {
    expect(formatDuration(null)).toBe('—');
    expect(formatDuration(42)).toBe('42s');
    expect(formatDuration(93_784)).toBe('1d 2h 3m');
  });

  it('is one self-contained page with every user-written value escaped', () => {
    const report: RemediationReport = summarize([{ kind: 'opened', ...facets({ sources: ['<img src=x onerror=alert(1)>'] }) }], window, 14, [
      { at: '2026-11-02T10:00:00.000Z', leakid: 'b'.repeat(32), revision: 1, from: 'open', to: 'false_positive', reason: 'decision', comment: '</td><script>steal()</script>', actor: { key_id: null, role: null, org_id: null } },
    ]);
    const html = remediationHtml(report, new Date('2026-12-01T08:00:00Z'));
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).not.toMatch(/<script|<img|<link|src=["']?http/i);
    expect(html).toContain('&lt;/td&gt;&lt;script&gt;steal()&lt;/script&gt;');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(html).toContain('Open &gt; 14 days');
    expect(html).toContain('<td>system</td>');
  });
});

describe('readLeakDecision', () => {
  const LEAK = 'c'.repeat(32);
  const event = (type: string, data: unknown, extensions: Record<string, string> = { streamrevision: '4' }) =>
    cloudEvent({ id: 'e1', type, source: 'test', time: '2026-11-03T09:00:00Z', data, key: LEAK, extensions });

  it('reads from, to, reason, comment and the actor from the CloudEvent extensions', () => {
    const e = event('LeakStatusChanged', { leakid: LEAK, from: 'open', to: 'fixed', comment: 'rotated', reason: 'decision' }, {
      streamrevision: '4', actorkeyid: 'key-1', actorrole: 'admin', actororgid: 'org-1',
    });
    expect(readLeakDecision(e)).toEqual({
      leakid: LEAK, revision: 4, at: '2026-11-03T09:00:00.000Z', from: 'open', to: 'fixed', reason: 'decision', comment: 'rotated',
      actor: { key_id: 'key-1', role: 'admin', org_id: 'org-1' },
    });
  });

  it('has no actor for a regression reopen, and ignores other or malformed events', () => {
    expect(readLeakDecision(event('LeakStatusChanged', { leakid: LEAK, from: 'fixed', to: 'open', comment: null, reason: 'regression' }))).toMatchObject({
      reason: 'regression', comment: null, actor: { key_id: null, role: null, org_id: null },
    });
    expect(readLeakDecision(event('LeakSighted', { leakid: LEAK }))).toBeUndefined();
    expect(readLeakDecision(event('LeakStatusChanged', { leakid: LEAK, to: 'closed' }))).toBeUndefined();
    expect(readLeakDecision(event('LeakStatusChanged', { leakid: 'nope', to: 'fixed' }))).toBeUndefined();
    expect(readLeakDecision(event('LeakStatusChanged', { leakid: LEAK, to: 'fixed' }, {}))).toBeUndefined();
  });
});

describe('reportWindow', () => {
  const now = new Date('2026-12-01T12:00:00.000Z');
  it('defaults to the 30 days up to now, and takes what is given', () => {
    expect(reportWindow({}, now)).toEqual({ from: new Date('2026-11-01T12:00:00.000Z'), to: now });
    expect(reportWindow({ from: '2026-11-01T00:00:00.000Z', to: '2026-12-01T00:00:00.000Z' }, now)).toEqual({
      from: new Date('2026-11-01T00:00:00.000Z'), to: new Date('2026-12-01T00:00:00.000Z'),
    });
    expect(reportWindow({ to: '0001-01-10T00:00:00.000Z' }, now)).toEqual({ from: new Date('0001-01-01T00:00:00.000Z'), to: new Date('0001-01-10T00:00:00.000Z') });
  });

  it('names the field of a reversed, empty, too long or out-of-range window', () => {
    expect(reportWindow({ from: '2026-11-02T00:00:00.000Z', to: '2026-11-01T00:00:00.000Z' }, now)).toMatchObject({ field: 'from' });
    expect(reportWindow({ from: '2026-11-01T00:00:00.000Z', to: '2026-11-01T00:00:00.000Z' }, now)).toMatchObject({ field: 'from' });
    expect(reportWindow({ from: '2000-01-01T00:00:00.000Z', to: '2026-11-01T00:00:00.000Z' }, now)).toMatchObject({ field: 'to' });
    // 0001-01-01T00:00+14:00 is still year 0 in UTC; 9999-12-31T23:59-12:00 is year 10000.
    expect(reportWindow({ from: new Date(Date.parse('0001-01-01T00:00:00.000Z') - 14 * 3_600_000).toISOString() }, new Date('0001-01-05T00:00:00.000Z'))).toMatchObject({ field: 'from' });
    expect(reportWindow({ from: '9999-12-30T00:00:00.000Z', to: new Date(Date.parse('9999-12-31T23:59:00.000Z') + 12 * 3_600_000).toISOString() }, now)).toMatchObject({ field: 'to' });
  });
});
