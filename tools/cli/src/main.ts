import { buildProgram } from './program';

buildProgram()
  .parseAsync(process.argv)
  .catch((error: unknown) => {
    console.error(`leakwatch: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  });
