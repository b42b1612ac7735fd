/**
 * Ingest throughput benchmark (not a test): writes a gitleaks v8 JSON report of N findings to a temporary
 * file (streamed), starts `npm start`'s embedded Leakwatch as a child process on a throwaway data directory,
 * uploads the report as a streamed body to `POST /api/v1/ingest/gitleaks`, and measures
 *   - the time to the 202 (accepted = every finding durably stored), and the server's resident memory
 *     meanwhile (VmRSS sampled every 200 ms, VmHWM): a report held in memory twice would show as a peak of
 *     about twice the file size above the resting RSS;
 *   - the time until `GET /api/v1/leaks` reports all N leaks (the findings went through the bus to
 *     leak-lifecycle, its Leak streams and its read model): findings/s end to end, and the lag after the 202.
 * Every loop is bounded and a hard timeout ends the run; the data directory, the report file and every
 * process started here are removed on the way out, also on an error or Ctrl-C.
 *
 *   npm run bench:ingest -- --findings 100000
 */
import { createReadStream, mkdtempSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { Command, Option } from 'commander';
import { Api, benchAdminKey, orgAdmin } from './support/api';
import { Column, machine, mebibytes, millis, perSecond, percentile, positiveInt, printTable, seconds } from './support/format';
import { TargetRow, printTargets, target } from './support/targets';
import { writeGitleaksReport } from './support/gitleaks-report';
import { Resources, log, startLeakwatch } from './support/process';
import { RssSampler, readMemory } from './support/rss';
import { runBenchmark } from './support/run';

interface Options {
  findings: number;
  timeout: number;
}

interface Row {
  measure: string;
  count: string;
  time: string;
  rate: string;
}

interface MemoryRow {
  measure: string;
  value: string;
  note?: string;
}

const COLUMNS: Array<Column<Row>> = [
  ['measure', 'measure', 'left'],
  ['count', 'count', 'right'],
  ['time', 'time', 'right'],
  ['rate', 'rate', 'right'],
];
const MEMORY_COLUMNS: Array<Column<MemoryRow>> = [
  ['measure', 'memory (server process, Node)', 'left'],
  ['value', 'value', 'right'],
  ['note', '', 'left'],
];

type IngestAnswer = { batch_id: string; accepted: number; duplicates: number; rejected: Array<{ index: number; error: string }> };

async function benchmark(options: Options, resources: Resources, abort: AbortSignal): Promise<{ rows: Row[]; memory: MemoryRow[]; targets: TargetRow[] }> {
  const targets: TargetRow[] = [];
  const deadline = Date.now() + options.timeout * 60_000;
  const n = options.findings;
  const rows: Row[] = [];
  const memory: MemoryRow[] = [];

  const reportDir = mkdtempSync(path.join(os.tmpdir(), 'leakwatch-bench-report-'));
  resources.paths.add(reportDir);
  const reportFile = path.join(reportDir, 'gitleaks-report.json');
  log(`writing a gitleaks v8 report of ${n.toLocaleString('en-US')} findings to ${reportFile}…`);
  const writeStarted = performance.now();
  const bytes = await writeGitleaksReport(reportFile, n, abort);
  const writeMs = performance.now() - writeStarted;
  if (statSync(reportFile).size !== bytes) throw new Error(`report file is ${statSync(reportFile).size} bytes, wrote ${bytes}`);
  log(`report: ${mebibytes(bytes)} (${bytes.toLocaleString('en-US')} bytes, ${Math.round(bytes / n)} bytes per finding)`);
  rows.push({ measure: `write the report file (${mebibytes(bytes)}, ${Math.round(bytes / n)} B/finding)`, count: `${n} findings`, time: seconds(writeMs), rate: perSecond(n, writeMs, 'findings') });

  const bootstrapKey = benchAdminKey();
  log('starting Leakwatch (embedded mode, fresh data directory)…');
  const bootStarted = performance.now();
  const app = await startLeakwatch(resources, bootstrapKey, {
    // Large enough for this report, whatever its size (the defaults are 256 MiB and 500,000 records).
    LEAKWATCH_INGEST_MAX_RECORDS: String(Math.max(n, 500_000)),
    LEAKWATCH_INGEST_MAX_BYTES: String(Math.max(bytes * 2, 256 * 1024 * 1024)),
  });
  rows.push({ measure: 'start embedded Leakwatch (until /health is 200)', count: '1', time: seconds(performance.now() - bootStarted), rate: '' });
  const { api, key } = await orgAdmin(new Api(app.url, bootstrapKey));

  // One leak of its own, whose status a client toggles while the report is ingested (read-your-writes latency).
  const probe = (await api.expect<{ leakids: string[] }>(201, 'POST', '/api/v1/leaks', { tokens: [{ value: `ghp_${'0'.repeat(35)}1` }], source: { name: 'bench-probe' } })).body.leakids[0];
  const probeLatencies: number[] = [];
  let probing = false;
  const probeLoop = async () => {
    for (let i = 0; probing; i++) {
      // A failing probe must not end the run by itself: the upload's own checks say what went wrong.
      const result = await api.call('POST', '/api/v1/leaks/status', { leakids: [probe], status: i % 2 ? 'open' : 'fixed' }).catch(() => undefined);
      if (result?.status === 200) probeLatencies.push(result.ms);
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  const pid = app.child.pid as number;
  await new Promise((r) => setTimeout(r, 1000)); // let start-up garbage settle before the baseline
  const before = readMemory(pid);
  const sampler = new RssSampler(pid, 200).start();
  try {
    log(`uploading the report (streamed body) to POST /api/v1/ingest/gitleaks…`);
    const uploadStarted = performance.now();
    probing = true;
    const probeDone = probeLoop();
    let bodySentAt: number | undefined;
    const file = createReadStream(reportFile, { highWaterMark: 256 * 1024 });
    file.once('end', () => (bodySentAt = performance.now()));
    const response = await fetch(`${app.url}/api/v1/ingest/gitleaks`, {
      method: 'POST',
      headers: { 'x-api-key': key, 'content-type': 'application/json' },
      body: Readable.toWeb(file) as unknown as RequestInit['body'],
      duplex: 'half',
      signal: AbortSignal.any([abort, AbortSignal.timeout(Math.max(1000, deadline - Date.now()))]),
    });
    const text = await response.text();
    const acceptedAt = performance.now();
    const afterUpload = sampler.sample();
    const acceptMs = acceptedAt - uploadStarted;
    if (response.status !== 202) throw new Error(`POST /api/v1/ingest/gitleaks answered ${response.status}: ${text.slice(0, 2000)}`);
    const answer = JSON.parse(text) as IngestAnswer;
    if (answer.accepted !== n || answer.rejected.length || answer.duplicates) {
      throw new Error(`expected ${n} accepted findings, no duplicates and no rejections; got ${JSON.stringify({ ...answer, rejected: answer.rejected.slice(0, 5) })}`);
    }
    const uploadPeak = sampler.peak(uploadStarted, acceptedAt);
    log(`202 after ${seconds(acceptMs)}: ${answer.accepted} accepted (batch ${answer.batch_id})`);
    if (bodySentAt !== undefined) {
      rows.push({ measure: 'upload: body read and sent (client side, streamed)', count: mebibytes(bytes), time: seconds(bodySentAt - uploadStarted), rate: perSecond(n, bodySentAt - uploadStarted, 'findings') });
    }
    rows.push({ measure: 'upload → 202 (accepted = durable)', count: `${n} findings`, time: seconds(acceptMs), rate: perSecond(n, acceptMs, 'findings') });

    log('waiting until GET /api/v1/leaks reports every leak…');
    let total = 0;
    let atAccept: number | undefined;
    let lastLog = performance.now();
    let lastTotal = 0;
    for (;;) {
      abort.throwIfAborted();
      total = (await api.expect<{ total: number }>(200, 'GET', '/api/v1/leaks?limit=1')).body.total - 1; // minus the probe leak
      atAccept ??= total;
      if (total >= n) break;
      if (Date.now() > deadline) throw new Error(`only ${total} of ${n} leaks queryable before --timeout ${options.timeout} min`);
      if (app.child.exitCode !== null) throw new Error(`leakwatch exited with ${app.child.exitCode}:\n${app.output()}`);
      const now = performance.now();
      if (now - lastLog >= 10_000) {
        log(`  ${total.toLocaleString('en-US')} of ${n.toLocaleString('en-US')} queryable (${perSecond(total - lastTotal, now - lastLog, 'leaks')} over the last ${seconds(now - lastLog)})`);
        lastLog = now;
        lastTotal = total;
      }
      await new Promise((r) => setTimeout(r, 250));
    }
    const queryableAt = performance.now();
    probing = false;
    await probeDone;
    const e2eMs = queryableAt - uploadStarted;
    rows.push({ measure: 'upload → all leaks queryable (GET /api/v1/leaks total = N)', count: `${n} findings`, time: seconds(e2eMs), rate: perSecond(n, e2eMs, 'findings') });
    rows.push({
      measure: `lag: 202 → all queryable (${(atAccept ?? 0).toLocaleString('en-US')} queryable at the 202)`,
      count: `${n - (atAccept ?? 0)} leaks`,
      time: seconds(queryableAt - acceptedAt),
      rate: perSecond(n - (atAccept ?? 0), queryableAt - acceptedAt, 'leaks'),
    });

    const catchUpPeak = sampler.peak(acceptedAt, queryableAt);
    const after = readMemory(pid);
    const mib = (b: number | undefined) => (b === undefined ? 'n/a' : mebibytes(b));
    memory.push({ measure: 'report file size', value: mebibytes(bytes), note: `${bytes.toLocaleString('en-US')} bytes` });
    memory.push({ measure: 'RSS before the upload (VmRSS)', value: mib(before?.rss), note: `peak since start (VmHWM) ${mib(before?.hwm)}` });
    memory.push({
      measure: `peak RSS during the upload (VmRSS every 200 ms)`,
      value: mib(uploadPeak),
      note: uploadPeak !== undefined && before ? `+${mebibytes(uploadPeak - before.rss)} over the baseline = ${((uploadPeak - before.rss) / bytes).toFixed(2)} × the file size` : '',
    });
    memory.push({ measure: 'VmHWM right after the 202 (lifetime peak)', value: mib(afterUpload?.hwm), note: 'catches a peak shorter than the sampling interval' });
    memory.push({ measure: 'peak RSS from the 202 until all queryable', value: mib(catchUpPeak), note: `RSS at the end ${mib(after?.rss)}; ${sampler.count} samples in all` });

    const sortedProbe = [...probeLatencies].sort((a, b) => a - b);
    rows.push({ measure: 'single status change while the report is ingested (p50 / p99)', count: `${sortedProbe.length} requests`, time: `${millis(percentile(sortedProbe, 50))} / ${millis(percentile(sortedProbe, 99))}`, rate: '' });
    const peak = Math.max(uploadPeak ?? 0, catchUpPeak ?? 0);
    const overBaseline = before && peak ? peak - before.rss : undefined;
    targets.push(
      target(`${n.toLocaleString('en-US')}-finding report, upload start → all leaks queryable`, `${seconds(e2eMs)} (${perSecond(n, e2eMs, 'findings')})`, '≤ 20 s (≥ 5,000 findings/s) at 100,000', (n / e2eMs) * 1000 >= 5000),
      target(`server RSS peak over its baseline, ${n.toLocaleString('en-US')} findings`, overBaseline === undefined ? 'n/a' : `+${mebibytes(overBaseline)}`, '≤ +250 MiB (100k and 500k)', overBaseline === undefined ? undefined : overBaseline <= 250 * 1024 * 1024),
      target('single status change p50 while the ingest is in progress', millis(percentile(sortedProbe, 50)), '≤ 50 ms', sortedProbe.length ? percentile(sortedProbe, 50) <= 50 : undefined),
    );
  } catch (error) {
    probing = false;
    const tail = app.output().trim();
    if (tail) log(`last output of leakwatch:\n${tail.slice(-4000)}`);
    throw error;
  } finally {
    sampler.stop();
  }
  const tail = app.output().trim();
  if (tail) log(`leakwatch wrote (LOG_LEVEL=warn), last lines:\n${tail.split('\n').slice(-20).join('\n')}`);
  return { rows, memory, targets };
}

async function main(): Promise<void> {
  const program = new Command('bench:ingest')
    .description(
      'Ingest throughput of an embedded Leakwatch started for the run (child process, temporary data directory): a generated gitleaks ' +
        'v8 report is streamed to POST /api/v1/ingest/gitleaks; prints the time to the 202, the server’s RSS during the upload, and ' +
        'findings/s until GET /api/v1/leaks shows every leak',
    )
    .addOption(new Option('--findings <n>', 'findings in the generated report (distinct secrets, so one leak each; about 760 bytes each)').default(100_000).argParser(positiveInt))
    .addOption(new Option('--timeout <minutes>', 'hard limit for the whole run').default(20).argParser(positiveInt))
    .parse(process.argv);
  const options = program.opts<Options>();
  if (!readMemory(process.pid)) log('note: /proc/<pid>/status is not readable here (not Linux?): memory figures will be n/a');

  await runBenchmark(options.timeout, async (resources, abort) => {
    const { rows, memory, targets } = await benchmark(options, resources, abort);
    const title = `Leakwatch ingest benchmark — gitleaks report of ${options.findings} findings, embedded mode; ${machine()}`;
    printTable(title, COLUMNS, rows);
    printTable('Server memory (the Leakwatch Node process; the embedded PostgreSQL is not counted)', MEMORY_COLUMNS, memory);
    printTargets(targets);
  });
}

main().catch((error: unknown) => {
  console.error(`bench: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
