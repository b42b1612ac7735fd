/**
 * The web console in a real headless Chromium against `npm start`'s process (one browser and one Leakwatch
 * for the whole file): sign-in as admin and analyst, chart → filtered list, bulk decisions and their
 * timeline, a refused bulk request, as-of, API keys, attempts — under a strict CSP that must never fire.
 * A screenshot of each page goes to the folder printed at the start.
 */
import { randomBytes } from 'node:crypto';
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
    await page.locator('#key-limit').fill('500');
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

  it('offers an analyst every page and no action (and the API still refuses)', async () => {
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
    await expect(page.locator('#issue-key, .revoke-key, #claim-domain, #github-secret').count()).resolves.toBe(0);
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

  it('refreshes the overview and the list when leaks change, without reloading the page', async () => {
    const total = async () => (await call('GET', '/api/v1/stats/leaks', adminKey)).body.total as number;
    const before = await total();
    await page.goto(`${e2e.app.url}/#/`);
    await page.locator('#chart-risk[data-points]').waitFor();
    await expect(page.locator('#figure-total .value').textContent()).resolves.toBe(String(before));
    await page.evaluate(`window.notReloaded = true`);
    await addTokens('low', 1, 'live-feed');
    await until('the new leak in the statistics', async () => (await total()) === before + 1);
    // The page polls every 20 s; coming back to the tab polls at once (same ETag path).
    await page.evaluate(VISIBLE_AGAIN);
    await until('the overview shows it', async () => (await page.locator('#figure-total .value').textContent()) === String(before + 1));

    await page.locator('a[href="#/leaks"]').first().click();
    await page.locator('#leaks-table').waitFor();
    const newest = leaks.low.at(-1)?.leakid as string;
    await expect(page.locator(`tr[data-leakid="${newest}"]`).count()).resolves.toBe(1);
    await addTokens('low', 1, 'live-feed');
    const next = leaks.low.at(-1)?.leakid as string;
    await until('the new leak in the list', async () => (await call('GET', `/api/v1/leaks/${next}`, adminKey)).status === 200);
    await page.evaluate(VISIBLE_AGAIN);
    await page.locator(`tr[data-leakid="${next}"]`).waitFor();
    expect(await page.evaluate(`window.notReloaded`)).toBe(true);
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
