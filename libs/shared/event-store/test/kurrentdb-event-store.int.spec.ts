/**
 * The event store contract against a real KurrentDB/EventStoreDB: `EVENTSTORE_URL=kurrentdb://localhost:2113?tls=false`
 * (e.g. the `kurrentdb` service of docker-compose.yml). Without it the suite is reported as skipped — never
 * faked. Stream names are unique per test, so a shared, non-empty server is fine.
 */
import { KURRENTDB_CAPABILITIES, KurrentDbEventStore } from '../src';
import { describeEventStoreContract } from './event-store.contract';

const url = process.env.EVENTSTORE_URL;

describeEventStoreContract(
  'KurrentDB',
  async () => {
    const store = KurrentDbEventStore.fromConnectionString(url as string);
    return { store, dispose: () => store.close(), capabilities: KURRENTDB_CAPABILITIES };
  },
  { skip: !url },
);
