/**
 * The web console's new-user path and administration in a real headless Chromium against `npm start`'s
 * process (one browser, one Leakwatch for the file): the bootstrap global_admin creates an organisation and
 * its admin key in the UI; that admin rotates a key, claims/verifies/revokes a domain, creates the GitHub
 * webhook secret, adds a credential by hand, filters attempts, reads sightings with their locations and
 * decides with the keyboard only. Every page: every control has an accessible name, nothing is wider than a
 * phone's or a 1280 px screen, dark mode is actually dark. No key ever reaches the server's output.
 * A screenshot of each page goes to the folder printed at the start.
 */
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { freePort } from '@leakwatch/postgres-server';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium, screenshotFolder } from './support/browser';
import { controlsWithoutName, focusedMatches, horizontalOverflow, luminance, signIn, tabTo, watchedPage } from './support/console-page';
import { E2E_ADMIN_KEY, E2e, startE2e } from './support/e2e-harness';
import { eventually } from '@leakwatch/testing';

jest.setTimeout(120_000);

const fakeToken = () => `ghp_${randomBytes(18).toString('hex')}`;

describe('web console: new user, administration, keyboard and layout (e2e, headless Chromium)', () => {
  let e2e: E2e;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let shots: string;
  const problems: string[] = [];
  /** Every URL the browser asked for or went to (requests, navigations, the address bar): no secret in any. */
  const urls = new Set<string>();
  /** Every secret the tests handle: none may appear in the server's output. */
  const secrets: string[] = [E2E_ADMIN_KEY];
  let orgId = '';
  let adminKey = ''; // Northwind's admin key, issued in the UI
  const leaks: Record<'high' | 'critical' | 'low', Array<{ token: string; leakid: string }>> = { high: [], critical: [], low: [] };
  let credentialLeak = '';
  const call: E2e['call'] = (...args) => e2e.call(...args);

  const until = (what: string, check: () => Promise<boolean>, timeoutMs = 30_000) => eventually(what, check, (ok) => ok, { timeoutMs });
  const shot = (name: string) => page.screenshot({ path: path.join(shots, `${name}.png`), fullPage: true });
  const text = async (selector: string) => ((await page.locator(selector).first().textContent()) ?? '').trim();
  const accept = () => page.once('dialog', (dialog) => void dialog.accept());
  const keyWorks = (key: string) => until('the key works', async () => (await call('GET', '/api/v1/session', key)).status === 200);
  const addTokens = async (risk: 'high' | 'critical' | 'low', count: number, source: string) => {
    const tokens = Array.from({ length: count }, fakeToken);
    secrets.push(...tokens);
    const answer = await call('POST', '/api/v1/leaks', adminKey, { source: { name: source }, tokens: tokens.map((value) => ({ value })), risk });
    expect(answer.status).toBe(201);
    tokens.forEach((token, i) => leaks[risk].push({ token, leakid: answer.body.leakids[i] }));
  };

  /** Each page of the console, and what shows it is drawn. */
  const pages = (): Array<{ name: string; hash: string; ready: string }> => [
    { name: 'overview', hash: '#/', ready: '#chart-risk[data-points]' },
    { name: 'leaks', hash: '#/leaks', ready: '#leaks-table' },
    { name: 'leak-detail', hash: `#/leaks/${credentialLeak}`, ready: '#sightings' },
    { name: 'add', hash: '#/add', ready: '#add-form' },
    { name: 'attempts', hash: '#/attempts', ready: '#attempts-table' },
    { name: 'admin', hash: '#/admin', ready: '#keys-table' },
  ];
  const open = async (hash: string, ready: string) => {
    await page.goto(`${e2e.app.url}/${hash}`);
    await page.locator(ready).first().waitFor();
  };

  beforeAll(async () => {
    shots = screenshotFolder('leakwatch-console-admin');
    console.log(`console (administration) screenshots: ${shots}`);
    const dns = await freePort(); // nothing listens there: domain verification's DNS query is refused at once (no network)
    [e2e, browser] = await Promise.all([
      startE2e({ LEAKWATCH_DNS_SERVERS: `127.0.0.1:${dns}`, LEAKWATCH_DNS_TIMEOUT_MS: '500', LEAKWATCH_HTTP_TIMEOUT_MS: '1000' }),
      launchChromium(),
    ]);
    context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: e2e.app.url });
    context.on('request', (request) => urls.add(request.url()));
    page = await watchedPage(context, problems);
    page.on('framenavigated', (frame) => urls.add(frame.url()));
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await e2e?.stop();
  });

  it('the sign-in page: labelled, fits a phone and 1280 px, dark when the system is', async () => {
    await page.goto(`${e2e.app.url}/`);
    await page.getByLabel('API key').waitFor();
    await shot('signin-light-1280');
    const names = await controlsWithoutName(page);
    expect(names.unnamed).toEqual([]);
    expect(names.checked).toBeGreaterThanOrEqual(2); // the key and the button
    expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);
    expect(await luminance(page, 'body', 'background-color')).toBeGreaterThan(0.8);
    await page.emulateMedia({ colorScheme: 'dark' });
    expect(await luminance(page, 'body', 'background-color')).toBeLessThan(0.05);
    expect(await luminance(page, '.panel', 'background-color')).toBeLessThan(0.05);
    expect(await luminance(page, 'body', 'color')).toBeGreaterThan(0.6);
    await page.setViewportSize({ width: 390, height: 844 });
    expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);
    await shot('signin-dark-phone');
    await page.emulateMedia({ colorScheme: 'light' });
    await page.setViewportSize({ width: 1280, height: 900 });
  });

  it('new user: the bootstrap key sees all organisations, creates and picks one, issues its admin key (shown once, copied); that key signs in as the organisation\'s admin', async () => {
    await signIn(page, e2e.app.url, E2E_ADMIN_KEY);
    expect(await text('#role')).toBe('global_admin');
    expect(await text('#org')).toBe('all organisations');

    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Administration' }).click();
    await page.locator('#keys-table').waitFor();
    await page.getByLabel('New organisation').fill('Northwind');
    await page.getByRole('button', { name: 'Create organisation' }).click();
    await page.waitForURL(/#\/admin\?org=[0-9a-f-]{36}$/);
    orgId = new URLSearchParams(new URL(page.url()).hash.split('?')[1]).get('org') as string;
    await until('the organisation is picked', async () => (await page.locator('#admin-org').inputValue()) === orgId);
    expect((await call('GET', '/api/v1/orgs', E2E_ADMIN_KEY)).body.items).toEqual(expect.arrayContaining([expect.objectContaining({ org_id: orgId, name: 'Northwind' })]));

    // Back to every organisation, then pick it from the list as a user would.
    await page.locator('#admin-org').selectOption('');
    await page.waitForURL(/#\/admin$/);
    await page.locator('#admin-org').selectOption({ label: 'Northwind' });
    await page.waitForURL(new RegExp(`#/admin\\?org=${orgId}$`));
    await page.locator('#issue-key').waitFor();

    await page.locator('#key-name').fill('Northwind admin');
    await page.locator('#key-role').selectOption('admin');
    await page.locator('#key-email').fill('it@northwind.example');
    await page.locator('#issue-key-submit').click();
    await page.locator('#key-result #secret-once').waitFor();
    adminKey = await text('#key-result #secret-once');
    secrets.push(adminKey);
    expect(adminKey).toMatch(/^lw_/);
    await page.locator('#key-result').getByRole('button', { name: 'Copy', exact: true }).click();
    await page.locator('#key-result').getByText('Copied.').waitFor();
    expect(await page.evaluate<string>('navigator.clipboard.readText()')).toBe(adminKey);
    await shot('admin-org-key-issued-light-1280');
    await page.getByRole('button', { name: 'Done, refresh the list' }).click();
    await page.locator('tr[data-key-name="Northwind admin"]').waitFor();
    expect(await page.locator('body').textContent()).not.toContain(adminKey); // shown once
    await page.evaluate('navigator.clipboard.writeText("")');

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('API key').waitFor();
    await keyWorks(adminKey);
    await signIn(page, e2e.app.url, adminKey);
    expect(await text('#role')).toBe('admin');
    expect(await text('#org')).toBe('Northwind');
    expect(await text('#whoami')).toContain('it@northwind.example');
  });

  it('rotates a key: the new secret is shown once and works, the old one is refused by the API', async () => {
    await open('#/admin', '#issue-key');
    await page.locator('#key-name').fill('deploy bot');
    await page.locator('#key-role').selectOption('analyst');
    await page.locator('#issue-key-submit').click();
    await page.locator('#key-result #secret-once').waitFor();
    const before = await text('#key-result #secret-once');
    secrets.push(before);
    await page.getByRole('button', { name: 'Done, refresh the list' }).click();
    const row = page.locator('tr[data-key-name="deploy bot"]');
    await row.waitFor();
    await keyWorks(before);

    accept();
    await row.getByRole('button', { name: 'Rotate deploy bot' }).click();
    await page.locator('#key-result #secret-once').waitFor();
    const after = await text('#key-result #secret-once');
    secrets.push(after);
    expect(await text('#key-result')).toContain('rotated');
    expect(after).toMatch(/^lw_/);
    expect(after).not.toBe(before);
    await shot('admin-key-rotated-light-1280');
    await until('the old secret is refused', async () => (await call('GET', '/api/v1/session', before)).status === 401);
    await keyWorks(after);
    expect((await call('GET', '/api/v1/session', after)).body).toMatchObject({ role: 'analyst', org_id: orgId });
    await page.reload();
    await page.locator('tr[data-key-name="deploy bot"]').waitFor();
    expect(await page.locator('body').textContent()).not.toContain(after);
  });

  it('claims a domain (DNS TXT and HTTPS instructions), verifies it (still pending, with the reason) and revokes it', async () => {
    await open('#/admin', '#claim-domain');
    await page.getByLabel('Domain', { exact: true }).fill('northwind.example');
    await page.getByRole('button', { name: 'Claim domain' }).click();
    const instructions = page.locator('#domain-instructions');
    await instructions.waitFor();
    const shown = (await instructions.textContent()) ?? '';
    expect(shown).toContain('TXT record');
    expect(shown).toContain('_leakwatch-challenge.northwind.example');
    expect(shown).toMatch(/leakwatch-verification=\S{16,}/);
    expect(shown).toContain('https://northwind.example/.well-known/leakwatch-verification.txt');
    await expect(instructions.getByRole('button', { name: 'Copy value' }).count()).resolves.toBe(1);
    await expect(instructions.getByRole('button', { name: 'Copy content' }).count()).resolves.toBe(1);
    await shot('admin-domain-claimed-light-1280');

    await instructions.getByRole('button', { name: 'Refresh the list' }).click();
    const row = page.locator('tr[data-domain="northwind.example"]');
    await row.waitFor();
    expect(await row.locator('.domain-status').textContent()).toContain('pending');
    await row.getByRole('button', { name: 'Verify northwind.example' }).click();
    const pending = page.locator('#domain-result .notice');
    await pending.waitFor();
    const why = (await pending.textContent()) ?? '';
    expect(why).toMatch(/northwind\.example is still pending: .{8,}/);
    const api = await call('POST', '/api/v1/domains/northwind.example/verify', adminKey);
    expect(api.body).toMatchObject({ status: 'pending', reason: expect.any(String) });
    expect(why).not.toContain('the proof was not found yet.'); // the API's reason, not a stock text
    await shot('admin-domain-pending-light-1280');

    accept();
    await row.getByRole('button', { name: 'Revoke northwind.example' }).click();
    await page.locator('#domain-result .notice.success').waitFor();
    await until('the domain is listed as revoked', async () => ((await page.locator('tr[data-domain="northwind.example"] .domain-status').textContent()) ?? '').includes('revoked'));
    expect((await call('GET', '/api/v1/domains', adminKey)).body.items).toEqual([expect.objectContaining({ domain: 'northwind.example', status: 'revoked' })]);
  });

  it('creates the GitHub webhook secret: shown once, with the payload URL', async () => {
    await open('#/admin', '#github-secret');
    accept();
    await page.locator('#github-secret').click();
    const result = page.locator('#github-result');
    await result.locator('#secret-once').waitFor();
    const secret = ((await result.locator('#secret-once').textContent()) ?? '').trim();
    secrets.push(secret);
    expect(secret.length).toBeGreaterThanOrEqual(20);
    expect(await result.textContent()).toContain(`${e2e.app.url}/api/v1/ingest/github?org_id=${orgId}`);
    await expect(result.getByRole('button', { name: 'Copy URL' }).count()).resolves.toBe(1);
    await shot('admin-github-secret-light-1280');
    await page.reload();
    await page.locator('#github-secret').waitFor();
    expect(await page.locator('body').textContent()).not.toContain(secret);
  });

  it('adds a credential (email, password, site) by hand; the leak shows identity and site, never the password', async () => {
    const password = `Winter-${randomBytes(6).toString('hex')}!`;
    secrets.push(password);
    await open('#/add', '#add-form');
    await page.getByLabel('Source name (required)').fill('forum dump');
    const credential = page.locator('#credentials fieldset').first();
    await credential.getByLabel('Email').fill('jane@northwind.example');
    await credential.getByLabel('Password').fill(password);
    await credential.getByLabel('Site URL').fill('https://shop.northwind.example/login');
    await page.locator('#add-submit').click();
    await page.locator('#add-result .notice.success').waitFor();
    expect(await text('#add-result strong')).toContain('1 new, 0 already known');
    await expect(credential.getByLabel('Password').inputValue()).resolves.toBe(''); // the form keeps no secret
    credentialLeak = await text('#add-result li code');
    await until('the credential leak exists', async () => (await call('GET', `/api/v1/leaks/${credentialLeak}`, adminKey)).status === 200);

    await page.locator('#add-result li a').click();
    await page.locator('#facts').waitFor();
    const facts = (await page.locator('#facts').textContent()) ?? '';
    expect(facts).toContain('jane@northwind.example');
    expect(facts).toContain('shop.northwind.example');
    expect(await page.locator('body').textContent()).not.toContain(password);
  });

  it('lists every sighting of a leak with its source and location', async () => {
    await addTokens('high', 3, 'github');
    const { token, leakid } = leaks.high[0];
    await until('the leak exists', async () => (await call('GET', `/api/v1/leaks/${leakid}`, adminKey)).status === 200);
    const report = [{ RuleID: 'github-pat', Secret: token, File: 'deploy/config.yml', StartLine: 12, Commit: 'a1b2c3d4e5f6' }];
    expect((await call('POST', '/api/v1/ingest/gitleaks', adminKey, report)).status).toBe(202);
    await until('the second sighting', async () => (await call('GET', `/api/v1/leaks/${leakid}`, adminKey)).body.sightings === 2);

    await open(`#/leaks/${leakid}`, '#sightings');
    const rows = page.locator('#sightings tbody tr');
    await expect(rows.count()).resolves.toBe(2);
    expect(await text('#sightings-title')).toBe('Sightings (2)');
    const cells = await rows.evaluateAll((trs) => trs.map((tr) => Array.from(tr.querySelectorAll('td'), (td: { textContent: string | null }) => (td.textContent ?? '').trim())));
    expect(cells[0][1]).toContain('github');
    expect(cells[0][2]).toBe('—'); // added by hand: no location
    expect(cells[1][1]).toContain('gitleaks');
    expect(cells[1][2]).toContain('deploy/config.yml');
    expect(cells[1][2]).toContain('12');
    expect(cells[1][2]).toContain('a1b2c3d4e5f6');
    await shot('leak-sightings-light-1280');
  });

  it('filters the attempts with the form: the rows narrow to the chosen risk or leak', async () => {
    await addTokens('critical', 1, 'pastebin');
    await addTokens('low', 1, 'gist');
    const targets = [leaks.critical[0], leaks.low[0]];
    for (const { token, leakid } of targets) {
      await until('the leak exists', async () => (await call('GET', `/api/v1/leaks/${leakid}`, adminKey)).status === 200);
      expect((await call('POST', '/api/v1/leaks/virtual-patch', adminKey, { leakid, enabled: true })).status).toBe(200);
      // An unblocked check records nothing: checking until it is blocked records exactly one attempt.
      await eventually('the token check sees the patch', () => call('POST', '/api/v1/tokens/check', adminKey, { token }), (r) => r.body.blocked === true);
    }
    await until('both attempts counted', async () => (await call('GET', '/api/v1/stats/attempts', adminKey)).body.total === 2);

    await open('#/attempts', '#attempts-table');
    await expect(page.locator('#attempts-table tbody tr').count()).resolves.toBe(2);
    await page.locator('#attempts-risk').selectOption('critical');
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.waitForURL(/#\/attempts\?risk=critical$/);
    await until('one row', async () => (await page.locator('#attempts-table tbody tr').count()) === 1);
    expect(await page.locator('#attempts-table tbody tr').getAttribute('data-leakid')).toBe(leaks.critical[0].leakid);
    expect(await text('#attempts-total')).toMatch(/^1 attempts? /);
    await shot('attempts-filtered-light-1280');

    await page.getByRole('button', { name: 'Clear' }).click();
    await until('both rows again', async () => (await page.locator('#attempts-table tbody tr').count()) === 2);
    await page.getByLabel('Leak id').fill(leaks.low[0].leakid);
    await page.getByLabel('Leak id').press('Enter');
    await until('the low leak\'s row only', async () => {
      const ids = await page.locator('#attempts-table tbody tr').evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-leakid')));
      return ids.length === 1 && ids[0] === leaks.low[0].leakid;
    });
    await page.getByLabel('Source').fill('no-such-source');
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.locator('#no-attempts').waitFor();
  });

  it('is usable with the keyboard only: sign in, a chart\'s filter button, select a row, a bulk decision with a comment', async () => {
    await until('the high leaks are counted', async () => (await call('GET', '/api/v1/stats/leaks', adminKey)).body.total >= 6);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('API key').waitFor();
    expect(await focusedMatches(page, '#api-key')).toBe(true); // the sign-in page focuses the key
    await page.keyboard.type(adminKey);
    await page.keyboard.press('Enter');
    await page.locator('#chart-risk[data-points]').waitFor();

    await tabTo(page, '#figure-risk button[data-filter="high"]');
    await page.keyboard.press('Enter');
    await page.waitForURL(/#\/leaks\?risk=high&status=open$/);
    const high = ((await call('GET', '/api/v1/leaks?risk=high&status=open', adminKey)).body.items as Array<{ leakid: string }>).map((l) => l.leakid);
    expect(high).toEqual(expect.arrayContaining(leaks.high.map((l) => l.leakid)));
    await until('the open high leaks', async () => (await page.locator('#leaks-table tbody tr').count()) === high.length);

    const target = leaks.high[1].leakid;
    await tabTo(page, `tr[data-leakid="${target}"] input.select-leak`);
    await page.keyboard.press('Space');
    await until('one selected', async () => (await text('#selected-count')) === '1 selected');
    expect(await page.locator(`tr[data-leakid="${target}"] input.select-leak`).isChecked()).toBe(true);
    await tabTo(page, '#bulk-comment');
    await page.keyboard.type('rotated from the keyboard');
    await tabTo(page, '#bulk-fix');
    await page.keyboard.press('Enter');
    await page.locator('#bulk-result .notice.success').waitFor();
    const leak = await call('GET', `/api/v1/leaks/${target}/history`, adminKey);
    expect(leak.body.events.at(-1)).toMatchObject({ type: 'LeakStatusChanged', data: { to: 'fixed', comment: 'rotated from the keyboard' } });
    await shot('leaks-keyboard-decision-light-1280');
  });

  it('is usable with the keyboard only: the per-day charts\' buttons (a day\'s fixed leaks, a day\'s attempts) open what their bars open', async () => {
    const day = new Date().toISOString().slice(0, 10);
    const next = new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
    type Day = { day: string; opened: number; fixed: number; token_use_attempts: number };
    // Today: the leak fixed from the keyboard, the two attempts of the attempts test.
    const stats = await eventually('today\'s fix and attempts in the statistics', async () => (await call('GET', '/api/v1/stats/leaks', adminKey)).body as { per_day: Day[] },
      (body) => { const d = body?.per_day?.find((p) => p.day === day); return d?.fixed === 1 && d.token_use_attempts === 2; }, { timeoutMs: 30_000 });
    const todays = stats.per_day.find((p) => p.day === day) as Day;
    await open('#/', '#chart-per-day[data-points]');
    // One button per day and series with a value: nothing for the empty days.
    const perDay = stats.per_day.reduce((n, d) => n + (d.opened ? 1 : 0) + (d.fixed ? 1 : 0), 0);
    await expect(page.locator('#figure-per-day button').count()).resolves.toBe(perDay);
    await expect(page.locator('#figure-attempts button').count()).resolves.toBe(stats.per_day.filter((d) => d.token_use_attempts).length);
    expect(await text(`#figure-per-day button[data-filter="Opened ${day}"]`)).toBe(`Opened ${day}: ${todays.opened}`);
    expect(await text(`#figure-per-day button[data-filter="Fixed ${day}"]`)).toBe(`Fixed ${day}: 1`);
    expect(await text(`#figure-attempts button[data-filter="Attempts ${day}"]`)).toBe(`Attempts ${day}: 2`);

    await tabTo(page, `#figure-per-day button[data-filter="Fixed ${day}"]`);
    await page.keyboard.press('Enter');
    await page.waitForURL(new RegExp(`#/leaks\\?fixed_from=${day}&fixed_to=${next}$`));
    const fixed = ((await call('GET', `/api/v1/leaks?fixed_from=${day}&fixed_to=${next}`, adminKey)).body.items as Array<{ leakid: string }>).map((l) => l.leakid);
    expect(fixed).toEqual([leaks.high[1].leakid]);
    await until('the leak fixed today', async () =>
      JSON.stringify(await page.locator('#leaks-table tbody tr').evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-leakid')))) === JSON.stringify(fixed));

    await open('#/', '#chart-attempts[data-points]');
    await tabTo(page, `#figure-attempts button[data-filter="Attempts ${day}"]`);
    await page.keyboard.press('Enter');
    await page.waitForURL(new RegExp(`#/attempts\\?from=${day}&to=${day}$`));
    await until('today\'s two attempts', async () => (await page.locator('#attempts-table tbody tr').count()) === 2);
    const ids = await page.locator('#attempts-table tbody tr').evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-leakid')));
    expect(ids.sort()).toEqual([leaks.critical[0].leakid, leaks.low[0].leakid].sort());
  });

  it('every control of every page has an accessible name (admin and global admin)', async () => {
    const missing: string[] = [];
    let checked = 0;
    for (const p of pages()) {
      await open(p.hash, p.ready);
      const names = await controlsWithoutName(page);
      checked += names.checked;
      missing.push(...names.unnamed.map((html) => `${p.name}: ${html}`));
    }
    // The global admin's administration page has more controls (organisations, the organisation picker, global roles).
    await page.getByRole('button', { name: 'Sign out' }).click();
    await signIn(page, e2e.app.url, E2E_ADMIN_KEY);
    await open(`#/admin?org=${orgId}`, '#issue-key');
    const global = await controlsWithoutName(page);
    checked += global.checked;
    missing.push(...global.unnamed.map((html) => `admin (global): ${html}`));
    expect(missing).toEqual([]);
    expect(checked).toBeGreaterThan(60);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await signIn(page, e2e.app.url, adminKey);
  });

  it('no page is wider than a 390 px phone or a 1280 px screen (light and dark); dark mode paints dark', async () => {
    const wide: string[] = [];
    for (const [width, height] of [[390, 844], [1280, 900]]) {
      await page.setViewportSize({ width, height });
      for (const scheme of ['light', 'dark'] as const) {
        await page.emulateMedia({ colorScheme: scheme });
        for (const p of pages()) {
          await open(p.hash, p.ready);
          const overflow = await horizontalOverflow(page);
          if (overflow > 0) wide.push(`${p.name} at ${width} px (${scheme}): ${overflow} px too wide`);
          const background = await luminance(page, 'body', 'background-color');
          const panel = await luminance(page, '.panel, .card, .chart', 'background-color');
          const ink = await luminance(page, 'main', 'color');
          if (scheme === 'dark') {
            expect({ page: p.name, dark: background < 0.05 && panel < 0.05 && ink > 0.6 }).toEqual({ page: p.name, dark: true });
          } else {
            expect({ page: p.name, light: background > 0.8 && panel > 0.8 && ink < 0.1 }).toEqual({ page: p.name, light: true });
          }
          if (width === 390) await shot(`${p.name}-${scheme}-phone`);
          else if (scheme === 'dark') await shot(`${p.name}-dark-1280`);
        }
      }
    }
    expect(wide).toEqual([]);
    // The theme switch overrides the system: dark chosen on a light system, and back.
    await page.emulateMedia({ colorScheme: 'light' });
    await open('#/', '#chart-risk[data-points]');
    await page.getByLabel('Colour theme').selectOption('dark');
    await until('the page turns dark', async () => (await luminance(page, 'body', 'background-color')) < 0.05);
    await page.getByLabel('Colour theme').selectOption('system');
    await until('the page turns light again', async () => (await luminance(page, 'body', 'background-color')) > 0.8);
  });

  it('never tripped the Content-Security-Policy nor threw a script error on any page', () => {
    expect(problems).toEqual([]);
  });

  it('never printed a key, a webhook secret, a token or a password in the server\'s output (stdout and stderr)', () => {
    const output = e2e.app.output();
    expect(output.length).toBeGreaterThan(0);
    expect(secrets.length).toBeGreaterThanOrEqual(10);
    expect(secrets.filter((secret) => secret && output.includes(secret))).toEqual([]);
  });

  it('never put a key or another secret in a URL (every request, navigation and address the browser had)', () => {
    urls.add(page.url());
    // The watch saw the API calls (with their query strings) and the console's own addresses.
    expect([...urls].filter((url) => /\/api\/v1\/[a-z0-9/-]+\?./.test(url)).length).toBeGreaterThan(5);
    expect([...urls].filter((url) => url.includes('#/admin')).length).toBeGreaterThan(0);
    // Raw and percent-encoded: a key in a query string would be encoded.
    const found = [...urls].filter((url) => secrets.some((secret) => secret && (url.includes(secret) || url.includes(encodeURIComponent(secret)))));
    expect(found).toEqual([]);
  });
});
