/** The `gateway` service on its own (distributed mode). */
import { AuthModule } from '@leakwatch/auth';
import { GatewayModule } from '@leakwatch/gateway/feature';
import { runLeakwatch } from '@leakwatch/runtime';

void runLeakwatch({ name: 'gateway', modules: [AuthModule.forRoot(), GatewayModule] });
