/**
 * Where a Leak-Lookup client puts its `key`, as real clients send it:
 * - a form or JSON body (parsed by the app's body parsers);
 * - a body WITHOUT a content type (Python `requests.post(url, 'key=…')`, `curl --data-binary`): read here and
 *   taken as a form, or as JSON when it looks like an object;
 * - `multipart/form-data` (`requests.post(url, data=…/files=…)`, HTML forms with enctype multipart): parsed by
 *   here, bounded (at most 64 KiB, a part at most 4 KiB); a `key` sent as a file part counts as the field;
 * - the query string of `GET /api/stats?key=…` (never logged or echoed: logs drop query strings).
 */
import type { FastifyRequest } from 'fastify';

/** Small: a Leak-Lookup request is one short field. */
export const LEAK_LOOKUP_MAX_BODY_BYTES = 64 * 1024;

/** Limits of a multipart body (read in memory: nothing is written to disk). */
export const LEAK_LOOKUP_MULTIPART_LIMITS = { fieldSize: 4096, parts: 24 };

type StatsRequestLike = Pick<FastifyRequest, 'body' | 'headers' | 'raw'>;

/** The parameters of a `POST /api/stats`, whatever the encoding; `undefined` when there are none or they are unreadable. */
export async function leakLookupParameters(req: StatsRequestLike): Promise<unknown> {
  const body = req.body;
  if (body !== undefined || req.raw.readableEnded || !hasBody(req)) return body;
  const bytes = await readBytes(req.raw);
  if (bytes === undefined) return undefined;
  const type = String(req.headers['content-type'] ?? '');
  if (/^multipart\/form-data/i.test(type)) return parseMultipart(bytes.toString('latin1'), type);
  return parseLoose(bytes.toString('utf8'));
}

/** A body sent with no (or an unparsed) content type: JSON when it looks like an object, else a form. */
export function parseLoose(text: string): unknown {
  const trimmed = text.trim();
  if (trimmed === '') return undefined;
  if (trimmed.startsWith('{')) {
    try {
      return JSON.parse(trimmed);
    } catch {
      return undefined;
    }
  }
  return Object.fromEntries(new URLSearchParams(trimmed));
}

/**
 * The text fields (and file parts: a `key` file counts as the field) of a `multipart/form-data` body, read as
 * latin1 so every byte maps to one character; `undefined` when malformed or over the limits.
 */
export function parseMultipart(latin1: string, contentType: string): Record<string, string> | undefined {
  const boundary = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  const delimiter = `--${boundary?.[1] ?? boundary?.[2] ?? ''}`;
  if (delimiter === '--') return undefined;
  const parts = latin1.split(delimiter);
  if (parts.length < 3 || parts.length - 2 > LEAK_LOOKUP_MULTIPART_LIMITS.parts) return undefined;
  const fields: Record<string, string> = {};
  const files: Record<string, string> = {};
  for (const part of parts.slice(1, -1)) {
    const headEnd = part.indexOf('\r\n\r\n');
    if (!part.startsWith('\r\n') || headEnd < 0 || !part.endsWith('\r\n')) return undefined;
    const head = part.slice(2, headEnd);
    const value = part.slice(headEnd + 4, -2);
    const disposition = /^content-disposition:\s*form-data;(.*)$/im.exec(head)?.[1] ?? '';
    const name = /\bname="([^"]*)"/i.exec(disposition)?.[1];
    if (name === undefined || value.length > LEAK_LOOKUP_MULTIPART_LIMITS.fieldSize) return undefined;
    (/\bfilename="/i.test(disposition) ? files : fields)[name] ??= Buffer.from(value, 'latin1').toString('utf8');
  }
  if (files.key !== undefined && fields.key === undefined) fields.key = files.key;
  return fields;
}

function hasBody(req: StatsRequestLike): boolean {
  return req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
}

async function readBytes(raw: AsyncIterable<Buffer>): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of raw) {
    size += chunk.length;
    if (size > LEAK_LOOKUP_MAX_BODY_BYTES) return undefined;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}
