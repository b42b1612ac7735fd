/**
 * TruffleHog v3 `--json` output: NDJSON, one result object per line:
 * `{ SourceMetadata: { Data: { Git: { commit, file, email, repository, timestamp, line } } }, SourceID, SourceType,
 *    SourceName, DetectorType, DetectorName, DecoderName, Verified, Raw, RawV2, Redacted, ExtraData, StructuredData }`.
 * `Data` holds exactly one source kind (`Git`, `Github`, `Gitlab`, `Filesystem`, `S3`, `Docker`, ...); its fields
 * become the location. `Raw` is the secret. `Redacted`, `RawV2` and `ExtraData` are not copied (for AWS, `Redacted`
 * is the key id itself and `RawV2` is id + secret).
 *
 * INDEX: a finding's/rejection's `index` is the 0-based position of its line among the NON-BLANK lines of the
 * input (blank lines are skipped and not counted), i.e. the n-th result TruffleHog printed.
 */
import { FieldReader, JsonRecord, isRecord, jsonTypeOf } from './json-fields';
import { LocationValue, buildLocation, safeUrl, splitAuthor } from './masking';
import { ParsedReport, RecordResult, ReportFormatError, addRecord, emptyReport } from './raw-finding';
import { secretTypeFor } from './secret-type';

export const TRUFFLEHOG = 'trufflehog';

/** TruffleHog's `source_metadatapb.Visibility` enum, as Go's encoding/json writes it (a number). */
const VISIBILITY: Readonly<Record<number, string>> = { 0: 'public', 1: 'private', 2: 'shared', 3: 'unknown' };

/** Source metadata keys renamed to the location vocabulary shared with the other parsers. */
const RENAMED: Readonly<Record<string, string>> = { link: 'url', timestamp: 'date' };

export function parseTrufflehog(ndjson: string): ParsedReport {
  if (typeof ndjson !== 'string') {
    throw new ReportFormatError(`TruffleHog output is NDJSON text (trufflehog --json), one JSON object per line; got ${jsonTypeOf(ndjson)}`);
  }
  const parsed = emptyReport();
  let index = 0;
  for (const line of ndjson.split(/\r?\n/)) {
    if (line.trim() === '') continue;
    addRecord(parsed, index, trufflehogLine(line, index));
    index++;
  }
  return parsed;
}

function trufflehogLine(line: string, index: number): RecordResult {
  const at = `line ${index}`;
  let record: unknown;
  try {
    record = JSON.parse(line);
  } catch {
    // Not the parser's message: V8 quotes the offending input, which may be the secret.
    return { error: `${at}: not valid JSON` };
  }
  if (!isRecord(record)) return { error: `${at}: not a JSON object (got ${jsonTypeOf(record)})` };
  const f = new FieldReader(record);
  const raw = f.string('Raw');
  const detector = f.string('DetectorName');
  const decoder = f.string('DecoderName');
  const verified = f.boolean('Verified');
  const sourceName = f.string('SourceName');
  const metadata = f.object('SourceMetadata');
  const metaFields = metadata ? new FieldReader(metadata, 'SourceMetadata.') : undefined;
  const data = metaFields?.object('Data');
  const errors = [...f.errors, ...(metaFields?.errors ?? [])];
  if (errors.length > 0) return { error: `${at}: ${errors.join('; ')}` };
  if (raw === undefined) return { error: `${at}: no Raw field (the secret)` };

  const { kind: sourceKind, fields: sourceFields } = sourceOf(data);
  const location = sourceLocation(sourceKind, sourceFields);
  const repository = typeof location['repository'] === 'string' ? location['repository'] : undefined;
  const url = safeUrl(repository && /^(?:https?:\/\/|git@|ssh:\/\/)/.test(repository) ? repository : undefined, raw);
  return {
    finding: {
      kind: 'token',
      secret: raw,
      secretType: secretTypeFor(detector, raw),
      verified: verified ?? null,
      identity: null,
      site: null,
      location: buildLocation({ ...location, detector, decoder: decoder && decoder !== 'PLAIN' ? decoder : undefined, sourceName }, raw),
      source: url ? { name: TRUFFLEHOG, url } : { name: TRUFFLEHOG },
      maskedIdentity: null,
    },
  };
}

function sourceOf(data: JsonRecord | undefined): { kind?: string; fields: JsonRecord } {
  if (!data) return { fields: {} };
  for (const [kind, fields] of Object.entries(data)) if (isRecord(fields)) return { kind, fields };
  return { fields: {} };
}

/** Copies the source's scalar fields (`commit`, `file`, `line`, `repository`, `bucket`, `image`...) under shared names. */
function sourceLocation(kind: string | undefined, fields: JsonRecord): Record<string, LocationValue> {
  const location: Record<string, LocationValue> = { sourceType: kind?.toLowerCase() };
  for (const [key, value] of Object.entries(fields)) {
    if (key === 'email' && typeof value === 'string') {
      // Git metadata has `Name <address>`; keep the address as `email`, the name as `author`.
      const { author, email } = splitAuthor(value);
      location['email'] = email;
      location['author'] ??= author;
    } else if (key === 'visibility') {
      location['visibility'] = typeof value === 'number' ? VISIBILITY[value] : typeof value === 'string' ? value : undefined;
    } else if (typeof value === 'string' || (typeof value === 'number' && Number.isFinite(value))) {
      location[RENAMED[key] ?? key] = value;
    }
  }
  return location;
}
