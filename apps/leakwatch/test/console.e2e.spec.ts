/**
 * The web console in a real headless Chromium against `npm start`'s process (one browser and one Leakwatch
 * for the whole file): sign-in as admin and analyst, chart → filtered list, bulk decisions and their
 * timeline, a refused bulk request, as-of, API keys, attempts — under a strict CSP that must never fire.
 * A screenshot of each page goes to the folder printed at the start.
 */
import { createHash, randomBytes } from 'node:crypto';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium, screenshotFolder } from './support/browser';
import { E2E_ADMIN_KEY, E2e, startE2e } from './support/e2e-harness';
import { eventually } from '@leakwatch/testing';

jest.setTimeout(90_000);

const fakeToken = () => `ghp_${randomBytes(18).toString('hex')}`;
// Page-side code is passed as strings: this file is type-checked for Node, without the DOM's types.
const VISIBLE_AGAIN = `document.dispatchEvent(new Event('visibilitychange'))`;

describe('web console (e2e, headless Chromium)', () => {
  let e2e: E2e;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let shots: string;
  let adminKey: string, analystKey: string, orgId: string;
  const leaks: Record<'critical' | 'high' | 'low', Array<{ token: string; leakid: string }>> = { critical: [], high: [], low: [] };
  const pageProblems: string[] = [];
  const call: E2e['call'] = (...args) => e2e.call(...args);

  const until = (what: string, check: () => Promise<boolean>, timeoutMs = 20_000) => eventually(what, check, (ok) => ok, { timeoutMs });
  const addTokens = async (risk: 'critical' | 'high' | 'low', count: number, source: string) => {
    const tokens = Array.from({ length: count }, fakeToken);
    const answer = await call('POST', '/api/v1/leaks', adminKey, { source: { name: source }, tokens: tokens.map((value) => ({ value })), risk });
    expect(answer.status).toBe(201);
    tokens.forEach((token, i) => leaks[risk].push({ token, leakid: answer.body.leakids[i] }));
  };
  const newPage = async (): Promise<Page> => {
    const p = await context.newPage();
    p.on('console', (m) => {
      if (m.type() === 'error' && /Content Security Policy|Refused to/i.test(m.text())) pageProblems.push(`CSP: ${m.text()}`);
    });
    p.on('pageerror', (e) => pageProblems.push(`script error: ${e.message}`));
    return p;
  };
  const signIn = async (key: string) => {
    await page.goto(`${e2e.app.url}/`);
    await page.getByLabel('API key').fill(key);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator('#whoami').waitFor();
  };
  const shot = (name: string) => page.screenshot({ path: path.join(shots, `${name}.png`), fullPage: true });
  // A page draws after its URL changes: wait for what it should show.
  const rows = (n: number) => until(`${n} rows in the list`, async () => (await page.locator('#leaks-table tbody tr').count()) === n);
  const hashParams = () => new URLSearchParams(new URL(page.url()).hash.split('?')[1] ?? '');
  const rowIds = () => page.locator('#leaks-table tbody tr').evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-leakid') ?? ''));
  const today = () => new Date().toISOString().slice(0, 10);
  const tomorrow = () => new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
  type Point = { label: string; series: number; value: number; x: number; y: number };
  /** Clicks the chart element drawn for `label` (of `series`), once the chart shows it with a value > 0. */
  const clickChart = async (id: string, label: string, series = 0) => {
    const canvas = page.locator(`#chart-${id}[data-points]`);
    const point = await eventually(`"${label}" drawn in chart ${id}`, async () => {
      await canvas.waitFor();
      const points = JSON.parse((await canvas.getAttribute('data-points')) as string) as Point[];
      return points.find((p) => p.label === label && p.series === series && p.value > 0);
    }, (p) => p !== undefined, { timeoutMs: 20_000 }) as Point;
    await canvas.click({ position: { x: point.x, y: point.y } });
  };
  /** The leak ids the API lists for these filters (the list the page should show). */
  const apiIds = async (params: string) => ((await call('GET', `/api/v1/leaks?limit=500&${params}`, adminKey)).body.items as Array<{ leakid: string }>).map((l) => l.leakid);

  beforeAll(async () => {
    shots = screenshotFolder('leakwatch-console');
    console.log(`console screenshots: ${shots}`);
    [e2e, browser] = await Promise.all([startE2e(), launchChromium()]);
    orgId = (await call('POST', '/api/v1/orgs', E2E_ADMIN_KEY, { name: 'Acme' })).body.org_id;
    const issue = async (role: string, email: string) =>
      (await call('POST', '/api/v1/api-keys', E2E_ADMIN_KEY, { name: email, role, org_id: orgId, user_email: email })).body.key as string;
    adminKey = await issue('admin', 'sec@acme.example');
    analystKey = await issue('analyst', 'ana@acme.example');
    await addTokens('critical', 2, 'pastebin');
    await addTokens('high', 4, 'github');
    await addTokens('low', 2, 'gist');
    // Findings become leaks, and leaks statistics, asynchronously (through the bus).
    await until('8 leaks in the list and the statistics', async () => {
      const [list, stats] = await Promise.all([call('GET', '/api/v1/leaks?limit=1', adminKey), call('GET', '/api/v1/stats/leaks', adminKey)]);
      return list.body?.total === 8 && stats.body?.total === 8;
    });
    context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    page = await newPage();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await e2e?.stop();
  });

  it('serves the console at / with a strict CSP, no inline script, hashed assets under 300 KB compressed; the process info moved to /api', async () => {
    const response = await fetch(`${e2e.app.url}/`, { headers: { 'accept-encoding': 'gzip' } });
    expect(response.status).toBe(200);
    const csp = response.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("style-src 'self'");
    expect(csp).toContain("default-src 'none'");
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|https?:/);
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    const html = await response.text();
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/); // every script is a file
    expect(html).not.toMatch(/style=|<style/);
    const files = [...html.matchAll(/(?:src|href)="(\/console\/[^"]+)"/g)].map((m) => m[1]);
    expect(files.length).toBe(3); // script, stylesheet, icon
    let compressed = Buffer.byteLength(html); // fetch decodes: count the page uncompressed, it is tiny
    for (const file of files) {
      const asset = await fetch(`${e2e.app.url}${file}`, { headers: { 'accept-encoding': 'gzip' } });
      expect(asset.status).toBe(200);
      expect(asset.headers.get('cache-control')).toContain('immutable');
      expect(asset.headers.get('content-encoding')).toBe('gzip');
      compressed += Number(asset.headers.get('content-length')); // the bytes on the wire (fetch hands back the decoded body)
      expect((await asset.arrayBuffer()).byteLength).toBeGreaterThan(0);
    }
    expect(compressed).toBeLessThanOrEqual(300 * 1024);
    const info = await call('GET', '/api');
    expect(info).toMatchObject({ status: 200, body: { name: 'leakwatch', docs: '/docs' } });
  });

  it('signs an admin in with the key kept in sessionStorage only, showing role and organisation; the overview draws the charts', async () => {
    await page.goto(`${e2e.app.url}/`);
    await page.getByLabel('API key').fill('lw_not_a_key_at_all_0000000000000');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').waitFor();
    await signIn(adminKey);
    await expect(page.locator('#role').textContent()).resolves.toBe('admin');
    await expect(page.locator('#org').textContent()).resolves.toBe('Acme');
    expect(await page.evaluate(`sessionStorage.getItem('leakwatch.apiKey')`)).toBe(adminKey);
    expect(await page.evaluate<string>(`JSON.stringify(localStorage)`)).not.toContain(adminKey);
    expect(page.url()).not.toContain(adminKey);
    await page.locator('#chart-risk[data-points]').waitFor();
    await expect(page.locator('#figure-total .value').textContent()).resolves.toBe('8');
    await expect(page.locator('#figure-mttf .value').textContent()).resolves.toBe('—'); // nothing fixed yet
    for (const id of ['risk', 'status', 'type', 'source', 'per-day', 'attempts']) await expect(page.locator(`#chart-${id}`).count()).resolves.toBe(1);
    await shot('overview-light-1280');
  });

  it('filters the list by clicking a risk slice: URL holds the filters, chips remove them, back returns', async () => {
    await page.goto(`${e2e.app.url}/#/`);
    const canvas = page.locator('#chart-risk[data-points]');
    await canvas.waitFor();
    const points = JSON.parse((await canvas.getAttribute('data-points')) as string) as Array<{ label: string; x: number; y: number }>;
    const high = points.find((p) => p.label === 'high');
    if (!high) throw new Error(`no "high" slice in ${JSON.stringify(points)}`);
    await canvas.click({ position: { x: high.x, y: high.y } });
    // The risk chart shows open leaks: its slice lists the open leaks of that risk.
    await page.waitForURL(/#\/leaks\?risk=high&status=open$/);
    await rows(4);
    expect(hashParams().get('risk')).toBe('high');
    expect(hashParams().get('status')).toBe('open');
    await until('two chips', async () => (await page.locator('#chips .chip').count()) === 2);
    await expect(page.locator('#chips').textContent()).resolves.toContain('Risk: high');
    await shot('leaks-filtered-light-1280');

    // Remove the risk chip: only the status filter is left.
    await page.getByRole('button', { name: 'Remove filter Risk: high' }).click();
    await page.waitForURL((url) => !url.hash.includes('risk='));
    await rows(8);
    expect(hashParams().get('status')).toBe('open');

    // The back button returns to the previous filters.
    await page.goBack();
    await page.waitForURL(/risk=high/);
    await rows(4);
  });

  it('orders the list through the API (risk: critical first, across pages) when an order is chosen', async () => {
    const asked = page.waitForRequest((r) => r.url().includes('/api/v1/leaks?') && r.url().includes('sort=risk') && r.url().includes('direction=desc'));
    await page.goto(`${e2e.app.url}/#/leaks?sort=risk`);
    await asked;
    await page.locator('#leaks-table tbody tr').first().waitFor();
    const ids = await page.locator('#leaks-table tbody tr').evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-leakid') ?? ''));
    const rank = (id: string) => (['critical', 'high', 'low'] as const).findIndex((r) => leaks[r].some((l) => l.leakid === id));
    const ranks = ids.map(rank).filter((r) => r >= 0);
    expect(ranks.length).toBeGreaterThan(1);
    expect(ranks).toEqual([...ranks].sort((a, b) => a - b));
  });

  it('chooses the direction of the order (sent to the API, kept in the URL)', async () => {
    await page.goto(`${e2e.app.url}/#/leaks?sort=risk`);
    await page.locator('#leaks-table tbody tr').first().waitFor();
    expect(await page.locator('#direction').inputValue()).toBe('desc');
    const asked = page.waitForRequest((r) => r.url().includes('sort=risk') && r.url().includes('direction=asc'));
    await page.locator('#direction').selectOption('asc');
    await asked;
    await page.waitForURL(/direction=asc/);
    await until('the list in the API\'s ascending risk order', async () => JSON.stringify(await rowIds()) === JSON.stringify(await apiIds('sort=risk&direction=asc')));
    // Low first: the two low leaks lead.
    expect((await rowIds()).slice(0, 2).sort()).toEqual(leaks.low.map((l) => l.leakid).sort());
    // Oldest first, for the default order.
    await page.goto(`${e2e.app.url}/#/leaks?direction=asc`);
    await until('the list oldest first', async () => JSON.stringify(await rowIds()) === JSON.stringify(await apiIds('sort=first_seen&direction=asc')));
  });

  it('searches (q), shows per-type tabs with their counts, and pages with the cursor', async () => {
    await page.goto(`${e2e.app.url}/#/leaks`);
    // The previous page (oldest first) also had 8 rows: wait for this one's order, or the search goes into its form.
    const newestFirst = await apiIds('');
    await until('the list newest first', async () => JSON.stringify(await rowIds()) === JSON.stringify(newestFirst));
    // Search: part of one leak's id finds that leak; the search is a chip and in the URL.
    const target = leaks.critical[1].leakid;
    await page.locator('#filter-q').fill(target.slice(4, 20));
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.waitForURL(/q=/);
    expect(hashParams().get('q')).toBe(target.slice(4, 20));
    await rows(1);
    expect(await rowIds()).toEqual([target]);
    await expect(page.locator('#chips').textContent()).resolves.toContain(`Search: ${target.slice(4, 20)}`);
    // A search by source name.
    await page.goto(`${e2e.app.url}/#/leaks?q=pastebin`);
    await rows(2);
    expect((await rowIds()).sort()).toEqual(leaks.critical.map((l) => l.leakid).sort());

    // Per-type tabs: the API's summary, one tab per type; a tab filters by it.
    await page.goto(`${e2e.app.url}/#/leaks`);
    await rows(8);
    const summary = (await call('GET', '/api/v1/leaks?limit=1', adminKey)).body.summary as Record<string, number>;
    for (const [type, count] of Object.entries(summary)) {
      await expect(page.locator(`.tabs button[data-type="${type}"]`).textContent()).resolves.toContain(`(${count})`);
    }
    await expect(page.locator('.tabs button[data-type="all"]').textContent()).resolves.toContain('(8)');
    const [most] = Object.entries(summary).sort((a, b) => b[1] - a[1])[0];
    const none = Object.entries(summary).find(([, n]) => n === 0)?.[0];
    await page.locator(`.tabs button[data-type="${most}"]`).click();
    await page.waitForURL(new RegExp(`type=${most}`));
    await until('the type tab pressed', async () => (await page.locator(`.tabs button[data-type="${most}"]`).getAttribute('aria-pressed')) === 'true');
    await rows(summary[most]);
    if (none) {
      await page.locator(`.tabs button[data-type="${none}"]`).click();
      await page.locator('#empty').waitFor();
    }
    await page.locator('.tabs button[data-type="all"]').click();
    await page.waitForURL((url) => !url.hash.includes('type='));
    await rows(8);

    // Cursor paging: 3 per page → 3 + 3 + 2, no leak twice, in the API's order.
    await page.goto(`${e2e.app.url}/#/leaks?limit=3`);
    await rows(3);
    await expect(page.locator('#total').textContent()).resolves.toContain('8 leaks match, 3 shown');
    const seen = [...(await rowIds())];
    await page.locator('#next-page').click();
    await page.waitForURL(/cursor=/);
    // One read per check: two reads could see the old page's rows, then the new page's still empty table.
    const newPageOf = async (n: number) => { const ids = await rowIds(); return ids.length === n && !ids.some((id) => seen.includes(id)); };
    await until('the second page', () => newPageOf(3));
    seen.push(...(await rowIds()));
    await page.locator('#next-page').click();
    await until('the last page', () => newPageOf(2));
    seen.push(...(await rowIds()));
    await expect(page.locator('#next-page').count()).resolves.toBe(0);
    expect(seen).toEqual(await apiIds(''));
    await page.getByRole('link', { name: 'First page' }).click();
    await until('back on the first page', async () => JSON.stringify(await rowIds()) === JSON.stringify(seen.slice(0, 3)));
  });

  it('bulk-fixes three leaks with a comment; each leak\'s timeline shows the decision with the comment and who made it', async () => {
    const three = leaks.high.slice(0, 3).map((l) => l.leakid);
    await page.goto(`${e2e.app.url}/#/leaks?risk=high`);
    await page.locator('#leaks-table').waitFor();
    for (const id of three) await page.locator(`tr[data-leakid="${id}"] input.select-leak`).check();
    await expect(page.locator('#selected-count').textContent()).resolves.toBe('3 selected');
    await page.getByLabel('Comment (status changes)').fill('rotated by the platform team');
    await page.locator('#bulk-fix').click();
    await page.locator('#bulk-result .notice.success').waitFor();
    await expect(page.locator('#bulk-result').textContent()).resolves.toContain('3 changed');
    for (const id of three) await expect(page.locator(`tr[data-leakid="${id}"] .badge.fixed`).count()).resolves.toBe(1);

    await page.locator(`tr[data-leakid="${three[0]}"] a`).first().click();
    await page.waitForURL(new RegExp(`#/leaks/${three[0]}$`));
    const decision = page.locator('#timeline li[data-type="LeakStatusChanged"]');
    await decision.waitFor();
    const text = await decision.textContent();
    expect(text).toContain('Open → Fixed');
    expect(text).toContain('rotated by the platform team');
    expect(text).toContain('sec@acme.example');
    await shot('leak-detail-light-1280');
    for (const id of three) {
      const history = await call('GET', `/api/v1/leaks/${id}/history`, adminKey);
      expect(history.body.events.at(-1)).toMatchObject({ type: 'LeakStatusChanged', data: { to: 'fixed', comment: 'rotated by the platform team' } });
    }

    // Mean time to fix: the overview shows the API's figure and names the fixes it counts.
    const stats = await eventually('the three fixes in the statistics', async () => (await call('GET', '/api/v1/stats/leaks', adminKey)).body,
      (body) => body?.mean_time_to_fix?.fixes === 3, { timeoutMs: 20_000 });
    const seconds = stats.mean_time_to_fix.seconds as number;
    expect(seconds).toBeGreaterThan(0);
    await page.goto(`${e2e.app.url}/#/`);
    await until('the overview counts the fixes', async () => ((await page.locator('#figure-mttf .muted').textContent()) ?? '') === `3 fixes in ${stats.window.days} days`);
    const shown = ((await page.locator('#figure-mttf .value').textContent()) ?? '').trim();
    const parsed = /^(\d+(?:\.\d)?) (s|min|h|days)$/.exec(shown);
    if (!parsed) throw new Error(`mean time to fix shown as "${shown}"`);
    const unit = { s: 1, min: 60, h: 3600, days: 86_400 }[parsed[2] as 's' | 'min' | 'h' | 'days'];
    expect(Math.abs(Number(parsed[1]) * unit - seconds)).toBeLessThanOrEqual(unit / 2); // the API's mean, rounded to its unit
  });

  it('shows a leak\'s facts — masked preview, the token\'s SHA-256 fingerprint, risk and type — and never the token', async () => {
    const { token, leakid } = leaks.critical[1];
    const fingerprint = createHash('sha256').update(token, 'utf8').digest('hex');
    const leak = (await call('GET', `/api/v1/leaks/${leakid}`, adminKey)).body;
    expect(leak).toMatchObject({ fingerprint, risk: 'critical', type: 'organization' });
    await page.goto(`${e2e.app.url}/#/leaks/${leakid}`);
    await page.locator('#facts').waitFor();
    const fact = async (id: string) => ((await page.locator(`#fact-${id}`).textContent()) ?? '').trim();
    expect(await fact('preview')).toBe(`${token.slice(0, 4)}…(${token.length})`);
    expect(await fact('preview')).toBe(leak.preview);
    expect(await fact('fingerprint')).toBe(fingerprint);
    expect(await fact('risk')).toBe('Critical');
    expect(await fact('type')).toBe('Organization');
    // The token is nowhere: neither whole nor its secret part, in the text or the markup.
    const [text, html] = await Promise.all([page.locator('body').innerText(), page.content()]);
    expect(text).toContain(fingerprint); // the page was read
    for (const content of [text, html]) {
      expect(content).not.toContain(token);
      expect(content).not.toContain(token.slice(4));
      expect(content).not.toContain(token.slice(10, 26));
    }
  });

  it('shows a refused bulk request (virtual patch on a fixed leak → 409) with the refused ids, and nothing changes', async () => {
    const open = leaks.high[3].leakid;
    const fixed = leaks.high[0].leakid;
    await page.goto(`${e2e.app.url}/#/leaks?risk=high`);
    await page.locator('#leaks-table').waitFor();
    await page.locator(`tr[data-leakid="${open}"] input.select-leak`).check();
    await page.locator(`tr[data-leakid="${fixed}"] input.select-leak`).check();
    await page.locator('#bulk-patch-on').click();
    const refusal = page.locator('#bulk-result .notice.error');
    await refusal.waitFor();
    expect(await refusal.getAttribute('data-status')).toBe('409');
    const text = await refusal.textContent();
    expect(text).toContain('nothing was changed');
    expect(text).toContain(fixed);
    await shot('leaks-refused-light-1280');
    // All or nothing: the open leak was not patched either.
    const leak = await call('GET', `/api/v1/leaks/${open}`, adminKey);
    expect(leak.body).toMatchObject({ status: 'open', virtual_patch: false });
    await expect(page.locator(`tr[data-leakid="${open}"] .badge.on`).count()).resolves.toBe(0);
  });

  it('lists the leaks as of an earlier moment (a chip and in the URL), offering no decisions on the past', async () => {
    const id = leaks.high[0].leakid; // fixed by the bulk decision
    const history = (await call('GET', `/api/v1/leaks/${id}/history`, adminKey)).body.events as Array<{ time: string; type: string }>;
    const beforeFix = new Date(Date.parse((history.at(-1) as { time: string }).time) - 1).toISOString();
    await page.goto(`${e2e.app.url}/#/leaks?risk=high&as_of=${encodeURIComponent(beforeFix)}`);
    await page.locator('#list-asof-banner').waitFor();
    await page.locator(`tr[data-leakid="${id}"] .badge.open`).waitFor();
    await expect(page.locator('#chips li[data-filter="as_of"]').count()).resolves.toBe(1);
    await expect(page.locator('input.select-leak, .bulkbar').count()).resolves.toBe(0);
    expect(hashParams().get('as_of')).toBe(beforeFix);
    await shot('leaks-as-of-light-1280');
    // The chip's × is "now" again.
    await page.getByRole('button', { name: /^Remove filter As of/ }).click();
    await page.waitForURL((url) => !url.hash.includes('as_of='));
    await page.locator(`tr[data-leakid="${id}"] .badge.fixed`).waitFor();
    await expect(page.locator('#list-asof-banner').count()).resolves.toBe(0);
    // The form sets it too (the browser's local time, sent as UTC).
    await page.locator('#filter-as_of').fill(new Date(Date.parse(beforeFix) - new Date().getTimezoneOffset() * 60_000).toISOString().slice(0, 19));
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.waitForURL(/as_of=/);
    await page.locator(`tr[data-leakid="${id}"] .badge.open`).waitFor();
    expect(Date.parse(hashParams().get('as_of') as string)).toBeLessThanOrEqual(Date.parse(beforeFix));
  });

  it('bulk-marks false positive, reopens, and turns the virtual patch on and off', async () => {
    const two = leaks.low.slice(0, 2).map((l) => l.leakid);
    await page.goto(`${e2e.app.url}/#/leaks?risk=low`);
    await page.locator('#leaks-table').waitFor();
    const decide = async (button: string, expected: string, badge: string) => {
      for (const id of two) await page.locator(`tr[data-leakid="${id}"] input.select-leak`).check();
      await page.locator('#bulk-result').evaluate((el) => el.replaceChildren());
      await page.locator(button).click();
      await page.locator('#bulk-result .notice.success').waitFor();
      await expect(page.locator('#bulk-result').textContent()).resolves.toContain(expected);
      for (const id of two) await page.locator(`tr[data-leakid="${id}"] ${badge}`).waitFor();
    };
    await page.getByLabel('Comment (status changes)').fill('test fixtures');
    await decide('#bulk-false-positive', '2 changed', '.badge.false_positive');
    for (const id of two) expect((await call('GET', `/api/v1/leaks/${id}`, adminKey)).body.status).toBe('false_positive');
    await decide('#bulk-reopen', '2 changed', '.badge.open');
    await decide('#bulk-patch-on', '2 changed', '.badge.on');
    await decide('#bulk-patch-off', '2 changed', '.badge.open');
    await expect(page.locator('#leaks-table .badge.on').count()).resolves.toBe(0);
    for (const id of two) expect((await call('GET', `/api/v1/leaks/${id}`, adminKey)).body).toMatchObject({ status: 'open', virtual_patch: false });
    const history = (await call('GET', `/api/v1/leaks/${two[0]}/history`, adminKey)).body.events as Array<{ type: string }>;
    expect(history.slice(-4).map((e) => e.type)).toEqual(['LeakStatusChanged', 'LeakStatusChanged', 'VirtualPatchApplied', 'VirtualPatchRemoved']);
  });

  it('refuses another organisation\'s leak exactly like an unknown one (404), in the page and in a bulk request', async () => {
    const bravo = (await call('POST', '/api/v1/orgs', E2E_ADMIN_KEY, { name: 'Bravo leaks' })).body.org_id;
    const bravoKey = (await call('POST', '/api/v1/api-keys', E2E_ADMIN_KEY, { name: 'bravo admin', role: 'admin', org_id: bravo })).body.key as string;
    await until('the Bravo key works', async () => (await call('GET', '/api/v1/session', bravoKey)).status === 200);
    const added = await call('POST', '/api/v1/leaks', bravoKey, { source: { name: 'bravo' }, tokens: [{ value: fakeToken() }], risk: 'high' });
    expect(added.status).toBe(201);
    const theirs = added.body.leakids[0] as string;
    await until('Bravo\'s leak is listed for Bravo', async () => (await call('GET', `/api/v1/leaks/${theirs}`, bravoKey)).status === 200);
    const unknown = 'f'.repeat(32);
    for (const id of [theirs, unknown]) {
      await page.goto(`${e2e.app.url}/#/leaks/${id}`);
      const refusal = page.locator('.notice.error');
      await refusal.waitFor();
      expect(await refusal.getAttribute('data-status')).toBe('404');
      await expect(refusal.textContent()).resolves.toContain(`No leak ${id} visible to you`);
    }
    // A bulk request naming it is refused whole: the Acme leak in it is not changed either.
    const mine = leaks.high[3].leakid;
    const refused = await call('POST', '/api/v1/leaks/status', adminKey, { leakids: [mine, theirs], status: 'fixed' });
    expect(refused.status).toBe(404);
    expect(refused.body.leakids).toEqual([theirs]);
    expect((await call('GET', `/api/v1/leaks/${mine}`, adminKey)).body.status).toBe('open');
    expect((await call('GET', `/api/v1/leaks/${theirs}`, bravoKey)).body.status).toBe('open');
    await expect(page.locator('body').textContent()).resolves.not.toContain('bravo');
  });

  it('shows a leak as of an earlier moment of its history', async () => {
    const id = leaks.high[0].leakid; // fixed by the bulk decision
    await page.goto(`${e2e.app.url}/#/leaks/${id}`);
    await page.locator('#fact-status .badge.fixed').waitFor();
    const history = (await call('GET', `/api/v1/leaks/${id}/history`, adminKey)).body.events as Array<{ time: string; type: string }>;
    await page.locator('#asof-select').selectOption(history[0].time);
    await page.locator('#asof-show').click();
    await page.locator('#asof-banner').waitFor();
    expect(decodeURIComponent(new URL(page.url()).hash)).toContain(`as_of=${history[0].time}`);
    await page.locator('#fact-status .badge.open').waitFor();
    await expect(page.locator('#timeline li.future').count()).resolves.toBe(history.length - 1);
    await expect(page.locator('#decide-fixed').count()).resolves.toBe(0); // no decisions on the past
    await shot('leak-as-of-light-1280');
    await page.getByRole('link', { name: 'Back to now' }).click();
    await page.locator('#fact-status .badge.fixed').waitFor();
  });

  it('issues a key (shown once, with a copy button) and revokes it', async () => {
    await page.goto(`${e2e.app.url}/#/admin`);
    await page.locator('#issue-key').waitFor();
    await page.locator('#key-name').fill('ci pipeline');
    await page.locator('#key-role').selectOption('analyst');
    await page.locator('#key-type').selectOption('public');
    await page.locator('#key-limit').fill('500');
    const expires = new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10);
    await page.locator('#key-expires').fill(expires);
    await page.locator('#issue-key-submit').click();
    const secret = page.locator('#secret-once');
    await secret.waitFor();
    const key = (await secret.textContent()) as string;
    expect(key).toMatch(/^lw_/);
    await expect(page.getByRole('button', { name: 'Copy', exact: true }).count()).resolves.toBe(1);
    await shot('admin-key-issued-light-1280');
    await until('the new key works', async () => (await call('GET', '/api/v1/session', key)).status === 200);
    expect((await call('GET', '/api/v1/session', key)).body).toMatchObject({ role: 'analyst', org_id: orgId, can_change: false });

    await page.getByRole('button', { name: 'Done, refresh the list' }).click();
    const row = page.locator('tr[data-key-name="ci pipeline"]');
    await row.waitFor();
    expect(await page.locator('body').textContent()).not.toContain(key); // shown once: not in the list
    // Its type and expiry (the end of the chosen day, UTC), in the list and in the API.
    const expiresAt = `${expires}T23:59:59.000Z`;
    const listed = ((await call('GET', '/api/v1/api-keys', adminKey)).body.items as Array<Record<string, unknown>>).find((k) => k.name === 'ci pipeline');
    expect(listed).toMatchObject({ type: 'public', limit: 500, expires_at: expiresAt, role: 'analyst' });
    await expect(row.locator('.key-type').textContent()).resolves.toMatch(/^\s*public, 500\/day\s*$/);
    const localExpiry = await page.evaluate<string>(`new Date(${JSON.stringify(expiresAt)}).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'medium' })`);
    await expect(row.locator('.key-expires').textContent()).resolves.toBe(localExpiry);
    page.once('dialog', (dialog) => void dialog.accept());
    await row.getByRole('button', { name: 'Revoke ci pipeline' }).click();
    await page.locator('#key-result .notice.success').waitFor();
    await until('the key is listed as revoked', async () => (await page.locator('tr[data-key-name="ci pipeline"] .key-status').textContent()) === 'revoked');
    await until('the key is refused', async () => (await call('GET', '/api/v1/session', key)).status === 401);
    await shot('admin-light-1280');
  });

  it('lists a patched token\'s check under attempts, and in the leak\'s own attempts', async () => {
    const { token, leakid } = leaks.critical[0];
    await page.goto(`${e2e.app.url}/#/leaks/${leakid}`);
    await page.locator('#decide-patch').click();
    await page.locator('#fact-patch .badge.on').waitFor();
    // The gateway's token index follows the decision on its own consumer; an unblocked check records nothing,
    // so checking until it is blocked records exactly one attempt.
    const check = await eventually('the token check sees the patch', () => call('POST', '/api/v1/tokens/check', adminKey, { token }), (r) => r.body.blocked === true);
    expect(check.body).toEqual({ leaked: true, blocked: true, leakid });

    await page.goto(`${e2e.app.url}/#/attempts`);
    await until('the attempt on the attempts page', async () => {
      await page.reload();
      await page.locator('#attempts-total').waitFor();
      return (await page.locator(`#attempts-table tr[data-leakid="${leakid}"]`).count()) === 1;
    });
    await shot('attempts-light-1280');
    // The endpoint behind the page: scoped to what the caller may see, bad input named.
    const mine = await call('GET', `/api/v1/stats/attempts?leakid=${leakid}`, adminKey);
    expect(mine).toMatchObject({ status: 200, body: { total: 1, items: [{ leakid, risk: 'critical', virtual_patch: true }] } });
    const otherOrg = (await call('POST', '/api/v1/orgs', E2E_ADMIN_KEY, { name: 'Bravo' })).body.org_id;
    const otherKey = (await call('POST', '/api/v1/api-keys', E2E_ADMIN_KEY, { name: 'bravo', role: 'admin', org_id: otherOrg })).body.key as string;
    await until('the other organisation\'s key works', async () => (await call('GET', '/api/v1/session', otherKey)).status === 200);
    expect((await call('GET', '/api/v1/stats/attempts', otherKey)).body).toMatchObject({ total: 0, items: [] });
    expect((await call('GET', '/api/v1/stats/attempts', E2E_ADMIN_KEY)).body.total).toBeGreaterThanOrEqual(1);
    const bad = await call('GET', '/api/v1/stats/attempts?from=2026-13-40', adminKey);
    expect(bad).toMatchObject({ status: 400, body: { errors: [expect.objectContaining({ field: 'from' })] } });
    expect((await call('GET', '/api/v1/stats/attempts?from=2026-12-02&to=2026-12-01', adminKey)).status).toBe(400);
    await page.goto(`${e2e.app.url}/#/leaks/${leakid}`);
    await until('the attempt in the leak\'s history', async () => {
      await page.reload();
      await page.locator('#timeline').waitFor();
      return (await page.locator('#leak-attempts tbody tr').count()) === 1;
    });
  });

  it('opens the list filtered by a click on the type, source and status charts and on an opened, fixed or attempts day', async () => {
    const overview = async () => {
      await page.goto(`${e2e.app.url}/#/`);
      await page.locator('#chart-risk[data-points]').waitFor();
    };
    const listed = async (params: string) => {
      const expected = await apiIds(params);
      await until(`the list of ${params}`, async () => JSON.stringify([...(await rowIds())].sort()) === JSON.stringify([...expected].sort()) && (expected.length > 0 || (await page.locator('#empty').count()) === 1));
      return expected;
    };
    // Type: the open leaks of that type (these leaks have no identity: the organisation's).
    await overview();
    await clickChart('type', 'Organization');
    await page.waitForURL(/#\/leaks\?type=organization&status=open$/);
    expect((await listed('type=organization&status=open')).length).toBeGreaterThan(0);
    // Source: the open leaks seen there.
    await overview();
    await clickChart('source', 'github');
    await page.waitForURL(/#\/leaks\?source=github&status=open$/);
    expect(await listed('source=github&status=open')).toEqual([leaks.high[3].leakid]);
    await expect(page.locator('#chips').textContent()).resolves.toContain('Source: github');
    // Status: every leak in it.
    await overview();
    await clickChart('status', 'Fixed');
    await page.waitForURL(/#\/leaks\?status=fixed$/);
    expect((await listed('status=fixed')).sort()).toEqual(leaks.high.slice(0, 3).map((l) => l.leakid).sort());

    // Opened today: the leaks first seen today (every one of this run).
    const day = today().slice(5);
    await overview();
    await clickChart('per-day', day, 0);
    await page.waitForURL(new RegExp(`first_seen_from=${today()}&first_seen_to=${tomorrow()}$`));
    const opened = await listed(`first_seen_from=${today()}&first_seen_to=${tomorrow()}`);
    expect(opened).toEqual(expect.arrayContaining([...leaks.critical, ...leaks.high, ...leaks.low].map((l) => l.leakid)));
    await expect(page.locator('#chips li[data-filter="opened"]').textContent()).resolves.toContain(`First seen: ${today()}`);
    await shot('leaks-opened-today-light-1280');
    // Fixed today: the three fixed by the bulk decision.
    await overview();
    await clickChart('per-day', day, 1);
    await page.waitForURL(new RegExp(`fixed_from=${today()}&fixed_to=${tomorrow()}$`));
    expect((await listed(`fixed_from=${today()}&fixed_to=${tomorrow()}`)).sort()).toEqual(leaks.high.slice(0, 3).map((l) => l.leakid).sort());
    // Its chip removes the whole range.
    await page.getByRole('button', { name: `Remove filter Fixed: ${today()}` }).click();
    await page.waitForURL((url) => !url.hash.includes('fixed_'));
    // Attempts today: the attempts page of that day, with the patched token's check.
    await overview();
    await clickChart('attempts', day);
    await page.waitForURL(new RegExp(`#/attempts\\?from=${today()}&to=${today()}$`));
    await page.locator(`#attempts-table tr[data-leakid="${leaks.critical[0].leakid}"]`).waitFor();

    // The date filters of the API: strict ISO times, ranges that end before they start refused, shared by the export.
    const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
    expect((await call('GET', `/api/v1/leaks?first_seen_to=${today()}`, adminKey)).body.total).toBe(0);
    expect((await call('GET', `/api/v1/leaks?fixed_from=${yesterday}&fixed_to=${today()}`, adminKey)).body.total).toBe(0);
    const bad = await call('GET', '/api/v1/leaks?first_seen_from=2026-W01-1', adminKey);
    expect(bad).toMatchObject({ status: 400, body: { errors: [expect.objectContaining({ field: 'first_seen_from' })] } });
    const reversed = await call('GET', `/api/v1/leaks?fixed_from=${tomorrow()}&fixed_to=${today()}`, adminKey);
    expect(reversed).toMatchObject({ status: 400, body: { errors: [{ field: 'fixed_from', message: 'must not be after fixed_to' }] } });
    const exported = await call('GET', `/api/v1/leaks/export?format=ndjson&fixed_from=${today()}&fixed_to=${tomorrow()}`, adminKey);
    expect(exported.status).toBe(200);
    expect((exported.body as string).trim().split('\n').map((line) => JSON.parse(line).leakid).sort()).toEqual(leaks.high.slice(0, 3).map((l) => l.leakid).sort());
  });

  it('filters, orders and pages the list through its form; every time the rows are the API\'s for the same filters', async () => {
    // More leaks than the smallest page (25).
    const extra = Array.from({ length: 20 }, fakeToken);
    const added = await call('POST', '/api/v1/leaks', adminKey, { source: { name: 'bulk import' }, tokens: extra.map((value) => ({ value })), risk: 'medium' });
    expect(added.status).toBe(201);
    await until('28 leaks listed', async () => (await apiIds('')).length === 28);
    const fixed = leaks.high.slice(0, 3).map((l) => l.leakid).sort();
    const query = (url: URL) => JSON.stringify([...new URLSearchParams(url.hash.split('?')[1] ?? '')].sort());
    /** The URL holds exactly these parameters, and the rows are the API's answer for them (in its order). */
    const shows = async (url: string, apiParams = url) => {
      await page.waitForURL((u) => u.hash.startsWith('#/leaks') && query(u) === JSON.stringify([...new URLSearchParams(url)].sort()));
      const expected = await apiIds(apiParams);
      await until(`the list of ${apiParams || 'every leak'}`, async () =>
        JSON.stringify(await rowIds()) === JSON.stringify(expected) && (expected.length > 0 || (await page.locator('#empty').count()) === 1));
      return expected;
    };
    await page.goto(`${e2e.app.url}/#/leaks`);
    await shows('');

    // Virtual patch on: the token patched for the attempts; off: every other one.
    await page.locator('#filter-virtual_patch').selectOption('true');
    expect(await shows('virtual_patch=true')).toEqual([leaks.critical[0].leakid]);
    await page.locator('#filter-virtual_patch').selectOption('false');
    expect(await shows('virtual_patch=false')).toHaveLength(27);
    await page.locator('#filter-virtual_patch').selectOption('');
    await shows('');

    // Status and risk together, two chips; "Clear all" removes both.
    await page.locator('#filter-status').selectOption('fixed');
    expect((await shows('status=fixed')).sort()).toEqual(fixed);
    await page.locator('#filter-risk').selectOption('critical');
    expect(await shows('status=fixed&risk=critical')).toEqual([]);
    await page.locator('#filter-status').selectOption('open');
    expect((await shows('status=open&risk=critical')).sort()).toEqual(leaks.critical.map((l) => l.leakid).sort());
    await expect(page.locator('#chips .chip').count()).resolves.toBe(2);
    await page.getByRole('button', { name: 'Clear all' }).click();
    expect(await shows('')).toHaveLength(28);

    // The four date inputs, applied together: first seen today and fixed today → the three fixed.
    await page.locator('#filter-first_seen_from').fill(today());
    await page.locator('#filter-first_seen_to').fill(tomorrow());
    await page.locator('#filter-fixed_from').fill(today());
    await page.locator('#filter-fixed_to').fill(tomorrow());
    await page.getByRole('button', { name: 'Apply' }).click();
    const ranges = `first_seen_from=${today()}&first_seen_to=${tomorrow()}&fixed_from=${today()}&fixed_to=${tomorrow()}`;
    expect((await shows(ranges)).sort()).toEqual(fixed);
    await expect(page.locator('#chips li[data-filter="opened"]').textContent()).resolves.toContain(`First seen: ${today()}`);
    await expect(page.locator('#chips li[data-filter="fixed"]').textContent()).resolves.toContain(`Fixed: ${today()}`);
    // First seen before today: none (the form keeps the other inputs as they are).
    await page.locator('#filter-first_seen_from').fill('');
    await page.locator('#filter-first_seen_to').fill(today());
    await page.getByRole('button', { name: 'Apply' }).click();
    expect(await shows(`first_seen_to=${today()}&fixed_from=${today()}&fixed_to=${tomorrow()}`)).toEqual([]);
    await page.getByRole('button', { name: 'Clear all' }).click();
    await shows('');

    // The other orders and their directions, sorted by the API.
    await page.locator('#sort').selectOption('status');
    const byStatus = await shows('sort=status', 'sort=status&direction=asc');
    expect(byStatus.slice(-3).sort()).toEqual(fixed); // open first, the fixed last
    await page.locator('#direction').selectOption('desc');
    expect((await shows('sort=status&direction=desc')).slice(0, 3).sort()).toEqual(fixed);
    await page.locator('#sort').selectOption('last_seen');
    await shows('sort=last_seen', 'sort=last_seen&direction=desc');
    await page.locator('#direction').selectOption('asc');
    await shows('sort=last_seen&direction=asc');
    // Most attempts: this page sorted by its attempts (the API's order among equals); no direction to choose.
    await page.locator('#sort').selectOption('attempts');
    await page.waitForURL((u) => query(u) === JSON.stringify([['sort', 'attempts']]));
    const items = (await call('GET', '/api/v1/leaks?limit=50', adminKey)).body.items as Array<{ leakid: string; attempts: number }>;
    const mostAttempts = [...items].sort((a, b) => b.attempts - a.attempts).map((l) => l.leakid);
    expect(mostAttempts[0]).toBe(leaks.critical[0].leakid);
    await until('the page by most attempts', async () => JSON.stringify(await rowIds()) === JSON.stringify(mostAttempts));
    expect(await page.locator('#direction').isDisabled()).toBe(true);
    await page.locator('#sort').selectOption('newest');
    await shows('');

    // Per page: 25 of 28, then the last 3 on the next page.
    await page.locator('#limit').selectOption('25');
    const all = await apiIds('');
    await page.waitForURL((u) => query(u) === JSON.stringify([['limit', '25']]));
    await until('25 rows, the API\'s first', async () => JSON.stringify(await rowIds()) === JSON.stringify(all.slice(0, 25)));
    await expect(page.locator('#total').textContent()).resolves.toContain('28 leaks match, 25 shown');
    await page.locator('#next-page').click();
    await until('the last 3', async () => JSON.stringify(await rowIds()) === JSON.stringify(all.slice(25)));
    await page.locator('#limit').selectOption('50');
    await page.waitForURL((u) => query(u) === '[]');
    await rows(28);
  });

  it('offers an analyst every page and no action (and the API still refuses)', async () => {
    // A claimed domain and active keys: the admin is offered their actions, the analyst is not.
    expect((await call('POST', '/api/v1/domains', adminKey, { domain: 'acme.example' })).status).toBe(201);
    await page.goto(`${e2e.app.url}/#/admin`);
    await page.locator('tr[data-domain="acme.example"]').waitFor();
    expect(await page.locator('#keys-table .rotate-key').count()).toBeGreaterThan(0);
    await expect(page.locator('tr[data-domain="acme.example"] .verify-domain, tr[data-domain="acme.example"] .revoke-domain').count()).resolves.toBe(2);
    await page.evaluate(`sessionStorage.clear()`);
    await signIn(analystKey);
    await expect(page.locator('#role').textContent()).resolves.toBe('analyst');
    await page.locator('#read-only').waitFor();
    await page.goto(`${e2e.app.url}/#/leaks`);
    await page.locator('#leaks-table').waitFor();
    await expect(page.locator('input.select-leak, .bulkbar').count()).resolves.toBe(0);
    await page.goto(`${e2e.app.url}/#/leaks/${leaks.low[0].leakid}`);
    await page.locator('#timeline').waitFor();
    await expect(page.locator('[id^="decide-"]').count()).resolves.toBe(0);
    await page.goto(`${e2e.app.url}/#/admin`);
    await page.locator('#keys-table').waitFor();
    await page.locator('tr[data-domain="acme.example"]').waitFor();
    expect(await page.locator('#keys-table tbody tr').count()).toBeGreaterThan(1);
    await expect(page.locator('#issue-key, .rotate-key, .revoke-key, #claim-domain, .verify-domain, .revoke-domain, #github-secret').count()).resolves.toBe(0);
    await expect(page.locator('#keys-table button, #domains-table button').count()).resolves.toBe(0);
    await page.goto(`${e2e.app.url}/#/add`);
    await expect(page.locator('#add-form').count()).resolves.toBe(0);
    await page.goto(`${e2e.app.url}/#/attempts`);
    await page.locator('#attempts-total').waitFor();
    const refused = await call('POST', '/api/v1/leaks/status', analystKey, { leakid: leaks.low[0].leakid, status: 'fixed' });
    expect(refused.status).toBe(403);
  });

  it('adds leaks by hand and reports duplicates', async () => {
    await page.evaluate(`sessionStorage.clear()`);
    await signIn(adminKey);
    await page.goto(`${e2e.app.url}/#/add`);
    await page.locator('#add-form').waitFor();
    await shot('add-light-1280');
    const token = fakeToken();
    await page.getByLabel('Source name (required)').fill('slack export');
    await page.getByLabel('One token per line').fill(`${token}\n${leaks.low[0].token}`);
    await page.locator('#add-submit').click();
    await page.locator('#add-result .notice.success').waitFor();
    await expect(page.locator('#add-result strong').textContent()).resolves.toContain('1 new, 1 already known');
    await expect(page.getByLabel('One token per line').inputValue()).resolves.toBe(''); // the form keeps no secret
    const ids = await page.locator('#add-result li code').allTextContents();
    const added = ids.find((id) => id !== leaks.low[0].leakid) as string;
    expect(ids).toHaveLength(2);
    // Later tests count leaks: wait until the new one is listed and counted.
    await until('the added leak in the list and the statistics', async () => {
      const [leak, list, stats] = await Promise.all([
        call('GET', `/api/v1/leaks/${added}`, adminKey),
        call('GET', '/api/v1/leaks?limit=1', adminKey),
        call('GET', '/api/v1/stats/leaks', adminKey),
      ]);
      return leak.status === 200 && list.body.total === stats.body.total;
    });
  });

  it('refreshes live with ETags: an unchanged poll is a 304 that redraws nothing (same nodes, focus and selection stay); a new leak appears without reload', async () => {
    const refreshes = () => page.evaluate<number>(`Number(document.documentElement.dataset.refreshes ?? 0)`);
    /** Runs one refresh cycle now (as coming back to the tab does) and answers the poll's request and response. */
    const poll = async (path: RegExp) => {
      const before = await refreshes();
      const answered = page.waitForResponse((r) => r.request().method() === 'GET' && path.test(new URL(r.url()).pathname + new URL(r.url()).search));
      await page.evaluate(VISIBLE_AGAIN);
      const response = await answered;
      await until('the refresh cycle ended', async () => (await refreshes()) > before);
      return { status: response.status(), ifNoneMatch: (await response.request().allHeaders())['if-none-match'] };
    };
    const total = async () => (await call('GET', '/api/v1/stats/leaks', adminKey)).body.total as number;

    // Overview: the poll revalidates; unchanged, the charts are the very same canvases.
    const before = await total();
    await page.goto(`${e2e.app.url}/#/`);
    await page.locator('#chart-risk[data-points]').waitFor();
    await expect(page.locator('#figure-total .value').textContent()).resolves.toBe(String(before));
    await page.evaluate(`window.notReloaded = true; window.riskCanvas = document.querySelector('#chart-risk')`);
    const unchanged = await poll(/^\/api\/v1\/stats\/leaks\?/);
    expect(unchanged.ifNoneMatch).toMatch(/^W\/"/);
    expect(unchanged.status).toBe(304);
    expect(await page.evaluate<boolean>(`window.riskCanvas === document.querySelector('#chart-risk') && window.riskCanvas.isConnected`)).toBe(true);
    // A change: the next poll is a 200 and the figures move, on the same page.
    await addTokens('low', 1, 'live-feed');
    await until('the new leak in the statistics', async () => (await total()) === before + 1);
    const changed = await poll(/^\/api\/v1\/stats\/leaks\?/);
    expect(changed.status).toBe(200);
    await until('the overview shows it', async () => (await page.locator('#figure-total .value').textContent()) === String(before + 1));
    expect(await page.evaluate<boolean>(`window.riskCanvas.isConnected`)).toBe(false); // redrawn, as it changed

    // The list: select a row, type into a filter (not applied), then an unchanged poll.
    await page.locator('nav a[href="#/leaks"]').click();
    await page.locator('#leaks-table').waitFor();
    const newest = leaks.low.at(-1)?.leakid as string;
    await page.locator(`tr[data-leakid="${newest}"]`).waitFor();
    const picked = leaks.critical[0].leakid;
    await page.locator(`tr[data-leakid="${picked}"] input.select-leak`).check();
    await page.locator('#filter-source').fill('draft, not applied');
    await page.locator('#filter-source').focus();
    await page.evaluate(`window.rows = Array.from(document.querySelectorAll('#leaks-table tbody tr')); window.table = document.querySelector('#leaks-table')`);
    const rowHandles = await page.locator('#leaks-table tbody tr').elementHandles();
    const same = await poll(/^\/api\/v1\/leaks\?/);
    expect(same.ifNoneMatch).toMatch(/^W\/"/);
    expect(same.status).toBe(304);
    expect(await page.evaluate<boolean>(`window.table === document.querySelector('#leaks-table') && window.rows.every((tr, i) => tr === document.querySelectorAll('#leaks-table tbody tr')[i] && tr.isConnected)`)).toBe(true);
    for (const handle of rowHandles) expect(await handle.evaluate((tr) => tr.isConnected)).toBe(true);
    expect(await page.evaluate<boolean>(`document.activeElement === document.querySelector('#filter-source')`)).toBe(true);
    await expect(page.locator('#filter-source').inputValue()).resolves.toBe('draft, not applied');
    await expect(page.locator(`tr[data-leakid="${picked}"] input.select-leak`).isChecked()).resolves.toBe(true);
    await expect(page.locator('#selected-count').textContent()).resolves.toBe('1 selected');

    // A new leak through the API: the next poll is a 200, the row appears; the focus, the draft and the selection stay.
    await addTokens('low', 1, 'live-feed');
    const next = leaks.low.at(-1)?.leakid as string;
    await until('the new leak in the list', async () => (await call('GET', '/api/v1/leaks?limit=1', adminKey)).body.items[0]?.leakid === next);
    const fresh = await poll(/^\/api\/v1\/leaks\?/);
    expect(fresh.status).toBe(200);
    await page.locator(`tr[data-leakid="${next}"]`).waitFor();
    expect(await page.evaluate<boolean>(`window.table.isConnected`)).toBe(false); // the table was redrawn
    expect(await page.evaluate<boolean>(`document.activeElement === document.querySelector('#filter-source')`)).toBe(true);
    await expect(page.locator('#filter-source').inputValue()).resolves.toBe('draft, not applied');
    await expect(page.locator(`tr[data-leakid="${picked}"] input.select-leak`).isChecked()).resolves.toBe(true);
    expect(await page.evaluate(`window.notReloaded`)).toBe(true);
    await page.locator(`tr[data-leakid="${picked}"] input.select-leak`).uncheck();
  });

  it('is readable in dark mode and at phone width', async () => {
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.goto(`${e2e.app.url}/#/`);
    await page.locator('#chart-risk[data-points]').waitFor();
    await shot('overview-dark-1280');
    await page.goto(`${e2e.app.url}/#/leaks`);
    await page.locator('#leaks-table').waitFor();
    await shot('leaks-dark-1280');
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${e2e.app.url}/#/`);
    await page.locator('#chart-risk[data-points]').waitFor();
    await shot('overview-dark-phone');
    await page.emulateMedia({ colorScheme: 'light' });
    await page.goto(`${e2e.app.url}/#/leaks`);
    await page.locator('#leaks-table').waitFor();
    await shot('leaks-light-phone');
    await page.goto(`${e2e.app.url}/#/leaks/${leaks.high[0].leakid}`);
    await page.locator('#timeline').waitFor();
    await shot('leak-detail-light-phone');
    // Nothing wider than the screen but the tables, which scroll in their own box.
    const overflow = await page.evaluate<number>(`document.documentElement.scrollWidth - window.innerWidth`);
    expect(overflow).toBeLessThanOrEqual(0);
    await page.setViewportSize({ width: 1280, height: 900 });
  });

  it('signs out: the key leaves sessionStorage', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('API key').waitFor();
    expect(await page.evaluate(`sessionStorage.getItem('leakwatch.apiKey')`)).toBeNull();
  });

  it('never tripped the Content-Security-Policy nor threw a script error on any page', () => {
    expect(pageProblems).toEqual([]);
  });
});
