import { InMemoryEventStore } from '../src';
import { describeEventStoreContract } from './event-store.contract';

describeEventStoreContract('in-memory', async () => {
  const store = new InMemoryEventStore();
  return { store, dispose: () => store.close() };
});
