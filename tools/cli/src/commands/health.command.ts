import { Command, Option } from 'commander';

export function registerHealthCommand(program: Command): void {
  program
    .command('health')
    .description('Ask a running Leakwatch for its health, per dependency; exits 1 when anything is down')
    .addOption(new Option('--url <url>', 'base URL of Leakwatch (or its gateway)').default('http://localhost:8080').env('LEAKWATCH_URL'))
    .option('--json', 'print the raw JSON answer')
    .action(async (options: { url: string; json?: boolean }) => {
      let response: Response;
      try {
        response = await fetch(new URL('/health', options.url), { signal: AbortSignal.timeout(10_000) });
      } catch (error) {
        throw new Error(`cannot reach ${options.url}: ${(error as Error).message}`);
      }
      const body = (await response.json()) as { status: string; details?: Record<string, { status: string; message?: string }> };
      if (options.json) console.log(JSON.stringify(body, null, 2));
      else {
        console.log(`${options.url}: ${body.status}`);
        for (const [name, detail] of Object.entries(body.details ?? {})) {
          console.log(`  ${detail.status === 'up' ? '✓' : '✗'} ${name}${detail.message ? ` — ${detail.message}` : ''}`);
        }
      }
      if (response.status !== 200) process.exitCode = 1;
    });
}
