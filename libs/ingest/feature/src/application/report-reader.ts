/**
 * Reads a scanner report from the request stream record by record, enforcing the byte and record limits,
 * without ever holding the raw report and its parsed form at once (gitleaks arrays are split into elements as
 * they arrive; TruffleHog is NDJSON; SARIF documents are small and parsed whole).
 */
import type { Readable } from 'node:stream';
import { createInterface } from 'node:readline';
import { PassThrough } from 'node:stream';
import { JsonArrayError, JsonArraySplitter } from './json-array-splitter';

export interface ReportLimits {
  maxBytes: number;
  maxRecords: number;
}

/** Counts bytes as they flow; fails the stream with a 413 past the limit. */
function limited(body: Readable, maxBytes: number, declared?: number): Readable {
  if (declared !== undefined && declared > maxBytes) throw tooLarge(maxBytes);
  let seen = 0;
  body.on('data', (chunk: Buffer) => {
    seen += chunk.length;
    if (seen > maxBytes) body.destroy(tooLarge(maxBytes));
  });
  return body;
}

/** Why a report is refused as a whole (nothing of it is stored). The HTTP edge maps each to its problem. */
export type ReportRefusal =
  | { refusal: 'too_large'; maxBytes: number }
  | { refusal: 'too_many_records'; maxRecords: number }
  | { refusal: 'malformed'; detail: string };

/** Thrown by the readers: reading is a stream, so a refusal ends it where it is found. */
export class ReportRefused extends Error {
  override readonly name = 'ReportRefused';
  constructor(readonly reason: ReportRefusal) {
    super(reason.refusal);
  }
}

const tooLarge = (maxBytes: number) => new ReportRefused({ refusal: 'too_large', maxBytes });
const tooMany = (maxRecords: number) => new ReportRefused({ refusal: 'too_many_records', maxRecords });
const malformed = (detail: string) => new ReportRefused({ refusal: 'malformed', detail });

/**
 * gitleaks JSON: a top-level array; each element handed over with its index. The array is split into elements
 * as bytes arrive (json-array-splitter.ts) and each element parsed by JSON.parse.
 */
export async function eachJsonArrayElement(
  body: Readable,
  limits: ReportLimits,
  declared: number | undefined,
  onRecord: (value: unknown, index: number) => void | Promise<void>,
): Promise<number> {
  const source = limited(body, limits.maxBytes, declared);
  // Read through a PassThrough: ending the iteration early (a refusal) tears down `feed`, never the request,
  // so the rest of the body can still be drained and the client gets our answer.
  const feed = new PassThrough();
  source.once('error', (error) => feed.destroy(error));
  source.pipe(feed);
  const splitter = new JsonArraySplitter();
  let count = 0;
  try {
    for await (const chunk of feed) {
      for (const text of splitter.push(chunk as Buffer)) {
        if (count + 1 > limits.maxRecords) throw tooMany(limits.maxRecords);
        let value: unknown;
        try {
          value = JSON.parse(text);
        } catch {
          // JSON.parse's message quotes the element (a finding, with its secret): say only which one.
          throw malformed(`The report is not a JSON array of findings: element ${count} is not valid JSON`);
        }
        // A returned promise is back-pressure (the intake is still writing staged chunks): parse on after it.
        const pressure = onRecord(value, count++);
        if (pressure) await pressure;
      }
    }
    splitter.end();
  } catch (error) {
    source.unpipe(feed);
    drain(source);
    if (error instanceof ReportRefused) throw error;
    throw malformed(`The report is not a JSON array of findings: ${error instanceof JsonArrayError ? error.message : describe(error)}`);
  }
  return count;
}

/** NDJSON: each non-blank line with its 0-based index among non-blank lines. */
export async function eachLine(
  body: Readable,
  limits: ReportLimits,
  declared: number | undefined,
  onLine: (line: string, index: number) => void | Promise<void>,
): Promise<number> {
  const source = limited(body, limits.maxBytes, declared);
  let index = 0;
  try {
    for await (const line of createInterface({ input: source, crlfDelay: Infinity })) {
      if (!line.trim()) continue;
      if (index + 1 > limits.maxRecords) throw tooMany(limits.maxRecords);
      const pressure = onLine(line, index++);
      if (pressure) await pressure;
    }
  } catch (error) {
    drain(source);
    if (error instanceof ReportRefused) throw error;
    throw malformed(`The report could not be read: ${describe(error)}`);
  }
  return index;
}

/** The raw body, bounded (webhooks: the signature covers these exact bytes). */
export async function wholeBody(body: Readable, maxBytes: number): Promise<Buffer> {
  const source = limited(body, maxBytes, undefined);
  const chunks: Buffer[] = [];
  for await (const chunk of source) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** A whole JSON document (SARIF). */
export async function wholeJson(body: Readable, limits: ReportLimits, declared: number | undefined): Promise<unknown> {
  const source = limited(body, limits.maxBytes, declared);
  const chunks: Buffer[] = [];
  try {
    for await (const chunk of source) chunks.push(chunk as Buffer);
  } catch (error) {
    if (error instanceof ReportRefused) throw error;
    throw malformed(`The report could not be read: ${describe(error)}`);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    // The parser's own message quotes the input, which may contain secrets: say only where.
    throw malformed('The report is not valid JSON.');
  }
}

/**
 * Reads and discards the rest of a refused body (bounded by the byte limit), so the client gets our
 * answer instead of a reset connection.
 */
function drain(body: Readable): void {
  if (!body.destroyed) body.resume();
}

function describe(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  // Parser messages can quote input; keep only the position information.
  return message.replace(/".*"/g, '"…"').slice(0, 200);
}
