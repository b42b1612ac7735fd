/**
 * gitleaks JSON reports (`gitleaks detect --report-format json`): a top-level array of findings.
 * v8 writes PascalCase keys (`RuleID`, `Secret`, `File`, `StartLine`, `Commit`, `Fingerprint`...);
 * v7 wrote camelCase keys (`rule`, `offender`, `file`, `lineNumber`, `commit`, `repo`, `repoURL`, `leakURL`...).
 * Both are accepted record by record. `--redact` output (`REDACTED`, or `abc...` with `--redact=N`) becomes a
 * masked finding (secret null) identified by rule + file + line + commit.
 * `Match`/`line` (the whole matched line) and `Message`/`commitMessage` are never copied: they can carry the secret.
 */
import { FieldReader, isRecord, jsonTypeOf } from './json-fields';
import { buildLocation, isMaskedValue, maskedIdentityOf, safeUrl } from './masking';
import { ParsedReport, RecordResult, ReportFormatError, addRecord, emptyReport } from './raw-finding';
import { secretTypeFor } from './secret-type';

export const GITLEAKS = 'gitleaks';

export function parseGitleaks(report: unknown): ParsedReport {
  if (!Array.isArray(report)) {
    throw new ReportFormatError(`a gitleaks JSON report is an array of findings (gitleaks --report-format json); got ${jsonTypeOf(report)}`);
  }
  const parsed = emptyReport();
  for (let index = 0; index < report.length; index++) addRecord(parsed, index, gitleaksRecord(report[index], index));
  return parsed;
}

function gitleaksRecord(record: unknown, index: number): RecordResult {
  const at = `record ${index}`;
  if (!isRecord(record)) return { error: `${at}: not an object (got ${jsonTypeOf(record)})` };
  const isV8 = 'Secret' in record || 'RuleID' in record;
  const fields = new FieldReader(record);
  const result = isV8 ? v8Finding(fields) : v7Finding(fields);
  if (fields.errors.length > 0) return { error: `${at}: ${fields.errors.join('; ')}` };
  if (result === 'no-secret') return { error: `${at}: no Secret (or v7 offender) field` };
  if (result === 'masked-without-location') return { error: `${at}: the secret is redacted and there is no File or Fingerprint to identify the finding` };
  return result;
}

type Outcome = RecordResult | 'no-secret' | 'masked-without-location';

function v8Finding(f: FieldReader): Outcome {
  const rawSecret = f.string('Secret');
  const rule = f.string('RuleID');
  const file = f.string('File');
  const symlinkFile = f.string('SymlinkFile');
  const line = f.number('StartLine');
  const endLine = f.number('EndLine');
  const column = f.number('StartColumn');
  const commit = f.string('Commit');
  const entropy = f.number('Entropy');
  const author = f.string('Author');
  const email = f.string('Email');
  const date = f.string('Date');
  const description = f.string('Description');
  const fingerprint = f.string('Fingerprint');
  const link = f.string('Link');
  const tags = f.strings('Tags');
  if (f.errors.length > 0 || rawSecret === undefined) return 'no-secret';
  const secret = isMaskedValue(rawSecret) ? null : rawSecret;
  if (secret === null && !file && !fingerprint) return 'masked-without-location';
  return {
    finding: {
      kind: 'token',
      secret,
      secretType: secretTypeFor(rule, secret),
      verified: null, // gitleaks never verifies
      identity: null,
      site: null,
      location: buildLocation(
        {
          file,
          symlinkFile,
          line,
          endLine: endLine !== line ? endLine : undefined,
          column,
          commit,
          author,
          email,
          date,
          rule,
          description,
          fingerprint,
          url: link,
          entropy: entropy !== undefined ? Math.round(entropy * 1000) / 1000 : undefined,
          tags: tags && tags.length > 0 ? tags.join(',') : undefined,
        },
        secret,
      ),
      source: { name: GITLEAKS },
      maskedIdentity: secret === null ? maskedIdentityOf(GITLEAKS, { rule, file, line, commit }) : null,
    },
  };
}

function v7Finding(f: FieldReader): Outcome {
  const rawSecret = f.string('offender');
  const rule = f.string('rule');
  const file = f.string('file');
  const line = f.number('lineNumber');
  const commit = f.string('commit');
  const repository = f.string('repo');
  const repoUrl = f.string('repoURL');
  const leakUrl = f.string('leakURL');
  const author = f.string('author');
  const email = f.string('email');
  const date = f.string('date');
  const entropy = f.number('offenderEntropy');
  const tags = f.string('tags');
  if (f.errors.length > 0 || rawSecret === undefined) return 'no-secret';
  const secret = isMaskedValue(rawSecret) ? null : rawSecret;
  if (secret === null && !file) return 'masked-without-location';
  const url = safeUrl(repoUrl, secret);
  return {
    finding: {
      kind: 'token',
      secret,
      secretType: secretTypeFor(rule, secret),
      verified: null,
      identity: null,
      site: null,
      location: buildLocation(
        {
          repository,
          file,
          line,
          commit,
          author,
          email,
          date,
          rule,
          url: leakUrl,
          entropy: entropy !== undefined && entropy >= 0 ? Math.round(entropy * 1000) / 1000 : undefined,
          tags,
        },
        secret,
      ),
      source: url ? { name: GITLEAKS, url } : { name: GITLEAKS },
      maskedIdentity: secret === null ? maskedIdentityOf(GITLEAKS, { rule, file, line, commit }) : null,
    },
  };
}
