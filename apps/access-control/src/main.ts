/** The `access-control` service on its own (distributed mode). */
import { AccessControlModule } from '@leakwatch/access-control/feature';
import { runLeakwatch } from '@leakwatch/runtime';

void runLeakwatch({ name: 'access-control', modules: [AccessControlModule] });
