/**
 * The minimal logger the adapters need, so apps inject pino/Nest loggers without this lib depending on them.
 * Callers here never pass message values: integration events may carry personal data.
 */
export interface MessagingLogger {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

export const consoleLogger: MessagingLogger = {
  info: (message, fields) => console.info(message, fields ?? ''),
  warn: (message, fields) => console.warn(message, fields ?? ''),
  error: (message, fields) => console.error(message, fields ?? ''),
};

export const silentLogger: MessagingLogger = { info: () => undefined, warn: () => undefined, error: () => undefined };

/** Error text for logs: message and name only (stack traces of handler errors are the handler's business). */
export function describeError(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
