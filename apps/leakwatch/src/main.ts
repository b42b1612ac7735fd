/**
 * Embedded mode (`npm start`): all five services in ONE process, in-process integration bus,
 * event store and read models in an embedded PostgreSQL under LEAKWATCH_DATA_DIR.
 */
import { runLeakwatch } from '@leakwatch/runtime';
import { ALL_SERVICES } from './services';

void runLeakwatch({ name: 'all', modules: Object.values(ALL_SERVICES) });
