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
import type { Locator, Page } from 'playwright-core';
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
      const overview: Timing[] = [];
      const list: Timing[] = [];
      const signInList: Timing[] = [];
      // One context, a fresh tab per run (sessionStorage is per tab, so each run signs in from scratch). A blank
      // tab stays open throughout: the single-process Chromium ends when its last tab closes.
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      await context.newPage();
      for (let i = 0; i < options.runs; i++) {
        const page = await context.newPage();
        await page.goto(`${app.url}/`);
        await page.getByLabel('API key').fill(key);
        // Interactive: every chart drawn (its elements' positions recorded) and clickable.
        overview.push(await timeToInteractive(page, page.getByRole('button', { name: 'Sign in' }), ['#chart-attempts[data-points]']));
        list.push(await timeToInteractive(page, page.locator('a[href="#/leaks"]').first(), ['#leaks-table tbody tr']));
        await page.close();
        // Straight to the list: a shared link to #/leaks, then sign-in; interactive = the first page of rows and
        // the per-type tabs with their counts drawn (the filters and the bulk bar are drawn before them).
        const direct = await context.newPage();
        await direct.goto(`${app.url}/#/leaks`);
        await direct.getByLabel('API key').fill(key);
        signInList.push(await timeToInteractive(direct, direct.getByRole('button', { name: 'Sign in' }), ['#leaks-table tbody tr', '.tabs button[data-type="all"]']));
        await direct.close();
      }
      const verdict = (ms: number) => (ms <= INTERACTIVE_MS ? 'ok' : 'OVER');
      const row = (measure: string, t: Timing[]) => {
        const wall = median(t.map((x) => x.wall));
        const runs = (values: number[]) => values.map((ms) => Math.round(ms)).join('/');
        rows.push({ measure, value: millis(wall), target: '≤ 1000 ms', note: `${verdict(wall)}; median of ${options.runs}, runs ${runs(t.map((x) => x.wall))} ms (in the page: ${runs(t.map((x) => x.page))} ms)` });
      };
      row('sign-in → overview interactive (all charts drawn)', overview);
      row('sign-in → leak list interactive (opened at #/leaks)', signInList);
      row('overview → leak list interactive (first page drawn)', list);
    } finally {
      await browser.close();
    }
    rows.push({ measure: 'seed (POST /api/v1/leaks until listed and counted)', value: seconds(seedMs), target: '', note: perSecond(options.leaks, seedMs, 'leaks') });

    console.log(`\nLeakwatch web console benchmark — ${options.leaks} leaks, embedded mode (${machine()})\n`);
    printTable('', COLUMNS, rows);
  });
}

interface Timing {
  /** From before Playwright's click to the moment the page reports interactive (polled each frame, in the page). */
  wall: number;
  /** In the page: the click event's timestamp to the DOM change that made it interactive (MutationObserver). */
  page: number;
}

/**
 * Runs in the page (a string: this file is compiled without the DOM's types): records the click event's
 * timestamp and, with a MutationObserver, the first moment every selector matches.
 */
const WATCH = `(wanted) => {
  const state = {};
  window.__leakwatchBench = state;
  window.addEventListener('click', (event) => { if (state.click === undefined) state.click = event.timeStamp; }, { capture: true, once: true });
  const observer = new MutationObserver(() => {
    if (wanted.every((s) => document.querySelector(s))) {
      state.ready = performance.now();
      observer.disconnect();
    }
  });
  observer.observe(document, { subtree: true, childList: true, attributes: true });
}`;

/**
 * Clicks `target` and times until every selector matches. The page watches for itself (WATCH, set up before
 * the click) and Playwright waits with `waitForFunction`, which polls inside the page every animation frame.
 * Not `locator.waitFor`: it re-checks after 0, 20, 50, 100, 100, then every 500 ms, so a page ready just after
 * a check is seen up to 500 ms late — that made the overview's times bimodal (about 350 or 850 ms, with the
 * page ready after 310–370 ms every time).
 */
async function timeToInteractive(page: Page, target: Locator, selectors: string[]): Promise<Timing> {
  await page.evaluate(`(${WATCH})(${JSON.stringify(selectors)})`);
  const started = performance.now();
  await target.click();
  // A function, not a string: the console's CSP forbids eval, which a string predicate needs.
  await page.waitForFunction(() => (globalThis as unknown as { __leakwatchBench: { ready?: number } }).__leakwatchBench.ready !== undefined, undefined, { timeout: 60_000 });
  const wall = performance.now() - started;
  const { click, ready } = await page.evaluate<{ click?: number; ready?: number }>('window.__leakwatchBench');
  if (click === undefined || ready === undefined) throw new Error(`no click or no ready time recorded for ${selectors.join(', ')}`);
  return { wall, page: ready - click };
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
