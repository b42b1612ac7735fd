/**
 * Requests Node's HTTP parser refuses before the HTTP framework sees them (a head over 16 KiB, so also a URL that long;
 * a malformed request line or header) get problem+json like every other error, instead of Node's bare
 * `HTTP/1.1 431` with no body. Nothing of the request is echoed or logged: its head may hold a key.
 */
import type { Server } from 'node:http';
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { PROBLEM_CONTENT_TYPE, problem, statusSlug } from './problem';

const DETAILS: Record<number, string> = {
  400: 'The request could not be parsed as HTTP/1.1.',
  408: 'The request head was not received in time.',
  431: 'The request head (URL and headers) is larger than 16 KiB.',
};

const SLUGS: Record<number, string> = { 400: 'malformed-request', 408: 'request-timeout', 431: 'request-header-fields-too-large' };

export function clientErrorStatus(code: string | undefined): number {
  if (code === 'HPE_HEADER_OVERFLOW') return 431;
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT') return 408;
  return 400;
}

export function clientErrorResponse(status: number): string {
  const title = STATUS_CODES[status] ?? 'Bad Request';
  const body = JSON.stringify(problem(status, SLUGS[status] ?? statusSlug(status), title, DETAILS[status]));
  return `HTTP/1.1 ${status} ${title}\r\nContent-Type: ${PROBLEM_CONTENT_TYPE}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`;
}

/** Fastify's `clientErrorHandler` (also usable as a Node server's 'clientError' listener). */
export function answerClientError(error: NodeJS.ErrnoException, socket: Duplex): void {
  // A reset connection, or one that already got (part of) an answer, can only be closed.
  const answered = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } })._httpMessage?.headersSent;
  if (error.code === 'ECONNRESET' || !socket.writable || answered) {
    socket.destroy();
    return;
  }
  socket.end(clientErrorResponse(clientErrorStatus(error.code)));
}

export function answerClientErrors(server: Server): void {
  server.on('clientError', answerClientError);
}
