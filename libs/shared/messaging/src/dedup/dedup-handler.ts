/** Wraps a bus handler so each event id is processed at most once per consumer (on top of at-least-once delivery). */
import { CloudEvent } from '../cloud-event';
import { MessageHandler } from '../message-bus.port';
import { ProcessedMessages } from './processed-messages.port';

export function dedupHandler<Tx>(
  processed: ProcessedMessages<Tx>,
  consumerName: string,
  handler: (event: CloudEvent, tx: Tx) => Promise<void>,
): MessageHandler {
  return async (event) => {
    await processed.runOnce(consumerName, event.id, (tx) => handler(event, tx));
  };
}
