/**
 * Embedded mode (`npm start`): all five services in ONE process, in-process integration bus,
 * event store and read models in an embedded PostgreSQL under LEAKWATCH_DATA_DIR.
 */
import { runLeakwatch } from '@leakwatch/runtime';
import { embeddedModules } from './services';

void runLeakwatch({ name: 'all', modules: embeddedModules() });
