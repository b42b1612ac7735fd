/** The load generator's own process (see load.ts): receives a LoadSpec over IPC, answers with the LoadResult. */
import { LoadSpec, generate } from './load';

process.once('message', (spec) => {
  generate(spec as LoadSpec).then(
    (result) => process.send?.(result, () => process.exit(0)),
    (error: Error) => {
      process.stderr.write(`[load] ${error.message}\n`);
      process.exit(1);
    },
  );
});
