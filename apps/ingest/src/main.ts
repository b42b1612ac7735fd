/** The `ingest` service on its own (distributed mode). */
import { AuthModule } from '@leakwatch/auth';
import { IngestModule } from '@leakwatch/ingest/feature';
import { runLeakwatch } from '@leakwatch/runtime';

void runLeakwatch({ name: 'ingest', modules: [AuthModule.forRoot(), IngestModule] });
