/**
 * Web console benchmark (not a test, issue 11's targets): the compressed size of the console's first load,
 * and how long after sign-in the overview and the leak list (opened directly, and from the overview) are
 * interactive with N leaks in the store.
 * It starts `npm start`'s embedded Leakwatch as a child process on a throwaway data directory, seeds N leaks
 * over HTTP (500 per `POST /api/v1/leaks`, spread over risks and sources), waits until the list and the
 * statistics show them all, then drives a real headless Chromium.
 *
 *   node -r ./tools/register.js tools/bench/console.bench.ts --leaks 100000
 */
import { randomBytes } from 'node:crypto';
import { Command, Option } from 'commander';
import { Api, benchAdminKey, orgAdmin } from './support/api';
import { launchChromium } from './support/chromium';
import { Column, machine, millis, perSecond, positiveInt, printTable, seconds } from './support/format';
import { log, startLeakwatch, waitUntilAsync } from './support/process';
import { runBenchmark } from './support/run';

const SEED_BATCH = 500;
const RISKS = ['critical', 'high', 'medium', 'low'];
const SOURCES = ['github', 'gitlab', 'pastebin', 'gist', 'slack', 'stealer-log', 'jira', 'confluence'];
const BUDGET_BYTES = 300 * 1024;
const INTERACTIVE_MS = 1000;

interface Options {
  leaks: number;
  runs: number;
  timeout: number;
}

interface Row {
  measure: string;
  value: string;
  target: string;
  note: string;
}

const COLUMNS: Array<Column<Row>> = [
  ['measure', 'measure', 'left'],
  ['value', 'value', 'right'],
  ['target', 'target', 'right'],
  ['note', 'note', 'left'],
];

const fakeToken = () => `ghp_${randomBytes(18).toString('hex')}`;
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function main(options: Options): Promise<void> {
  await runBenchmark(options.timeout, async (resources) => {
    const adminKey = benchAdminKey();
    const app = await startLeakwatch(resources, adminKey);
    const { key, api } = await orgAdmin(new Api(app.url, adminKey));
    const rows: Row[] = [];

    log(`seeding ${options.leaks} leaks in requests of ${SEED_BATCH}…`);
    const seedStarted = performance.now();
    for (let offset = 0, batch = 0; offset < options.leaks; offset += SEED_BATCH, batch++) {
      const tokens = Array.from({ length: Math.min(SEED_BATCH, options.leaks - offset) }, () => ({ value: fakeToken() }));
      await api.expect(201, 'POST', '/api/v1/leaks', { source: { name: SOURCES[batch % SOURCES.length] }, tokens, risk: RISKS[batch % RISKS.length] });
      if (batch % 20 === 19) log(`  ${offset + tokens.length} sent`);
    }
    const seen = await waitUntilAsync(async () => {
      const [list, stats] = await Promise.all([
        api.call<{ total: number }>('GET', '/api/v1/leaks?limit=1'),
        api.call<{ total: number }>('GET', '/api/v1/stats/leaks'),
      ]);
      return list.body?.total === options.leaks && stats.body?.total === options.leaks;
    }, options.timeout * 60_000, 1000);
    if (!seen) throw new Error('the leaks never all became visible');
    const seedMs = performance.now() - seedStarted;
    log(`seeded and queryable in ${seconds(seedMs)}`);

    // First load: the page and every file it refers to, as a browser asks for them (brotli, else gzip).
    for (const encoding of ['br', 'gzip']) {
      const page = await fetch(`${app.url}/`, { headers: { 'accept-encoding': encoding } });
      let bytes = Number(page.headers.get('content-length'));
      const html = await page.text();
      const files = [...html.matchAll(/(?:src|href)="(\/console\/[^"]+)"/g)].map((m) => m[1]);
      for (const file of files) {
        const asset = await fetch(`${app.url}${file}`, { headers: { 'accept-encoding': encoding } });
        bytes += Number(asset.headers.get('content-length'));
        await asset.arrayBuffer();
      }
      rows.push({ measure: `first load, ${encoding} (page + ${files.length} files)`, value: `${(bytes / 1024).toFixed(1)} KiB`, target: '≤ 300 KiB', note: bytes <= BUDGET_BYTES ? 'ok' : 'OVER' });
    }

    // The two API calls the overview and the list need, aggregated in the database.
    for (const [label, route] of [['GET /api/v1/stats/leaks (overview)', '/api/v1/stats/leaks?days=30'], ['GET /api/v1/leaks?limit=50 (list)', '/api/v1/leaks?limit=50']]) {
      const times: number[] = [];
      for (let i = 0; i < options.runs; i++) times.push((await api.expect(200, 'GET', route)).ms);
      rows.push({ measure: label, value: millis(median(times)), target: '', note: `median of ${options.runs}, ${options.leaks} leaks` });
    }

    const browser = await launchChromium();
    try {
      const overview: number[] = [];
      const list: number[] = [];
      const signInList: number[] = [];
      // One context, a fresh tab per run (sessionStorage is per tab, so each run signs in from scratch). A blank
      // tab stays open throughout: the single-process Chromium ends when its last tab closes.
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      await context.newPage();
      for (let i = 0; i < options.runs; i++) {
        const page = await context.newPage();
        await page.goto(`${app.url}/`);
        await page.getByLabel('API key').fill(key);
        const started = performance.now();
        await page.getByRole('button', { name: 'Sign in' }).click();
        // Interactive: every chart drawn (its elements' positions recorded) and clickable.
        await page.locator('#chart-attempts[data-points]').waitFor({ timeout: 60_000 });
        overview.push(performance.now() - started);
        const listStarted = performance.now();
        await page.locator('a[href="#/leaks"]').first().click();
        await page.locator('#leaks-table tbody tr').first().waitFor({ timeout: 60_000 });
        list.push(performance.now() - listStarted);
        await page.close();
        // Straight to the list: a shared link to #/leaks, then sign-in; interactive = the first page of rows and
        // the per-type tabs with their counts drawn (the filters and the bulk bar are drawn before them).
        const direct = await context.newPage();
        await direct.goto(`${app.url}/#/leaks`);
        await direct.getByLabel('API key').fill(key);
        const directStarted = performance.now();
        await direct.getByRole('button', { name: 'Sign in' }).click();
        await direct.locator('#leaks-table tbody tr').first().waitFor({ timeout: 60_000 });
        await direct.locator('.tabs button[data-type="all"]').waitFor({ timeout: 60_000 });
        signInList.push(performance.now() - directStarted);
        await direct.close();
      }
      const verdict = (ms: number) => (ms <= INTERACTIVE_MS ? 'ok' : 'OVER');
      rows.push({ measure: 'sign-in → overview interactive (all charts drawn)', value: millis(median(overview)), target: '≤ 1000 ms', note: `${verdict(median(overview))}; median of ${options.runs}, runs ${overview.map((ms) => Math.round(ms)).join('/')} ms` });
      rows.push({ measure: 'sign-in → leak list interactive (opened at #/leaks)', value: millis(median(signInList)), target: '≤ 1000 ms', note: `${verdict(median(signInList))}; median of ${options.runs}, runs ${signInList.map((ms) => Math.round(ms)).join('/')} ms` });
      rows.push({ measure: 'overview → leak list interactive (first page drawn)', value: millis(median(list)), target: '≤ 1000 ms', note: `${verdict(median(list))}; median of ${options.runs}, runs ${list.map((ms) => Math.round(ms)).join('/')} ms` });
    } finally {
      await browser.close();
    }
    rows.push({ measure: 'seed (POST /api/v1/leaks until listed and counted)', value: seconds(seedMs), target: '', note: perSecond(options.leaks, seedMs, 'leaks') });

    console.log(`\nLeakwatch web console benchmark — ${options.leaks} leaks, embedded mode (${machine()})\n`);
    printTable('', COLUMNS, rows);
  });
}

const program = new Command()
  .name('console.bench')
  .description('Web console: first-load size and time to interactive after sign-in with N leaks in the store')
  .addOption(new Option('--leaks <n>', 'leaks to seed').argParser(positiveInt).default(100_000))
  .addOption(new Option('--runs <n>', 'sign-ins (and API calls) to measure; the median is reported').argParser(positiveInt).default(5))
  .addOption(new Option('--timeout <minutes>', 'hard limit of the whole run').argParser(positiveInt).default(30))
  .action((options: Options) => main(options));

program.parseAsync().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
