/**
 * The Leakwatch console: sign in with an API key, then the pages (overview, leaks, a leak, add, attempts,
 * administration) under hash routes. Every number comes from the API, aggregated by the database.
 */
import { ApiError, api, whenUnauthorized } from './api';
import { h, replace } from './dom'; // eslint-disable-line @typescript-eslint/no-unused-vars -- h is the JSX factory
import { Route, currentRoute, navigate } from './router';
import { Session, Theme, applyTheme, forgetKey, hasSession, session, setSession, storeKey, storedKey } from './session';
import { notice } from './ui';
import { adminPage } from './pages/admin';
import { addPage } from './pages/add';
import { attemptsPage } from './pages/attempts';
import { leakPage } from './pages/leak';
import { leaksPage } from './pages/leaks';
import { overviewPage } from './pages/overview';

export type Cleanup = () => void;
export type Page = (route: Route, main: HTMLElement) => Promise<Cleanup | void>;

const NAV: Array<{ path: string; label: string; page: Page; adminOnly?: boolean }> = [
  { path: '/', label: 'Overview', page: overviewPage },
  { path: '/leaks', label: 'Leaks', page: leaksPage },
  { path: '/add', label: 'Add leaks', page: addPage },
  { path: '/attempts', label: 'Attempts', page: attemptsPage },
  { path: '/admin', label: 'Administration', page: adminPage },
];

const app = () => document.getElementById('app') as HTMLElement;
let cleanup: Cleanup | undefined;
let rendering = 0;

async function start(): Promise<void> {
  applyTheme();
  whenUnauthorized((reason) => showSignIn(reason));
  // Signed out, the sign-in page is already shown: a change of address (e.g. signing out goes to the overview)
  // must not draw it again, or what the user started typing into it would be lost.
  window.addEventListener('hashchange', () => {
    if (hasSession()) void render();
  });
  const key = storedKey();
  if (!key) return showSignIn();
  try {
    setSession(await loadSession(key));
  } catch (error) {
    return showSignIn(error instanceof ApiError ? (error.problem.detail ?? error.message) : undefined);
  }
  await render();
}

async function loadSession(key: string): Promise<Session> {
  const who = await api<Omit<Session, 'org_name'>>('GET', '/api/v1/session', undefined, { key });
  let orgName: string | null = null;
  if (who.org_id) {
    const orgs = await api<{ items: Array<{ org_id: string; name: string }> }>('GET', '/api/v1/orgs', undefined, { key }).catch(() => ({ items: [] }));
    orgName = orgs.items.find((o) => o.org_id === who.org_id)?.name ?? null;
  }
  return { ...who, org_name: orgName };
}

function showSignIn(reason?: string): void {
  cleanup?.();
  cleanup = undefined;
  setSession(undefined);
  const input = <input id="api-key" name="api-key" type="password" autocomplete="off" spellcheck="false" required /> as HTMLInputElement;
  const message = <div aria-live="polite">{reason ? notice('error', reason) : null}</div>;
  const form = (
    <form
      onSubmit={async (event: Event) => {
        event.preventDefault();
        const key = input.value.trim();
        replace(message);
        try {
          setSession(await loadSession(key));
          storeKey(key);
          input.value = '';
          await render();
        } catch (error) {
          replace(message, notice('error', error instanceof ApiError && error.problem.status === 401 ? 'This key was not accepted (unknown, revoked or expired).' : `Sign-in failed: ${(error as Error).message}`));
        }
      }}
    >
      <label for="api-key">API key</label>
      {input}
      <p class="muted">
        Use the key Leakwatch printed on its first start, or one an administrator issued to you. It is kept in this tab only (sessionStorage)
        and sent to this server only.
      </p>
      <button class="primary" type="submit">
        Sign in
      </button>
    </form>
  );
  replace(
    app(),
    <main id="main" class="signin">
      <section class="panel" aria-labelledby="signin-title">
        <h1 id="signin-title">Sign in to Leakwatch</h1>
        {form}
        {message}
      </section>
    </main>,
  );
  input.focus();
}

async function render(): Promise<void> {
  if (!hasSession()) return showSignIn();
  const ticket = ++rendering;
  cleanup?.();
  cleanup = undefined;
  const route = currentRoute();
  const entry = route.path.startsWith('/leaks/') ? undefined : NAV.find((n) => n.path === route.path);
  const page = route.path.startsWith('/leaks/') ? leakPage : entry?.page;
  const main = <main id="main" tabindex="-1"></main>;
  replace(app(), header(route), main);
  if (!page) {
    replace(main, <h1>Not found</h1>, <p>There is no page {route.path}.</p>, <a href="#/">Back to the overview</a>);
    return;
  }
  document.title = `${route.path.startsWith('/leaks/') ? 'Leak' : (entry?.label ?? 'Leakwatch')} · Leakwatch`;
  try {
    const done = await page(route, main);
    if (ticket !== rendering) done?.();
    else cleanup = done ?? undefined;
  } catch (error) {
    if (error instanceof ApiError && error.problem.status === 401) return;
    replace(main, notice('error', `This page could not be loaded: ${(error as Error).message}`));
  }
}

function header(route: Route): HTMLElement {
  const s = session();
  const themeSelect = (
    <select
      id="theme"
      aria-label="Colour theme"
      onChange={(event: Event) => {
        applyTheme((event.target as HTMLSelectElement).value as Theme);
        void render(); // charts take their colours from the theme
      }}
    >
      <option value="system">System theme</option>
      <option value="light">Light</option>
      <option value="dark">Dark</option>
    </select>
  ) as HTMLSelectElement;
  themeSelect.value = localStorage.getItem('leakwatch.theme') ?? 'system';
  const active = route.path.startsWith('/leaks/') ? '/leaks' : route.path;
  return (
    <header class="topbar">
      <button type="button" class="skip-link" onClick={() => document.getElementById('main')?.focus()}>
        Skip to content
      </button>
      <a class="brand" href="#/">
        Leakwatch
      </a>
      <nav aria-label="Main">
        <ul class="nav">
          {NAV.map((n) => (
            <li>
              <a href={`#${n.path}`} aria-current={n.path === active ? 'page' : undefined}>
                {n.label}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <div class="whoami" id="whoami">
        <span class="badge" id="role" title="Role of your key">
          {s.role}
        </span>
        <span id="org" title="Organisation">
          {s.org_id ? (s.org_name ?? s.org_id) : 'all organisations'}
        </span>
        {s.user_email ? <span class="muted">{s.user_email}</span> : null}
        {s.can_change ? null : <span class="badge" id="read-only">read only</span>}
        {themeSelect}
        <button
          type="button"
          id="sign-out"
          onClick={() => {
            forgetKey();
            navigate('/');
            showSignIn();
          }}
        >
          Sign out
        </button>
      </div>
    </header>
  );
}

void start();
