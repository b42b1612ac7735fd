import { Command, Option } from 'commander';

interface HealthBody {
  status?: string;
  failing?: string[];
  details?: Record<string, { status: string; message?: string }>;
  detail?: string;
}

export function registerHealthCommand(program: Command): void {
  program
    .command('health')
    .description('Ask a running Leakwatch for its health, per dependency; exits 1 when anything is down, naming it')
    .addOption(new Option('--url <url>', 'base URL of Leakwatch (or its gateway)').default('http://localhost:8080').env('LEAKWATCH_URL'))
    .option('--json', 'print the raw JSON answer')
    .action(async (options: { url: string; json?: boolean }) => {
      let response: Response;
      try {
        response = await fetch(new URL('/health', options.url), { signal: AbortSignal.timeout(10_000) });
      } catch (error) {
        throw new Error(`cannot reach ${options.url}: ${(error as Error).message}`);
      }
      const text = await response.text();
      let body: HealthBody;
      try {
        body = JSON.parse(text) as HealthBody;
      } catch {
        body = { detail: text.slice(0, 200) };
      }
      if (options.json) console.log(JSON.stringify(body, null, 2));
      else {
        console.log(`${options.url}: ${body.status ?? `HTTP ${response.status}`}`);
        for (const [name, detail] of Object.entries(body.details ?? {})) {
          console.log(`  ${detail.status === 'up' ? '✓' : '✗'} ${name}${detail.message ? ` — ${detail.message}` : ''}`);
        }
        if (!body.details && body.detail) console.log(`  ${body.detail}`);
      }
      if (response.status !== 200) {
        const failing = body.failing ?? Object.entries(body.details ?? {}).filter(([, d]) => d.status !== 'up').map(([name]) => name);
        console.error(failing.length ? `down: ${failing.join(', ')}` : `unhealthy: HTTP ${response.status}`);
        process.exitCode = 1;
      }
    });
}
