import { randomUUID } from 'node:crypto';
import { eventually } from '@leakwatch/testing';
import { CloudEvent, cloudEvent, MessagingLogger } from '../src';

/** Polls until `condition` holds (the shared `eventually`); fails naming `what` after `timeoutMs`. */
export async function waitFor(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 20_000): Promise<void> {
  await eventually(what, condition, (ok) => ok, { timeoutMs, intervalMs: 10 });
}

export function testEvent(key: string, data: Record<string, unknown> = {}, overrides: Partial<CloudEvent> = {}): CloudEvent {
  return cloudEvent({
    id: randomUUID(),
    type: 'SomethingHappened',
    source: 'leakwatch/test',
    subject: `thing-${key}`,
    time: '2024-05-01T10:00:00.000Z',
    data,
    key,
    ...overrides,
  });
}

/** Records log calls so tests can assert what was (and was not) logged. */
export function recordingLogger(): MessagingLogger & { lines: Array<{ level: string; message: string; fields?: Record<string, unknown> }> } {
  const lines: Array<{ level: string; message: string; fields?: Record<string, unknown> }> = [];
  return {
    lines,
    info: (message, fields) => lines.push({ level: 'info', message, fields }),
    warn: (message, fields) => lines.push({ level: 'warn', message, fields }),
    error: (message, fields) => lines.push({ level: 'error', message, fields }),
  };
}

/** Asserts that `seen` keeps, for every key, the order of `expected`. */
export function expectOrderedPerKey(seen: CloudEvent[], expected: CloudEvent[]): void {
  const ids = (events: CloudEvent[], key: string) => events.filter((e) => e.key === key).map((e) => e.id);
  for (const key of new Set(expected.map((e) => e.key))) expect(ids(seen, key)).toEqual(ids(expected, key));
}
