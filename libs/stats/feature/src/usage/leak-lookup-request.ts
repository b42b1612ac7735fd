/**
 * Where a Leak-Lookup client puts its `key`, as real clients send it:
 * - a form or JSON body (parsed by the app's body parsers);
 * - a body WITHOUT a content type (Python `requests.post(url, 'key=…')`, `curl --data-binary`): read here and
 *   taken as a form, or as JSON when it looks like an object;
 * - `multipart/form-data` (`requests.post(url, data=…/files=…)`, HTML forms with enctype multipart): parsed by
 *   multer through Nest's `AnyFilesInterceptor`; a `key` sent as a file part counts as the field;
 * - the query string of `GET /api/stats?key=…` (never logged or echoed: logs drop query strings).
 */
import type { Request } from 'express';

/** Small: a Leak-Lookup request is one short field. */
export const LEAK_LOOKUP_MAX_BODY_BYTES = 64 * 1024;

/** multer limits for multipart bodies (memory storage: nothing is written to disk). */
export const LEAK_LOOKUP_MULTIPART_LIMITS = { fieldSize: 4096, fields: 20, fileSize: 4096, files: 4, parts: 24, headerPairs: 50 };

type UploadedPart = { fieldname: string; buffer?: Buffer };
type StatsRequestLike = Request & { body?: unknown; files?: UploadedPart[] | Record<string, UploadedPart[]> };

/** The parameters of a `POST /api/stats`, whatever the encoding; `undefined` when there are none or they are unreadable. */
export async function leakLookupParameters(req: StatsRequestLike): Promise<unknown> {
  const body = req.body;
  const key = fileKey(req.files);
  if (body !== undefined && body !== null && typeof body === 'object' && !Array.isArray(body)) {
    // multer fills `body` with the text fields; a key sent as a file part fills in for a missing field.
    return key !== undefined && !Object.prototype.hasOwnProperty.call(body, 'key') ? { ...body, key } : body;
  }
  if (key !== undefined) return { key };
  if (body !== undefined || req.readableEnded || !hasBody(req)) return body;
  const text = await readText(req);
  return text === undefined ? undefined : parseLoose(text);
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

function fileKey(files: StatsRequestLike['files']): string | undefined {
  const parts = Array.isArray(files) ? files : Object.values(files ?? {}).flat();
  const part = parts.find((p) => p.fieldname === 'key' && p.buffer);
  return part?.buffer?.toString('utf8');
}

function hasBody(req: Request): boolean {
  return req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
}

async function readText(req: Request): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > LEAK_LOOKUP_MAX_BODY_BYTES) return undefined;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}
