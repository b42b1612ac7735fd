/**
 * Routes kafkajs's own log lines to the injected logger. kafkajs logs connection and protocol state,
 * never message values; debug lines are dropped (too chatty for production logs).
 */
import { logCreator, logLevel } from 'kafkajs';
import { MessagingLogger } from '../logger';

export function kafkaLogCreator(logger: MessagingLogger): logCreator {
  return () => ({ namespace, level, log }) => {
    const { message, timestamp: _timestamp, ...extra } = log;
    const fields = { namespace, ...extra };
    const text = `kafkajs: ${message}`;
    if (level === logLevel.ERROR || level === logLevel.NOTHING) logger.error(text, fields);
    else if (level === logLevel.WARN) logger.warn(text, fields);
    else if (level === logLevel.INFO) logger.info(text, fields);
  };
}
