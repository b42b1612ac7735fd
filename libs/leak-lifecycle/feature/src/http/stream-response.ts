/**
 * Writes lines to an HTTP response as they are produced: Fastify pipes the stream with back-pressure (when the
 * client reads slower than we produce, the next page is not read, so memory stays at one page), and destroys it
 * when the client goes away (the generator's `finally` runs, the query stops).
 *
 * A failure before the first line is a problem+json answer; after it, the connection is cut so the client sees
 * an incomplete transfer (no final chunk) instead of a silently short file.
 */
import { Readable } from 'node:stream';
import type { FastifyReply } from 'fastify';
import { Logger } from '@nestjs/common';

const logger = new Logger('StreamResponse');

export async function streamLines(reply: FastifyReply, contentType: string, lines: AsyncIterable<string>, headers: Record<string, string> = {}): Promise<void> {
  reply.status(200).header('Content-Type', contentType).header('Cache-Control', 'no-store').headers(headers);
  const stream = Readable.from(lines, { objectMode: false });
  stream.once('error', (error) => logger.error(`export stream failed: ${error instanceof Error ? error.message : String(error)}`));
  await reply.send(stream);
}
