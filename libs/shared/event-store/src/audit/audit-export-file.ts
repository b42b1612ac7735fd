/**
 * The audit export format (issue 14.4) and its offline verification — no database involved.
 *
 * An export is NDJSON: one line per event in all-stream order, then one manifest line
 * `{"manifest":{…},"signature":{…}}`. An event line carries the stored bytes the chain hash covers — data and
 * metadata as the exact jsonb text, embedded raw — and the stored hash. The manifest names the window, per
 * stream the first and last revision, the hash before the window (`prev`: an export may start mid-stream) and
 * the head, the newest checkpoint, and the SHA-256 digest of every event line; an Ed25519 signature covers the
 * manifest's exact bytes. So an edited, deleted, inserted or reordered line breaks a chain, a head, the order,
 * the digest or the signature — and a forged manifest needs the signing key.
 *
 * Trust: the signature says "whoever holds this private key wrote this manifest"; an auditor must get the
 * operator's public key by another channel (`leakwatch audit public-key`) and pin it (`--public-key`), or a
 * forger can sign with a key of their own. Events written before the chain existed ("unchained") are covered
 * by the digest and the signature only.
 */
import { createHash, createPublicKey, KeyObject, sign, verify } from 'node:crypto';
import { eventHash, HashedEvent } from './event-hash';
import { rawMembers } from './json-members';

export const AUDIT_EXPORT_FORMAT = 'leakwatch-audit-export/1';

export interface ExportStreamManifest {
  first_revision: number;
  last_revision: number;
  events: number;
  /** The hash of the event before the window's first event of this stream (null: none, or unchained). */
  prev: string | null;
  /** The hash of the window's last event of this stream (null: unchained). */
  head: string | null;
}

export interface ExportManifest {
  format: typeof AUDIT_EXPORT_FORMAT;
  exported_at: string;
  window: { from: string | null; to: string | null };
  /** `transaction_id:global_position` of the first and last event, in all-stream order. */
  first_position: string | null;
  last_position: string | null;
  events: number;
  chained: number;
  unchained: number;
  streams: Record<string, ExportStreamManifest>;
  /** The newest all-stream checkpoint at or before the last event, as the store recorded it. */
  checkpoint: { position: string; events: number; hash: string; created_at: string } | null;
  hash_encoding: 'lw-event-v1';
  /** `sha256:<hex>` of every event line, each with its newline. */
  digest: string;
}

export interface ExportSignature {
  alg: 'Ed25519';
  key_id: string;
  /** SPKI DER, base64. */
  public_key: string;
  /** Over the manifest's exact bytes, base64. */
  value: string;
}

export interface ExportSigner {
  keyId: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
}

/** A stored event as the chain encoding reads it (`CHAIN_COLUMNS`): the verifier's rows and the export's lines. */
export interface ExportEventRow {
  tx: string;
  gp: string;
  stream_id: string;
  stream_revision: string;
  event_id: string;
  event_type: string;
  schema_version: number;
  recorded: string;
  data: string;
  metadata: string;
  hash: string | null;
}

/** One event line: fields in a fixed order, data and metadata as the stored jsonb text (it never holds a newline). */
export function exportEventLine(row: ExportEventRow): string {
  return (
    `{"global_position":"${row.gp}","transaction_id":"${row.tx}","stream_id":${JSON.stringify(row.stream_id)},"revision":${Number(row.stream_revision)},` +
    `"event_id":"${row.event_id}","type":${JSON.stringify(row.event_type)},"schema_version":${row.schema_version},"recorded_at":"${row.recorded}",` +
    `"hash":${row.hash === null ? 'null' : `"${row.hash}"`},"data":${row.data},"metadata":${row.metadata}}`
  );
}

export function publicKeyFingerprint(key: KeyObject): string {
  return createHash('sha256').update(key.export({ type: 'spki', format: 'der' })).digest('hex').slice(0, 16);
}

export function exportManifestLine(manifest: ExportManifest, signer: ExportSigner): string {
  const text = JSON.stringify(manifest);
  const signature: ExportSignature = {
    alg: 'Ed25519',
    key_id: signer.keyId,
    public_key: signer.publicKey.export({ type: 'spki', format: 'der' }).toString('base64'),
    value: sign(null, Buffer.from(text, 'utf8'), signer.privateKey).toString('base64'),
  };
  return `{"manifest":${text},"signature":${JSON.stringify(signature)}}`;
}

export type ExportProblemKind = 'changed' | 'deleted' | 'inserted' | 'reordered' | 'malformed' | 'digest' | 'signature';

export interface ExportProblem {
  kind: ExportProblemKind;
  /** 1-based line of the file. */
  line: number;
  streamId?: string;
  revision?: number;
  detail: string;
}

export interface ExportReport {
  events: number;
  streams: number;
  chained: number;
  unchained: number;
  /** By line, the first one first. */
  problems: ExportProblem[];
  manifest?: ExportManifest;
  signature?: { keyId: string; fingerprint: string; valid: boolean; pinned: boolean };
}

interface StreamState {
  firstRevision: number;
  firstLine: number;
  /** The first event and its stored hash: checked against the manifest's `prev` once the manifest is read. */
  first: { event: HashedEvent; hash: string | null };
  revision: number;
  link: string | null;
  events: number;
  line: number;
}

const positionOf = (text: string) => text.split(':').map((p) => BigInt(p)) as [bigint, bigint];
const before = (a: string, b: string) => {
  const [x, y] = [positionOf(a), positionOf(b)];
  return x[0] < y[0] || (x[0] === y[0] && x[1] < y[1]);
};

/**
 * Verifies an export line by line (the lines without their newline, e.g. from readline); the manifest must be
 * the last line. `publicKey` pins the signer: without it the signature is checked against the key the manifest
 * names, which proves integrity but not who signed.
 */
export async function verifyExportFile(lines: AsyncIterable<string> | Iterable<string>, options: { publicKey?: KeyObject } = {}): Promise<ExportReport> {
  const problems: ExportProblem[] = [];
  const digest = createHash('sha256');
  const streams = new Map<string, StreamState>();
  let lineNo = 0;
  let held: { text: string; line: number } | undefined;
  let events = 0;
  let chained = 0;
  let unchained = 0;
  let lastPosition: string | undefined;

  const event = (text: string, line: number) => {
    digest.update(`${text}\n`, 'utf8');
    events++;
    let fields: { global_position: string; transaction_id: string; stream_id: string; revision: number; event_id: string; type: string; schema_version: number; recorded_at: string; hash: string | null };
    let raw: Map<string, string>;
    try {
      fields = JSON.parse(text);
      raw = rawMembers(text);
      if (!raw.has('data') || !raw.has('metadata') || typeof fields.stream_id !== 'string' || !Number.isInteger(fields.revision)) throw new Error('missing fields');
    } catch (error) {
      problems.push({ kind: 'malformed', line, detail: `not an event line (${(error as Error).message})` });
      return;
    }
    const position = `${fields.transaction_id}:${fields.global_position}`;
    const base = { line, streamId: fields.stream_id, revision: fields.revision };
    if (lastPosition && !before(lastPosition, position)) {
      problems.push({ ...base, kind: 'reordered', detail: `position ${position} after ${lastPosition}: lines are out of all-stream order` });
    }
    lastPosition = position;
    const hashed: HashedEvent = {
      streamId: fields.stream_id,
      revision: fields.revision,
      eventId: fields.event_id,
      type: fields.type,
      schemaVersion: fields.schema_version,
      recordedAt: fields.recorded_at,
      data: raw.get('data') as string,
      metadata: raw.get('metadata') as string,
    };
    if (fields.hash === null) unchained++;
    else chained++;
    const state = streams.get(fields.stream_id);
    if (!state) {
      streams.set(fields.stream_id, { firstRevision: fields.revision, firstLine: line, first: { event: hashed, hash: fields.hash }, revision: fields.revision, link: fields.hash, events: 1, line });
      return;
    }
    const expected = state.revision + 1;
    if (fields.revision !== expected) {
      problems.push({
        ...base,
        kind: fields.revision > expected ? 'deleted' : 'reordered',
        revision: fields.revision > expected ? expected : fields.revision,
        detail: fields.revision > expected ? `revision ${expected} missing before revision ${fields.revision}` : `revision ${fields.revision} after revision ${state.revision}`,
      });
    } else if (fields.hash !== null && eventHash(hashed, state.link) !== fields.hash) {
      problems.push({ ...base, kind: 'changed', detail: "the line's event does not match its hash (edited)" });
    }
    Object.assign(state, { revision: Math.max(state.revision, fields.revision), link: fields.hash, events: state.events + 1, line });
  };

  for await (const text of lines as AsyncIterable<string>) {
    lineNo++;
    if (text.trim() === '') continue;
    if (held) event(held.text, held.line);
    held = { text, line: lineNo };
  }
  if (!held) return { events: 0, streams: 0, chained: 0, unchained: 0, problems: [{ kind: 'malformed', line: 0, detail: 'empty file' }] };

  let manifest: ExportManifest;
  let signature: ExportSignature;
  let manifestText: string;
  try {
    const raw = rawMembers(held.text);
    manifestText = raw.get('manifest') as string;
    manifest = JSON.parse(manifestText);
    signature = JSON.parse(raw.get('signature') as string);
    if (manifest.format !== AUDIT_EXPORT_FORMAT) throw new Error(`format ${manifest.format}`);
  } catch (error) {
    problems.push({ kind: 'malformed', line: held.line, detail: `the last line is not an export manifest (${(error as Error).message}): the file was cut short, or its manifest removed` });
    return { events, streams: streams.size, chained, unchained, problems };
  }
  const manifestLine = held.line;

  for (const [streamId, state] of streams) {
    const expected = manifest.streams[streamId];
    if (!expected) {
      problems.push({ kind: 'inserted', line: state.firstLine, streamId, detail: 'a stream the manifest does not name' });
      continue;
    }
    if (state.firstRevision > expected.first_revision) {
      problems.push({ kind: 'deleted', line: state.firstLine, streamId, revision: expected.first_revision, detail: `the stream starts at revision ${state.firstRevision}, the manifest at ${expected.first_revision}` });
    } else if (state.firstRevision < expected.first_revision) {
      problems.push({ kind: 'inserted', line: state.firstLine, streamId, revision: state.firstRevision, detail: `the stream starts at revision ${state.firstRevision}, the manifest at ${expected.first_revision}` });
    } else if (state.first.hash !== null && eventHash(state.first.event, expected.prev) !== state.first.hash) {
      problems.push({ kind: 'changed', line: state.firstLine, streamId, revision: state.firstRevision, detail: "the line's event does not match its hash (edited)" });
    }
    if (state.revision < expected.last_revision) {
      problems.push({ kind: 'deleted', line: state.line + 1, streamId, revision: state.revision + 1, detail: `the stream ends at revision ${state.revision}, the manifest at ${expected.last_revision}: its last line(s) removed` });
    } else if (state.revision > expected.last_revision || state.link !== expected.head) {
      problems.push({ kind: 'changed', line: state.line, streamId, revision: state.revision, detail: `the stream's head differs from the manifest's` });
    }
  }
  for (const streamId of Object.keys(manifest.streams)) {
    if (!streams.has(streamId)) problems.push({ kind: 'deleted', line: manifestLine, streamId, revision: manifest.streams[streamId].first_revision, detail: 'every line of a stream the manifest names is missing' });
  }
  if (`sha256:${digest.digest('hex')}` !== manifest.digest || events !== manifest.events) {
    problems.push({ kind: 'digest', line: manifestLine, detail: `the event lines do not match the manifest's digest (${events} lines, ${manifest.events} exported)` });
  }

  let signatureReport: ExportReport['signature'];
  try {
    const embedded = createPublicKey({ key: Buffer.from(signature.public_key, 'base64'), format: 'der', type: 'spki' });
    const valid = signature.alg === 'Ed25519' && verify(null, Buffer.from(manifestText, 'utf8'), embedded, Buffer.from(signature.value, 'base64'));
    const pinned = !!options.publicKey && embedded.equals(options.publicKey);
    signatureReport = { keyId: signature.key_id, fingerprint: publicKeyFingerprint(embedded), valid, pinned };
    if (!valid) problems.push({ kind: 'signature', line: manifestLine, detail: 'the manifest signature does not verify: the manifest was changed' });
    else if (options.publicKey && !pinned) problems.push({ kind: 'signature', line: manifestLine, detail: `signed by key ${publicKeyFingerprint(embedded)}, not by the pinned key ${publicKeyFingerprint(options.publicKey)}` });
  } catch (error) {
    problems.push({ kind: 'signature', line: manifestLine, detail: `unreadable signature (${(error as Error).message})` });
  }
  problems.sort((a, b) => a.line - b.line);
  return { events, streams: streams.size, chained, unchained, problems, manifest, signature: signatureReport };
}
