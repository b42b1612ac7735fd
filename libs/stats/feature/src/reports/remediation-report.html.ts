/**
 * The remediation report as one self-contained HTML file (inline CSS, no scripts, no external assets) that an
 * auditor can archive or print. Every value is escaped: comments and source names come from users and scanners.
 */
import type { RemediationFigures, RemediationReport } from './remediation-report';

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(value: unknown): string {
  return (value === null || value === undefined ? '' : String(value)).replace(/[&<>"']/g, (c) => ESCAPES[c]);
}

/** 93784 → "1d 2h 3m"; null → "—". */
export function formatDuration(seconds: number | null): string {
  if (seconds === null) return '—';
  const d = Math.floor(seconds / 86_400);
  const h = Math.floor((seconds % 86_400) / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const parts = [d ? `${d}d` : '', h ? `${h}h` : '', m ? `${m}m` : ''].filter(Boolean);
  return parts.length ? parts.join(' ') : `${Math.round(seconds)}s`;
}

const CSS = `body{font:14px/1.4 system-ui,sans-serif;margin:2rem;color:#1b1f24}h1{font-size:1.4rem}h2{font-size:1.1rem;margin-top:2rem}
table{border-collapse:collapse;margin:.5rem 0}th,td{border:1px solid #ccd;padding:.25rem .5rem;text-align:left;vertical-align:top}
th{background:#eef}td.n{text-align:right}.muted{color:#667}`;

export function remediationHtml(report: RemediationReport, generatedAt: Date): string {
  const n = report.open_longer_than_days;
  const head = ['Group', 'Opened', 'Reopened', 'By regression', 'Fixed', 'False positives', 'Mean time to fix', 'p90 time to fix', `Open > ${n} days`];
  const row = (group: string, f: RemediationFigures) =>
    `<tr><th scope="row">${escapeHtml(group)}</th>${[f.opened, f.reopened, f.reopened_by_regression, f.fixed, f.false_positives].map((v) => `<td class="n">${v}</td>`).join('')}` +
    `<td class="n">${formatDuration(f.mean_time_to_fix_seconds)}</td><td class="n">${formatDuration(f.p90_time_to_fix_seconds)}</td><td class="n">${f.open_longer_than_n_days}</td></tr>`;
  const table = (title: string, groups: Array<[string, RemediationFigures]>) =>
    `<h2>${escapeHtml(title)}</h2>\n<table><thead><tr>${head.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr></thead><tbody>\n${groups.map(([g, f]) => row(g, f)).join('\n')}\n</tbody></table>`;
  const decisions = report.decisions.length
    ? `<table><thead><tr><th>Time</th><th>Leak</th><th>Change</th><th>Reason</th><th>Actor key</th><th>Role</th><th>Organisation</th><th>Comment</th></tr></thead><tbody>\n${report.decisions
        .map((d) => `<tr><td>${escapeHtml(d.at)}</td><td><code>${escapeHtml(d.leakid)}</code></td><td>${escapeHtml(d.from ?? '?')} → ${escapeHtml(d.to)}</td><td>${escapeHtml(d.reason)}</td>` +
          `<td>${escapeHtml(d.actor.key_id ?? 'system')}</td><td>${escapeHtml(d.actor.role)}</td><td>${escapeHtml(d.actor.org_id)}</td><td>${escapeHtml(d.comment)}</td></tr>`)
        .join('\n')}\n</tbody></table>`
    : '<p class="muted">No status changes in this window.</p>';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Leakwatch remediation report ${escapeHtml(report.window.from)} – ${escapeHtml(report.window.to)}</title>
<style>${CSS}</style></head><body>
<h1>Leakwatch remediation report</h1>
<p>Window: <strong>${escapeHtml(report.window.from)}</strong> to <strong>${escapeHtml(report.window.to)}</strong> (end excluded).
<span class="muted">Generated ${escapeHtml(generatedAt.toISOString())}. Times to fix count from detection or the last reopen; p90 is nearest-rank.</span></p>
${table('Totals', [['All leaks', report.totals]])}
${table('By type', Object.entries(report.by_type))}
${table('By risk', Object.entries(report.by_risk))}
${table('By source', Object.entries(report.by_source))}
<h2>Decisions (${report.decisions.length})</h2>
${decisions}
</body></html>
`;
}
