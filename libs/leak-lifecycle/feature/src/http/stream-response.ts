/**
 * Writes lines to an HTTP response as they are produced, waiting for `drain` when the client reads slower
 * than we produce (so memory stays at one page), and stopping when the client goes away.
 */
import type { Response } from 'express';
import { Logger } from '@nestjs/common';

const logger = new Logger('StreamResponse');

export async function streamLines(res: Response, contentType: string, lines: AsyncIterable<string>, headers: Record<string, string> = {}): Promise<void> {
  res.status(200);
  res.setHeader('Content-Type', contentType);
  res.setHeader('Cache-Control', 'no-store');
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
  let gone = false;
  res.once('close', () => (gone = true));
  try {
    for await (const line of lines) {
      if (gone) return;
      if (!res.write(line)) await new Promise<void>((resolve) => {
        const done = () => {
          res.off('drain', done);
          res.off('close', done);
          resolve();
        };
        res.on('drain', done);
        res.on('close', done);
      });
    }
    res.end();
  } catch (error) {
    // Headers and part of the body are out: a problem+json answer is no longer possible. Cut the connection so
    // the client sees an incomplete transfer (no final chunk) instead of a silently short file.
    logger.error(`export stream failed: ${error instanceof Error ? error.message : String(error)}`);
    res.destroy(error instanceof Error ? error : new Error(String(error)));
  }
}
