/**
 * SARIF 2.1.0 logs from secret scanners: `runs[].tool.driver.name`, `runs[].results[]` with `ruleId`,
 * `message.text`, `locations[0].physicalLocation.{artifactLocation.uri, region.{startLine, startColumn, snippet.text}}`,
 * `partialFingerprints`, `properties`.
 * - gitleaks v8 writes the secret in `region.snippet.text` and commit/author/email/date in `partialFingerprints`
 *   (`commitSha`, `author`, `email`, `date`, `commitMessage`); gitleaks v7 wrote them in `properties`
 *   (`commit`, `offender`, `author`, `email`, `repo`...). A `--redact`ed snippet is masked.
 * - secretlint (`@secretlint/secretlint-formatter-sarif`) has no snippet and masks the secret in the message:
 *   secret null, identified by rule + uri + line (+ commit).
 * - any other tool: the snippet is the source line, not the secret, so the finding is masked too
 *   (`source.name = 'sarif:<tool>'`). TruffleHog's own SARIF is named `trufflehog`.
 * The message text is never copied: with masking off, secretlint prints the secret in it.
 * INDEX: a running index over all results of all runs, in order.
 */
import { FieldReader, JsonRecord, isRecord, jsonTypeOf } from './json-fields';
import { buildLocation, isMaskedValue, maskedIdentityOf, safeUrl } from './masking';
import { ParsedReport, RecordResult, ReportFormatError, addRecord, emptyReport } from './raw-finding';
import { secretTypeFor, toKebab } from './secret-type';

interface RunContext {
  /** `gitleaks`, `secretlint`, `trufflehog` or `sarif:<tool>`. */
  sourceName: string;
  rules: unknown[];
  repositoryUrl?: string;
  revision?: string;
}

const KNOWN_TOOLS = new Set(['gitleaks', 'secretlint', 'trufflehog']);

export function parseSarif(report: unknown): ParsedReport {
  if (!isRecord(report)) throw new ReportFormatError(`a SARIF log is a JSON object with "version": "2.1.0" and "runs"; got ${jsonTypeOf(report)}`);
  if (report['version'] !== undefined && report['version'] !== '2.1.0') {
    throw new ReportFormatError(`unsupported SARIF version ${JSON.stringify(String(report['version']).slice(0, 20))}; expected "2.1.0"`);
  }
  const runs = report['runs'];
  if (!Array.isArray(runs)) throw new ReportFormatError(`a SARIF log needs a "runs" array; got ${jsonTypeOf(runs)}`);
  const parsed = emptyReport();
  let index = 0;
  runs.forEach((run, runIndex) => {
    if (!isRecord(run)) throw new ReportFormatError(`runs[${runIndex}] is not an object (got ${jsonTypeOf(run)})`);
    const results = run['results'];
    if (results === undefined || results === null) return;
    if (!Array.isArray(results)) throw new ReportFormatError(`runs[${runIndex}].results is not an array (got ${jsonTypeOf(results)})`);
    const context = runContext(run);
    for (const result of results) {
      addRecord(parsed, index, sarifResult(result, index, context));
      index++;
    }
  });
  return parsed;
}

function runContext(run: JsonRecord): RunContext {
  const driver = path(run, 'tool', 'driver');
  const toolName = isRecord(driver) && typeof driver['name'] === 'string' ? driver['name'] : 'unknown';
  const tool = toKebab(toolName) || 'unknown';
  const rules = isRecord(driver) && Array.isArray(driver['rules']) ? driver['rules'] : [];
  const provenance = Array.isArray(run['versionControlProvenance']) ? run['versionControlProvenance'][0] : undefined;
  return {
    sourceName: KNOWN_TOOLS.has(tool) ? tool : `sarif:${tool}`,
    rules,
    repositoryUrl: isRecord(provenance) && typeof provenance['repositoryUri'] === 'string' ? provenance['repositoryUri'] : undefined,
    revision: isRecord(provenance) && typeof provenance['revisionId'] === 'string' ? provenance['revisionId'] : undefined,
  };
}

function sarifResult(result: unknown, index: number, run: RunContext): RecordResult {
  const at = `result ${index}`;
  if (!isRecord(result)) return { error: `${at}: not an object (got ${jsonTypeOf(result)})` };
  const f = new FieldReader(result);
  const ruleIndex = f.number('ruleIndex');
  const ruleRef = f.object('rule');
  const ruleId = f.string('ruleId') ?? stringAt(ruleRef, 'id') ?? ruleIdAt(run.rules, ruleIndex);
  const fingerprints = f.object('partialFingerprints') ?? {};
  const properties = f.object('properties') ?? {};
  const locations = result['locations'];
  if (locations !== undefined && locations !== null && !Array.isArray(locations)) f.errors.push(`locations must be an array (got ${jsonTypeOf(locations)})`);
  const physical = Array.isArray(locations) ? path(locations[0], 'physicalLocation') : undefined;
  const pf = isRecord(physical) ? new FieldReader(physical, 'physicalLocation.') : undefined;
  const artifact = pf?.object('artifactLocation');
  const region = pf?.object('region');
  const af = artifact ? new FieldReader(artifact, 'artifactLocation.') : undefined;
  const rf = region ? new FieldReader(region, 'region.') : undefined;
  const uri = af?.string('uri');
  const line = rf?.number('startLine');
  const column = rf?.number('startColumn');
  const snippet = rf?.object('snippet');
  const snippetText = snippet && typeof snippet['text'] === 'string' ? snippet['text'] : undefined;
  const errors = [...f.errors, ...(pf?.errors ?? []), ...(af?.errors ?? []), ...(rf?.errors ?? [])];
  if (errors.length > 0) return { error: `${at}: ${errors.join('; ')}` };
  if (!ruleId) return { error: `${at}: no ruleId (nor rule.id, nor a ruleIndex into tool.driver.rules)` };

  const commit = stringAt(fingerprints, 'commitSha') ?? stringAt(properties, 'commit') ?? run.revision;
  const secret = secretOf(run, snippetText, stringAt(properties, 'offender'));
  if (secret === null && !uri) return { error: `${at}: the secret is masked and the result has no location (artifactLocation.uri) to identify it` };
  const repository = stringAt(properties, 'repo');
  const scannerFingerprint = Object.entries(fingerprints).find(([key, value]) => !GITLEAKS_FINGERPRINT_KEYS.has(key) && typeof value === 'string');
  return {
    finding: {
      kind: 'token',
      secret,
      secretType: secretTypeFor(ruleId, secret),
      verified: verifiedOf(run, result),
      identity: null,
      site: null,
      location: buildLocation(
        {
          repository,
          file: uri,
          line,
          column,
          commit,
          author: stringAt(fingerprints, 'author') ?? stringAt(properties, 'author'),
          email: stringAt(fingerprints, 'email') ?? stringAt(properties, 'email'),
          date: stringAt(fingerprints, 'date') ?? stringAt(properties, 'date'),
          rule: ruleId,
          fingerprint: scannerFingerprint ? String(scannerFingerprint[1]) : undefined,
          tags: Array.isArray(properties['tags']) ? properties['tags'].filter((t) => typeof t === 'string').join(',') : undefined,
        },
        secret,
      ),
      source: withUrl(run.sourceName, safeUrl(run.repositoryUrl, secret)),
      maskedIdentity: secret === null ? maskedIdentityOf(run.sourceName, { rule: ruleId, file: uri, line, commit }) : null,
    },
  };
}

/** gitleaks puts commit data (not a fingerprint) in `partialFingerprints`. */
const GITLEAKS_FINGERPRINT_KEYS = new Set(['commitSha', 'email', 'author', 'date', 'commitMessage']);

/** Only gitleaks puts the secret itself in the snippet (v8) or in `properties.offender` (v7). */
function secretOf(run: RunContext, snippet: string | undefined, offender: string | undefined): string | null {
  if (run.sourceName !== 'gitleaks') return null;
  const value = snippet ?? offender;
  return value === undefined || isMaskedValue(value) ? null : value;
}

/** TruffleHog's SARIF marks verified results `level: error` and says so in the message; no other tool verifies. */
function verifiedOf(run: RunContext, result: JsonRecord): boolean | null {
  if (run.sourceName !== 'trufflehog') return null;
  const text = stringAt(result['message'], 'text') ?? '';
  if (/\bunverified\b/i.test(text)) return false;
  if (/\bverified\b/i.test(text) || result['level'] === 'error') return true;
  return null;
}

function ruleIdAt(rules: unknown[], ruleIndex: number | undefined): string | undefined {
  return ruleIndex === undefined ? undefined : stringAt(rules[ruleIndex], 'id');
}

function withUrl(name: string, url: string | undefined): { name: string; url?: string } {
  return url ? { name, url } : { name };
}

function stringAt(value: unknown, key: string): string | undefined {
  if (!isRecord(value)) return undefined;
  const field = value[key];
  return typeof field === 'string' && field !== '' ? field : undefined;
}

function path(value: unknown, ...keys: string[]): unknown {
  let current = value;
  for (const key of keys) current = isRecord(current) ? current[key] : undefined;
  return current;
}
