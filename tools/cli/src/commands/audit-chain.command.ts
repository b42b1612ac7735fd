/**
 * `leakwatch audit verify | export | public-key` (issue 14.3/14.4): the event store's tamper evidence, read
 * straight from the database (DATABASE_URL or the embedded one, like the other store commands), and signed
 * exports an auditor verifies offline with `audit verify --file`.
 *
 * Exit codes of verify: 0 clean, 2 tampering found, 1 could not verify (an error).
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { Command, Option } from 'commander';
import { SingleBar } from 'cli-progress';
import { ChainReport, ensureEventStoreSchema, ExportReport, publicKeyFingerprint, verifyEventChain, verifyExportFile, writeAuditExport } from '@leakwatch/event-store';
import { openDatabase } from '../database';
import { exportPublicKeys, exportSigner, readPublicKey } from './audit-signing';

/** Exit code when tampering was found (1 is an error: nothing could be concluded). */
export const TAMPERED_EXIT_CODE = 2;

const positiveInt = (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new Error(`not a positive integer: ${value}`);
  return n;
};

const time = (value: string) => {
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) throw new Error(`not an ISO 8601 time: ${value}`);
  return date;
};

function progressBar(label: string): { update(done: number, total: number): void; stop(): void } {
  const bar = new SingleBar({ format: `${label} [{bar}] {percentage}% | {value}/{total} events | {duration_formatted}`, stream: process.stderr, hideCursor: true });
  let started = false;
  return {
    update(done, total) {
      if (!started) bar.start(Math.max(total, done), 0);
      started = true;
      bar.setTotal(Math.max(total, done));
      bar.update(done);
    },
    stop: () => started && bar.stop(),
  };
}

export function registerAuditChainCommands(audit: Command): void {
  audit
    .command('verify')
    .description('Recompute the event store\'s hash chains and checkpoints (or an export\'s, with --file) and report the first event changed, deleted or reordered')
    .option('--file <export>', 'verify an export file offline (no database) instead of the store')
    .option('--public-key <key>', 'with --file: the signer\'s public key (PEM file, PEM or base64 from `leakwatch audit public-key`) the manifest must be signed with')
    .option('--no-checkpoint', 'do not write new checkpoints (a clean pass writes them by default)')
    .addOption(new Option('--checkpoint-every <n>', 'events between two checkpoints written by this pass').default(10_000).argParser(positiveInt))
    .option('--json', 'print the report as JSON')
    .addHelpText(
      'after',
      `
Exit code: 0 clean, ${TAMPERED_EXIT_CODE} tampering found, 1 could not verify.
Events written before the chain existed (stores upgraded in place) are reported as "unchained", not as tampered.
A clean pass over the store writes all-stream checkpoints (es_chain_checkpoints): they are what reveals a deleted
last event of a stream on later passes — run verify regularly (e.g. from cron), and keep the printed checkpoint
hash somewhere the database's administrators cannot write.

Examples:
  $ npm run leakwatch -- audit verify
  $ npm run leakwatch -- audit verify --file audit-2026-12.ndjson --public-key leakwatch-audit.pem`,
    )
    .action(async (options: { file?: string; publicKey?: string; checkpoint: boolean; checkpointEvery: number; json?: boolean }) => {
      if (options.file) return verifyFile(options.file, options);
      if (options.publicKey) throw new Error('--public-key goes with --file');
      const db = await openDatabase();
      db.pool.on('error', () => undefined); // an idle client may see the embedded server stop as we close it
      const bar = options.json ? undefined : progressBar('verify');
      try {
        const exists = await db.pool.query(`SELECT to_regclass('es_events') IS NOT NULL AS present`);
        if (!exists.rows[0].present) throw new Error(`no event store in the ${db.describe}`);
        await ensureEventStoreSchema(db.pool); // a store from before the chain is upgraded in place, as on start
        const report = await verifyEventChain(db.pool, { writeCheckpoints: options.checkpoint, checkpointEvery: options.checkpointEvery, onProgress: (done, total) => bar?.update(done, total) });
        bar?.stop();
        if (options.json) console.log(JSON.stringify({ database: db.describe, ...report }, null, 2));
        else printStoreReport(db.describe, report);
        if (report.problemCount) process.exitCode = TAMPERED_EXIT_CODE;
      } finally {
        bar?.stop();
        await db.close();
      }
    });

  audit
    .command('export')
    .description('Export the events of a time window as NDJSON, with a signed manifest (chain heads, digest) for offline verification')
    .addOption(new Option('--from <time>', 'from the first event recorded at or after this ISO 8601 time').argParser(time))
    .addOption(new Option('--to <time>', 'to the last event recorded before this ISO 8601 time').argParser(time))
    .option('--out <file>', 'write to this file instead of stdout')
    .addHelpText(
      'after',
      `
The file: one line per event in all-stream order (data and metadata exactly as stored), then one manifest line
{"manifest":{…},"signature":{…}} signed with Ed25519 by a key derived from the secrets key (see
\`leakwatch audit public-key\`). Give the auditor the file and, by another channel, the public key.

Example:
  $ npm run leakwatch -- audit export --from 2026-12-01 --to 2027-01-01 --out audit-2026-12.ndjson
  $ npm run leakwatch -- audit verify --file audit-2026-12.ndjson --public-key leakwatch-audit.pem`,
    )
    .action(async (options: { from?: Date; to?: Date; out?: string }) => {
      const signer = exportSigner();
      const db = await openDatabase();
      db.pool.on('error', () => undefined); // an idle client may see the embedded server stop as we close it
      const bar = options.out ? progressBar('export') : undefined;
      const out = options.out ? createWriteStream(options.out) : process.stdout;
      try {
        const exists = await db.pool.query(`SELECT to_regclass('es_events') IS NOT NULL AS present`);
        if (!exists.rows[0].present) throw new Error(`no event store in the ${db.describe}`);
        await ensureEventStoreSchema(db.pool);
        const manifest = await writeAuditExport(db.pool, async (chunk) => {
          if (!out.write(chunk)) await once(out, 'drain');
        }, { from: options.from, to: options.to, signer, onProgress: (done, total) => bar?.update(done, total) });
        bar?.stop();
        if (options.out) {
          (out as ReturnType<typeof createWriteStream>).end();
          await once(out, 'finish');
        }
        process.stderr.write(
          `audit export: ${manifest.events} event${manifest.events === 1 ? '' : 's'} in ${Object.keys(manifest.streams).length} streams (${manifest.chained} chained, ${manifest.unchained} unchained)` +
            `${options.out ? ` written to ${options.out}` : ''}; signed with key ${signer.keyId}\n`,
        );
      } finally {
        bar?.stop();
        await db.close();
      }
    });

  audit
    .command('public-key')
    .description('Print the public key that verifies audit exports (PEM), for auditors to pin with verify --public-key')
    .option('--all', 'also the keys of older secrets keys still in the keyring (they signed older exports)')
    .action((options: { all?: boolean }) => {
      const keys = exportPublicKeys();
      for (const { keyId, publicKey } of options.all ? keys : keys.slice(0, 1)) {
        process.stdout.write(`# Leakwatch audit export signing key ${keyId} (Ed25519, fingerprint ${publicKeyFingerprint(publicKey)})\n`);
        process.stdout.write(publicKey.export({ type: 'spki', format: 'pem' }).toString());
      }
    });
}

async function verifyFile(file: string, options: { publicKey?: string; json?: boolean }): Promise<void> {
  const publicKey = options.publicKey ? readPublicKey(options.publicKey) : undefined;
  const lines = createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity });
  const report = await verifyExportFile(lines, { publicKey });
  if (options.json) console.log(JSON.stringify({ file, ...report }, null, 2));
  else printFileReport(file, report, !!publicKey);
  if (report.problems.length) process.exitCode = TAMPERED_EXIT_CODE;
}

function printStoreReport(database: string, report: ChainReport): void {
  console.log(`Event store in the ${database}`);
  console.log(
    `  ${report.streams} streams, ${report.events} events checked: ${report.chained} chained, ${report.unchained} unchained` +
      (report.unchained ? ` (written before the chain started, at position ${report.chainStart ?? '?'})` : ''),
  );
  const latest = report.checkpoints.latest;
  console.log(
    `  checkpoints: ${report.checkpoints.checked} checked, ${report.checkpoints.written} written` +
      (latest ? `; latest at position ${latest.position.transactionId}:${latest.position.globalPosition} (${latest.events} events), hash ${latest.hash}` : ''),
  );
  if (!report.problemCount) return console.log('OK: no event was changed, deleted or reordered.');
  console.log(`TAMPERED: ${report.problemCount} problem${report.problemCount === 1 ? '' : 's'}; the first ${Math.min(10, report.problems.length)}:`);
  for (const p of report.problems.slice(0, 10)) {
    console.log(`  ${p.kind.padEnd(10)} ${p.streamId ? `stream ${p.streamId} revision ${p.revision} ` : ''}at position ${p.position.transactionId}:${p.position.globalPosition} — ${p.detail}`);
  }
}

function printFileReport(file: string, report: ExportReport, pinned: boolean): void {
  console.log(`Export ${file}`);
  console.log(`  ${report.streams} streams, ${report.events} events checked: ${report.chained} chained, ${report.unchained} unchained`);
  if (report.manifest) console.log(`  window ${report.manifest.window.from ?? 'start'} – ${report.manifest.window.to ?? 'end'}, positions ${report.manifest.first_position ?? '-'} – ${report.manifest.last_position ?? '-'}`);
  if (report.signature) {
    console.log(
      `  signature: Ed25519 by key ${report.signature.keyId} (fingerprint ${report.signature.fingerprint}), ${report.signature.valid ? 'valid' : 'INVALID'}` +
        (pinned ? (report.signature.pinned ? ', the pinned key' : ', NOT the pinned key') : ' — not pinned: pass --public-key to check who signed'),
    );
  }
  if (!report.problems.length) return console.log('OK: no line was changed, deleted or reordered.');
  console.log(`TAMPERED: ${report.problems.length} problem${report.problems.length === 1 ? '' : 's'}; the first ${Math.min(10, report.problems.length)}:`);
  for (const p of report.problems.slice(0, 10)) {
    console.log(`  ${p.kind.padEnd(10)} line ${p.line}${p.streamId ? ` stream ${p.streamId}${p.revision !== undefined ? ` revision ${p.revision}` : ''}` : ''} — ${p.detail}`);
  }
}
