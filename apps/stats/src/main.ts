/** The `stats` service on its own (distributed mode). */
import { AuthModule } from '@leakwatch/auth';
import { StatsModule } from '@leakwatch/stats/feature';
import { runLeakwatch } from '@leakwatch/runtime';

void runLeakwatch({ name: 'stats', modules: [AuthModule.forRoot(), StatsModule] });
