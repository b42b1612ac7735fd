/** The `access-control` service on its own (distributed mode). */
import { AuthModule } from '@leakwatch/auth';
import { AccessControlModule } from '@leakwatch/access-control/feature';
import { runLeakwatch } from '@leakwatch/runtime';

void runLeakwatch({ name: 'access-control', modules: [AuthModule.forRoot(), AccessControlModule.forRoot()] });
