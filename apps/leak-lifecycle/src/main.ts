/** The `leak-lifecycle` service on its own (distributed mode). */
import { AuthModule } from '@leakwatch/auth';
import { LeakLifecycleModule } from '@leakwatch/leak-lifecycle/feature';
import { runLeakwatch } from '@leakwatch/runtime';

void runLeakwatch({ name: 'leak-lifecycle', modules: [AuthModule.forRoot(), LeakLifecycleModule] });
