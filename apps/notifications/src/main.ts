/** The `notifications` service on its own (distributed mode): outbound webhooks fed by leakwatch.leaks.v1. */
import { AuthModule } from '@leakwatch/auth';
import { NotificationsModule } from '@leakwatch/notifications/feature';
import { runLeakwatch } from '@leakwatch/runtime';

void runLeakwatch({ name: 'notifications', modules: [AuthModule.forRoot(), NotificationsModule] });
