/**
 * `leakwatch audit events`: the audit log of a running Leakwatch (GET /api/v1/audit/events, NDJSON) saved to a
 * file or stdout as it streams in, with a running count on stderr. Scoped like the API: the key's visible leaks.
 * `audit verify | export | public-key` (the store's tamper evidence) live in audit-chain.command.ts.
 */
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { Command, Option } from 'commander';
import { registerAuditChainCommands } from './audit-chain.command';

export function registerAuditCommand(program: Command): void {
  const audit = program.command('audit').description('The audit log of a running Leakwatch; tamper evidence of the event store and signed exports');
  registerAuditChainCommands(audit);
  audit
    .command('events')
    .description('Every event of the leaks your key may see (NDJSON, one event per line), in recording order')
    .option('--from <time>', 'only events at or after this ISO 8601 time')
    .option('--to <time>', 'only events before this ISO 8601 time')
    .option('--type <type>', 'only events of this type, e.g. LeakStatusChanged')
    .option('--out <file>', 'write to this file instead of stdout')
    .addOption(new Option('--url <url>', 'base URL of Leakwatch (or its gateway)').default('http://localhost:8080').env('LEAKWATCH_URL'))
    .addOption(new Option('--key <key>', 'API key (prefer the env variable: keys on command lines end up in shell history)').env('LEAKWATCH_API_KEY'))
    .addHelpText('after', `\nExample:\n  $ LEAKWATCH_API_KEY=lw_... npm run leakwatch -- audit events --from 2026-01-01 --type LeakStatusChanged --out audit.ndjson`)
    .action(async (options: { from?: string; to?: string; type?: string; out?: string; url: string; key?: string }) => {
      if (!options.key) throw new Error('an API key is required: set LEAKWATCH_API_KEY (or --key)');
      const url = new URL('/api/v1/audit/events', options.url);
      for (const name of ['from', 'to', 'type'] as const) if (options[name]) url.searchParams.set(name, options[name] as string);
      let response: Response;
      try {
        response = await fetch(url, { headers: { 'x-api-key': options.key } });
      } catch (error) {
        throw new Error(`cannot reach ${options.url}: ${(error as Error).message}`);
      }
      if (!response.ok || !response.body) {
        const text = await response.text();
        let detail = text;
        try {
          const problem = JSON.parse(text) as { detail?: string; errors?: Array<{ field: string; message: string }> };
          detail = problem.errors?.length ? problem.errors.map((e) => `${e.field}: ${e.message}`).join('; ') : problem.detail ?? text;
        } catch {
          // not JSON: print as is
        }
        throw new Error(`${response.status}: ${detail}`);
      }
      const out = options.out ? createWriteStream(options.out) : process.stdout;
      let events = 0;
      let reported = 0;
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
        events += countNewlines(chunk);
        if (!out.write(chunk)) await once(out, 'drain');
        if (events - reported >= 1000) {
          process.stderr.write(`audit events: ${events} so far\n`);
          reported = events;
        }
      }
      if (options.out) {
        (out as ReturnType<typeof createWriteStream>).end();
        await once(out, 'finish');
      }
      process.stderr.write(`audit events: ${events} event${events === 1 ? '' : 's'}${options.out ? ` written to ${options.out}` : ''}\n`);
    });
}

function countNewlines(chunk: Uint8Array): number {
  let n = 0;
  for (const byte of chunk) if (byte === 10) n++;
  return n;
}
