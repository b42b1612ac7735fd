/**
 * RFC 9457 problem details: the error shape of every endpoint (except the Leak-Lookup compatible /api/stats).
 * Domain refusals are values; this is where they become HTTP.
 */
import { HttpException, HttpStatus } from '@nestjs/common';

export interface FieldError {
  /** JSON path of the offending field, e.g. `leakids[3]` or `status`. */
  field: string;
  message: string;
}

export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  detail?: string;
  instance?: string;
  errors?: FieldError[];
  [extension: string]: unknown;
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';
const TYPE_BASE = 'https://leakwatch.dev/problems/';

/** Throw from controllers/handlers: `throw new ProblemException(400, 'invalid-leak-ids', 'Invalid leak ids', ...)`. */
export class ProblemException extends HttpException {
  constructor(status: number, slug: string, title: string, detail?: string, extensions: Record<string, unknown> = {}) {
    super(problem(status, slug, title, detail, extensions), status);
  }
}

export function problem(
  status: number,
  slug: string,
  title: string,
  detail?: string,
  extensions: Record<string, unknown> = {},
): ProblemDetails {
  return { type: `${TYPE_BASE}${slug}`, title, status, ...(detail ? { detail } : {}), ...extensions };
}

export function statusSlug(status: number): string {
  const name = HttpStatus[status];
  return name ? name.toLowerCase().replace(/_/g, '-') : 'error';
}
