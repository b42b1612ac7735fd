/**
 * `leakwatch ingest <file>`: sends a scanner report to a running Leakwatch (streamed, with an upload
 * progress bar) and prints what was accepted, what were duplicates, and each rejected record.
 */
import { createReadStream, statSync } from 'node:fs';
import { Readable } from 'node:stream';
import { Command, Option } from 'commander';
import { createProgress } from '../projections/progress';

const FORMATS = ['gitleaks', 'trufflehog', 'sarif'] as const;
type Format = (typeof FORMATS)[number];

const CONTENT_TYPES: Record<Format, string> = { gitleaks: 'application/json', trufflehog: 'application/x-ndjson', sarif: 'application/sarif+json' };

export function formatFromFileName(file: string): Format | undefined {
  if (/\.sarif(\.json)?$/i.test(file)) return 'sarif';
  if (/\.(ndjson|jsonl)$/i.test(file)) return 'trufflehog';
  if (/\.json$/i.test(file)) return 'gitleaks';
  return undefined;
}

export function registerIngestCommand(program: Command): void {
  program
    .command('ingest')
    .description('Send a scanner report (gitleaks JSON, TruffleHog NDJSON, SARIF) to Leakwatch')
    .argument('<file>', 'the report file')
    .addOption(new Option('-f, --format <format>', 'report format (default: from the file name: .json gitleaks, .ndjson/.jsonl trufflehog, .sarif sarif)').choices(FORMATS))
    .addOption(new Option('--url <url>', 'base URL of Leakwatch (or its gateway)').default('http://localhost:8080').env('LEAKWATCH_URL'))
    .addOption(new Option('--key <key>', 'API key of an admin (prefer the env variable: keys on command lines end up in shell history)').env('LEAKWATCH_API_KEY'))
    .option('--json', 'print the raw JSON answer')
    .addHelpText('after', `\nExample:\n  $ LEAKWATCH_API_KEY=lw_... npm run leakwatch -- ingest gitleaks-report.json\n  $ npm run leakwatch -- ingest results.sarif --format sarif --url https://leakwatch.example.com`)
    .action(async (file: string, options: { format?: Format; url: string; key?: string; json?: boolean }) => {
      const format = options.format ?? formatFromFileName(file);
      if (!format) throw new Error(`cannot tell the format of ${file} from its name: pass --format ${FORMATS.join('|')}`);
      if (!options.key) throw new Error('an API key is required: set LEAKWATCH_API_KEY (or --key)');
      let size: number;
      try {
        size = statSync(file).size;
      } catch {
        throw new Error(`cannot read ${file}`);
      }
      const progress = createProgress(`upload ${file}`, process.stderr, 'bytes');
      progress.start(size);
      let sent = 0;
      const body = createReadStream(file);
      body.on('data', (chunk) => {
        sent += chunk.length;
        progress.update(sent, size);
      });
      let response: Response;
      try {
        response = await fetch(new URL(`/api/v1/ingest/${format}`, options.url), {
          method: 'POST',
          headers: { 'x-api-key': options.key, 'content-type': CONTENT_TYPES[format], 'content-length': String(size) },
          body: Readable.toWeb(body) as ReadableStream,
          duplex: 'half',
        } as RequestInit);
      } catch (error) {
        throw new Error(`cannot reach ${options.url}: ${(error as Error).message}`);
      } finally {
        progress.stop();
      }
      const answer = (await response.json().catch(() => ({}))) as {
        batch_id?: string; accepted?: number; duplicates?: number; rejected?: Array<{ index: number; error: string }>; title?: string; detail?: string;
      };
      if (options.json) console.log(JSON.stringify(answer, null, 2));
      if (response.status !== 202) {
        if (!options.json) console.error(`refused (${response.status}): ${answer.title ?? ''}${answer.detail ? ` — ${answer.detail}` : ''}`);
        process.exitCode = 1;
        return;
      }
      if (options.json) return;
      const rejected = answer.rejected ?? [];
      console.log(`${file} (${format}): ${answer.accepted} accepted, ${answer.duplicates} already known, ${rejected.length} rejected — batch ${answer.batch_id}`);
      for (const r of rejected.slice(0, 50)) console.log(`  record ${r.index}: ${r.error}`);
      if (rejected.length > 50) console.log(`  … and ${rejected.length - 50} more (use --json for all)`);
    });
}
