/**
 * The normalised shape every scanner report is turned into before the ingest service hashes the
 * secret, derives the leak id and records a `FindingReceived`. Parsers are pure: in → out, no I/O.
 */
export type FindingKind = 'token' | 'credential';

export interface RawFinding {
  kind: FindingKind;
  /** Plaintext as found; null when the scanner masked it (secretlint SARIF, GitHub alerts without secret). The ingest service hashes and then drops it. */
  secret: string | null;
  /** Normalised detector/rule id, lowercase kebab (e.g. 'github-pat', 'aws-access-key', 'generic-api-key', 'slack-token', 'private-key', 'password'). */
  secretType: string;
  /** Scanner verified the secret works (TruffleHog Verified, GitHub validity 'active'). */
  verified: boolean | null;
  identity: { email?: string; username?: string } | null;
  /** For credentials: the site the credential was for. */
  site: { url?: string; domain?: string } | null;
  /** Where it was found, never containing the secret: repository, file, line, commit, author email, url, rule, scanner fingerprint... */
  location: Record<string, string | number> | null;
  /** Scanner + where: { name: 'gitleaks' | 'trufflehog' | 'secretlint' | 'github' | 'sarif:<tool>', url?: repository/web URL }. */
  source: { name: string; url?: string };
  /** When the secret is masked, a stable identity of the finding (e.g. rule + file + line + commit, or GitHub alert number + repo) so re-ingesting the same masked finding maps to the same leak. */
  maskedIdentity: string | null;
}

/** A whole report: good records become findings, bad ones are refused one by one (never the whole batch). */
export interface ParsedReport {
  findings: Array<{ index: number; finding: RawFinding }>;
  rejected: Array<{ index: number; error: string }>;
}

/** The report as a whole is not the format the endpoint expects (e.g. an object where gitleaks writes an array). */
export class ReportFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ReportFormatError';
  }
}

/** One record's outcome: a finding, or the reason it was refused. Errors are values in the domain. */
export type RecordResult = { finding: RawFinding } | { error: string };

export function emptyReport(): ParsedReport {
  return { findings: [], rejected: [] };
}

export function addRecord(report: ParsedReport, index: number, result: RecordResult): void {
  if ('error' in result) report.rejected.push({ index, error: result.error });
  else report.findings.push({ index, finding: result.finding });
}
