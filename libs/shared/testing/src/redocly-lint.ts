/**
 * `redocly lint` (the repository's redocly.yaml: the `recommended` ruleset) over an OpenAPI document, as
 * e2e suites need it: the problems as `rule: message at pointer` lines (none = clean) and the totals.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const ROOT = path.resolve(__dirname, '../../../..');

export interface RedoclyLintResult {
  totals: { errors: number; warnings: number; ignored: number };
  problems: string[];
}

export async function redoclyLint(document: unknown): Promise<RedoclyLintResult> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'leakwatch-openapi-'));
  try {
    const file = path.join(dir, 'openapi.json');
    writeFileSync(file, JSON.stringify(document, null, 2));
    const cli = require.resolve('@redocly/cli/bin/cli.js', { paths: [ROOT] });
    // Exit code 1 on errors: the report on stdout is what counts.
    const run = await promisify(execFile)(process.execPath, [cli, 'lint', file, '--config', path.join(ROOT, 'redocly.yaml'), '--format=json'], {
      cwd: ROOT,
      env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
      maxBuffer: 16 * 1024 * 1024,
    }).catch((error: { stdout?: string }) => ({ stdout: error.stdout ?? '' }));
    const report = JSON.parse(run.stdout) as { totals: RedoclyLintResult['totals']; problems: Array<{ ruleId: string; message: string; location?: Array<{ pointer?: string }> }> };
    return { totals: report.totals, problems: report.problems.map((p) => `${p.ruleId}: ${p.message} at ${p.location?.[0]?.pointer ?? '?'}`) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
