/**
 * Attempts to use leaked tokens across the organisation (`GET /api/v1/stats/attempts`, scoped to the leaks
 * the caller may see), filterable by day range, risk, source and leak. Refreshed live.
 */
import { getFresh, query } from '../api';
import { h, replace } from '../dom'; // eslint-disable-line @typescript-eslint/no-unused-vars -- h is the JSX factory
import { RISKS, cap, dateTime, number } from '../format';
import { live } from '../live';
import type { Page } from '../main';
import { navigate } from '../router';
import { field, patchBadge, riskBadge, statusBadge } from '../ui';

interface Attempt {
  leakid: string;
  /** The last attempt's time; `count` attempts (a gateway folds repeats within its flush window). */
  at: string;
  count: number;
  secret_type: string;
  risk: string;
  status: string;
  virtual_patch: boolean;
  sources: string[];
}

interface Attempts {
  items: Attempt[];
  total: number;
  window: { from: string; to: string };
}

const FILTERS = ['from', 'to', 'risk', 'source', 'leakid'] as const;

export const attemptsPage: Page = async (route, main) => {
  const params = route.params;
  const path = `/api/v1/stats/attempts${query(Object.fromEntries(FILTERS.map((f) => [f, params.get(f)])))}`;
  const box = <div class="table-wrap"></div>;
  const summary = <p class="muted" id="attempts-total"></p>;
  const draw = (attempts: Attempts) => {
    const shown = attempts.items.reduce((n, a) => n + a.count, 0);
    summary.textContent = `${number(attempts.total)} attempts from ${attempts.window.from} to ${attempts.window.to} (UTC)${shown < attempts.total ? `, the latest ${number(shown)} shown` : ''}.`;
    replace(
      box,
      attempts.items.length ? (
        <table id="attempts-table">
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Times</th>
              <th scope="col">Leak</th>
              <th scope="col">Risk</th>
              <th scope="col">Status</th>
              <th scope="col">Patch</th>
              <th scope="col" class="optional">Sources</th>
            </tr>
          </thead>
          <tbody>
            {attempts.items.map((a) => (
              <tr data-leakid={a.leakid}>
                <td>{dateTime(a.at)}</td>
                <td>{number(a.count)}</td>
                <td>
                  <a href={`#/leaks/${a.leakid}`}>
                    <code>{a.leakid}</code>
                  </a>
                  <div class="muted">{a.secret_type}</div>
                </td>
                <td>{riskBadge(a.risk)}</td>
                <td>{statusBadge(a.status)}</td>
                <td>{patchBadge(a.virtual_patch)}</td>
                <td class="optional">{a.sources.join(', ')}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p id="no-attempts">No attempt to use a leaked token in this window.</p>
      ),
    );
  };
  const input = (name: string, label: string, type = 'text') => (
    <label>
      {label}
      <input name={name} id={`attempts-${name}`} type={type} value={params.get(name) ?? ''} />
    </label>
  );
  const risk = (
    <select name="risk" id="attempts-risk">
      <option value="">Any</option>
      {RISKS.map((r) => <option value={r}>{cap(r)}</option>)}
    </select>
  ) as HTMLSelectElement;
  risk.value = params.get('risk') ?? '';
  replace(
    main,
    <h1>Attempts to use leaked tokens</h1>,
    <p class="muted">Each row is a check of a leaked token that a gateway refused (virtual patch), newest first.</p>,
    <form
      class="panel form-row"
      aria-label="Filter attempts"
      onSubmit={(e: Event) => {
        e.preventDefault();
        const f = e.target as HTMLFormElement;
        navigate('/attempts', Object.fromEntries(FILTERS.map((k) => [k, ((f.elements.namedItem(k) as HTMLInputElement).value ?? '').trim() || null])));
      }}
    >
      {input('from', 'From (day)', 'date')}
      {input('to', 'To (day)', 'date')}
      {field('Risk', risk)}
      {input('source', 'Source')}
      {input('leakid', 'Leak id')}
      <button type="submit" class="primary">
        Apply
      </button>
      <button type="button" onClick={() => navigate('/attempts')}>
        Clear
      </button>
    </form>,
    summary,
    box,
  );
  const first = await getFresh<Attempts>(path, true);
  if (first) draw(first);
  return live(async () => {
    const next = await getFresh<Attempts>(path);
    if (next) draw(next);
  });
};
