/**
 * The leak list: every filter of `GET /api/v1/leaks` (type, status, risk, source, virtual patch, search, first
 * seen and fixed time ranges, as of a past moment) held in the URL, shown as removable chips; per-type counts;
 * order and direction; cursor paging; multi-select with bulk decisions and a comment. A refused bulk request
 * shows the ids and the reason, and — as the API guarantees — changed nothing. Refreshed live (polling with
 * ETags: an unchanged answer is a 304 and redraws nothing, so focus and selection stay).
 */
import { ApiError, api, getFresh, query } from '../api';
import { h, replace } from '../dom'; // eslint-disable-line @typescript-eslint/no-unused-vars -- h is the JSX factory
import { RISKS, STATUSES, TYPES, cap, dateTime, number, statusLabel } from '../format';
import { live } from '../live';
import type { Page } from '../main';
import { href, navigate } from '../router';
import { session } from '../session';
import { field, notice, patchBadge, problemNotice, riskBadge, statusBadge } from '../ui';

export interface LeakView {
  leakid: string;
  kind: string;
  secret_type: string;
  type: string | null;
  preview: string;
  fingerprint: string | null;
  status: string;
  virtual_patch: boolean;
  risk: string;
  blockable: boolean;
  identity: { email: string | null; username: string | null } | null;
  site: { url: string | null; domain: string | null } | null;
  org_id: string | null;
  sources: string[];
  sightings: number;
  attempts: number;
  first_seen: string;
  last_seen: string;
  fixed_at: string | null;
  revision: number;
  as_of?: string;
}

interface LeakList {
  items: LeakView[];
  next_cursor: string | null;
  total: number;
  summary: Record<string, number>;
}

/** URL parameters that are filters of the API (sent as they are). */
const FILTERS = ['type', 'status', 'risk', 'source', 'virtual_patch', 'q', 'first_seen_from', 'first_seen_to', 'fixed_from', 'fixed_to', 'as_of'] as const;
/** The chips: one per filter, one per time range (its `from` and `to` together). */
const CHIPS: Array<{ id: string; label: string; params: string[] }> = [
  { id: 'type', label: 'Type', params: ['type'] },
  { id: 'status', label: 'Status', params: ['status'] },
  { id: 'risk', label: 'Risk', params: ['risk'] },
  { id: 'source', label: 'Source', params: ['source'] },
  { id: 'virtual_patch', label: 'Virtual patch', params: ['virtual_patch'] },
  { id: 'q', label: 'Search', params: ['q'] },
  { id: 'opened', label: 'First seen', params: ['first_seen_from', 'first_seen_to'] },
  { id: 'fixed', label: 'Fixed', params: ['fixed_from', 'fixed_to'] },
  { id: 'as_of', label: 'As of', params: ['as_of'] },
];
/**
 * Orders the API sorts across all pages (`sort`; `direction` from the URL, else the order's own), and one it
 * cannot that sorts the page shown.
 */
const SORTS: Record<string, { label: string; api?: string; direction?: 'asc' | 'desc'; compare?: (a: LeakView, b: LeakView) => number }> = {
  newest: { label: 'First seen', api: 'first_seen', direction: 'desc' },
  status: { label: 'Status', api: 'status', direction: 'asc' },
  risk: { label: 'Risk', api: 'risk', direction: 'desc' },
  last_seen: { label: 'Last seen', api: 'last_seen', direction: 'desc' },
  attempts: { label: 'Most attempts (this page)', compare: (a, b) => b.attempts - a.attempts },
};
/** What each direction means for each order. */
const DIRECTIONS: Record<string, Record<'asc' | 'desc', string>> = {
  newest: { desc: 'Newest first', asc: 'Oldest first' },
  status: { asc: 'Open first', desc: 'False positive first' },
  risk: { desc: 'Critical first', asc: 'Low first' },
  last_seen: { desc: 'Most recent first', asc: 'Least recent first' },
};
const DAY_MS = 86_400_000;
/** A date, or a time at midnight UTC: what a date input (and a one-day chip) can show. */
const isMidnightUtc = (iso: string): boolean => /^\d{4}-\d{2}-\d{2}(T00:00(:00(\.0+)?)?Z)?$/.test(iso);

type Decision = { label: string; path: string; body: Record<string, unknown>; id: string };
const DECISIONS: Decision[] = [
  { id: 'fix', label: 'Mark fixed', path: '/api/v1/leaks/status', body: { status: 'fixed' } },
  { id: 'false-positive', label: 'Mark false positive', path: '/api/v1/leaks/status', body: { status: 'false_positive' } },
  { id: 'reopen', label: 'Reopen', path: '/api/v1/leaks/status', body: { status: 'open' } },
  { id: 'patch-on', label: 'Virtual patch on', path: '/api/v1/leaks/virtual-patch', body: { enabled: true } },
  { id: 'patch-off', label: 'Virtual patch off', path: '/api/v1/leaks/virtual-patch', body: { enabled: false } },
];

export const leaksPage: Page = async (route, main) => {
  const params = route.params;
  const canChange = session().can_change && !route.params.get('as_of');
  const selected = new Set<string>();
  const order = orderOf(params);
  const asOf = params.get('as_of');
  const apiPath = `/api/v1/leaks${query({ ...Object.fromEntries(FILTERS.map((f) => [f, params.get(f)])), sort: order?.sort, direction: order?.direction, limit: params.get('limit') ?? 50, cursor: params.get('cursor') })}`;
  const results = <div id="bulk-result" aria-live="polite"></div>;
  const tableBox = <div class="table-wrap"></div>;
  const counter = <span id="selected-count">0 selected</span>;
  const tabs = <div class="tabs" role="group" aria-label="Type"></div>;
  const totals = <p id="total" class="muted"></p>;
  const pager = <div class="pager"></div>;
  let list: LeakList;

  const go = (changes: Record<string, string | null>) => {
    const next = new URLSearchParams(params);
    next.delete('cursor'); // a new filter starts at the first page
    for (const [k, v] of Object.entries(changes)) if (v) next.set(k, v); else next.delete(k);
    navigate('/leaks', next);
  };

  const drawTable = () => {
    const sort = SORTS[params.get('sort') ?? 'newest'] ?? SORTS.newest;
    const rows = sort.compare ? [...list.items].sort(sort.compare) : list.items;
    for (const id of [...selected]) if (!rows.some((r) => r.leakid === id)) selected.delete(id);
    const all = canChange
      ? (<input type="checkbox" id="select-all" aria-label="Select every leak on this page" checked={rows.length > 0 && selected.size === rows.length}
          onChange={(e: Event) => {
            const on = (e.target as HTMLInputElement).checked;
            rows.forEach((r) => (on ? selected.add(r.leakid) : selected.delete(r.leakid)));
            drawTable();
          }} />)
      : null;
    replace(
      tableBox,
      rows.length ? (
        <table id="leaks-table">
          <caption class="sr-only">Leaks, {sort.label.toLowerCase()}</caption>
          <thead>
            <tr>
              {canChange ? <th scope="col">{all}</th> : null}
              <th scope="col">Leak</th>
              <th scope="col" class="optional">Type</th>
              <th scope="col" class="optional">Secret type</th>
              <th scope="col">Risk</th>
              <th scope="col">Status</th>
              <th scope="col">Patch</th>
              <th scope="col" class="optional">Sources</th>
              <th scope="col" class="optional">Attempts</th>
              <th scope="col" class="optional">Last seen</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((leak) => (
              <tr data-leakid={leak.leakid}>
                {canChange ? (
                  <td>
                    <input type="checkbox" class="select-leak" value={leak.leakid} aria-label={`Select ${leak.preview} (${leak.leakid})`} checked={selected.has(leak.leakid)}
                      onChange={(e: Event) => {
                        if ((e.target as HTMLInputElement).checked) selected.add(leak.leakid); else selected.delete(leak.leakid);
                        counter.textContent = `${selected.size} selected`;
                      }} />
                  </td>
                ) : null}
                <td>
                  <a href={`#/leaks/${leak.leakid}`} class="preview">
                    <code>{leak.preview}</code>
                  </a>
                  <div class="muted mono leakid">{leak.leakid}</div>
                  {leak.identity?.email ? <div class="muted">{leak.identity.email}</div> : null}
                </td>
                <td class="optional">{leak.type ? cap(leak.type) : '—'}</td>
                <td class="optional">{leak.secret_type}</td>
                <td>{riskBadge(leak.risk)}</td>
                <td>{statusBadge(leak.status)}</td>
                <td>{patchBadge(leak.virtual_patch)}</td>
                <td class="optional">{leak.sources.join(', ')}</td>
                <td class="optional">{leak.attempts}</td>
                <td class="optional">{dateTime(leak.last_seen)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p id="empty">No leak matches these filters.</p>
      ),
    );
    counter.textContent = `${selected.size} selected`;
    const sum = TYPES.reduce((n, t) => n + (list.summary[t] ?? 0), 0);
    replace(
      tabs,
      [['all', 'All', sum] as const, ...TYPES.map((t) => [t, cap(t), list.summary[t] ?? 0] as const)].map(([value, label, count]) => (
        <button type="button" data-type={value} aria-pressed={String((params.get('type') ?? 'all') === value)} onClick={() => go({ type: value === 'all' ? null : value })}>
          {label} ({number(count)})
        </button>
      )),
    );
    totals.textContent = `${number(list.total)} leaks match${list.items.length < list.total ? `, ${list.items.length} shown on this page` : ''}.`;
    replace(
      pager,
      params.get('cursor') ? <a href={href('/leaks', withoutCursor(params))}>First page</a> : null,
      list.next_cursor ? (
        <a id="next-page" href={href('/leaks', (() => { const n = new URLSearchParams(params); n.set('cursor', list.next_cursor as string); return n; })())}>
          Next page →
        </a>
      ) : null,
    );
  };

  const decide = async (decision: Decision, comment: string) => {
    const ids = [...selected];
    if (!ids.length) return replace(results, notice('info', 'Select one or more leaks first.'));
    const body = { leakids: ids, ...decision.body, ...(comment && decision.body.status ? { comment } : {}) };
    try {
      const answer = await api<{ updated: number; unchanged: number }>('POST', decision.path, body);
      selected.clear();
      await refresh(true); // the answer comes once the list shows the change: redraw, then say so
      replace(results, notice('success', `${decision.label}: ${answer.updated} changed, ${answer.unchanged} already so.`));
    } catch (error) {
      replace(results, problemNotice(error, `${decision.label} was refused and nothing was changed`));
    }
  };

  const refresh = async (always: boolean) => {
    const next = await getFresh<LeakList>(apiPath, always);
    if (next) {
      list = next;
      drawTable();
    }
  };

  const commentInput = <input id="bulk-comment" type="text" maxlength="2000" placeholder="Why (kept in each leak's history)" /> as HTMLInputElement;
  const filterForm = filtersForm(params, go);
  replace(
    main,
    <h1>Leaks</h1>,
    filterForm,
    chips(params, go),
    tabs,
    totals,
    results,
    tableBox,
    pager,
    asOf ? (
      <p class="notice asof-banner" id="list-asof-banner" role="status">
        The leaks <strong>as they were at {dateTime(asOf)}</strong>, rebuilt from their history: no decisions on the past.{' '}
        <a href={href('/leaks', (() => { const n = withoutCursor(params); n.delete('as_of'); return n; })())}>Back to now</a>
      </p>
    ) : canChange ? (
      <section class="bulkbar" aria-label="Decide on the selected leaks">
        <strong>{counter}</strong>
        <label>
          Comment (status changes)
          {commentInput}
        </label>
        <div class="actions">
          {DECISIONS.map((d) => (
            <button type="button" id={`bulk-${d.id}`} onClick={() => void decide(d, commentInput.value.trim())}>
              {d.label}
            </button>
          ))}
        </div>
      </section>
    ) : (
      <p class="muted">Your role reads only: decisions are made by administrators.</p>
    ),
  );
  try {
    await refresh(true);
  } catch (error) {
    if (error instanceof ApiError && error.problem.status === 400) {
      replace(tableBox, problemNotice(error, 'These filters are not valid'));
      return;
    }
    throw error;
  }
  return live(() => refresh(false));
};

function withoutCursor(params: URLSearchParams): URLSearchParams {
  const next = new URLSearchParams(params);
  next.delete('cursor');
  return next;
}

/** The API order for the URL's `sort` and `direction` (none for the default order, or an order of the page only). */
function orderOf(params: URLSearchParams): { sort: string; direction: string } | undefined {
  const key = params.get('sort') ?? 'newest';
  const sort = SORTS[key];
  const direction = params.get('direction') === 'asc' || params.get('direction') === 'desc' ? (params.get('direction') as string) : sort?.direction;
  if (!sort?.api || (key === 'newest' && direction === 'desc')) return undefined;
  return { sort: sort.api, direction: direction as string };
}

/** A time range as a chip shows it: one UTC day, or its ends. */
function rangeText(from: string | null, to: string | null): string {
  const day = (iso: string) => iso.slice(0, 10);
  if (from && to && isMidnightUtc(from) && isMidnightUtc(to) && Date.parse(to) - Date.parse(from) === DAY_MS) return day(from);
  const end = (iso: string) => (isMidnightUtc(iso) ? day(iso) : dateTime(iso));
  if (from && to) return `${end(from)} – before ${end(to)}`;
  return from ? `from ${end(from)}` : `before ${end(to as string)}`;
}

function chipText(chip: (typeof CHIPS)[number], params: URLSearchParams): string {
  const value = params.get(chip.params[0]) as string;
  if (chip.id === 'status') return statusLabel(value);
  if (chip.id === 'virtual_patch') return value === 'true' ? 'on' : 'off';
  if (chip.id === 'opened' || chip.id === 'fixed') return rangeText(params.get(chip.params[0]), params.get(chip.params[1]));
  if (chip.id === 'as_of') return dateTime(value);
  return value;
}

function chips(params: URLSearchParams, go: (changes: Record<string, string | null>) => void): HTMLElement {
  const active = CHIPS.filter((c) => c.params.some((f) => params.get(f)));
  return (
    <ul class="chips" id="chips" aria-label="Active filters">
      {active.map((chip) => {
        const shown = chipText(chip, params);
        return (
          <li class="chip" data-filter={chip.id}>
            {chip.label}: {shown}
            <button type="button" aria-label={`Remove filter ${chip.label}: ${shown}`} onClick={() => go(Object.fromEntries(chip.params.map((f) => [f, null])))}>
              ×
            </button>
          </li>
        );
      })}
      {active.length > 1 ? (
        <li>
          <button type="button" class="link" onClick={() => go(Object.fromEntries(FILTERS.map((f) => [f, null])))}>
            Clear all
          </button>
        </li>
      ) : null}
    </ul>
  );
}

function filtersForm(params: URLSearchParams, go: (changes: Record<string, string | null>) => void): HTMLElement {
  const select = (name: string, label: string, options: Array<[string, string]>) => {
    const element = (
      <select id={`filter-${name}`} name={name} onChange={(e: Event) => go({ [name]: (e.target as HTMLSelectElement).value || null })}>
        <option value="">Any</option>
        {options.map(([value, text]) => <option value={value}>{text}</option>)}
      </select>
    ) as HTMLSelectElement;
    element.value = params.get(name) ?? '';
    return field(label, element);
  };
  const q = <input id="filter-q" name="q" type="search" value={params.get('q') ?? ''} placeholder="id, preview, email, site, source" /> as HTMLInputElement;
  const source = <input id="filter-source" name="source" type="text" value={params.get('source') ?? ''} placeholder="e.g. github" /> as HTMLInputElement;
  const sort = (
    <select id="sort" onChange={(e: Event) => go({ sort: (e.target as HTMLSelectElement).value === 'newest' ? null : (e.target as HTMLSelectElement).value, direction: null })}>
      {Object.entries(SORTS).map(([value, s]) => <option value={value}>{s.label}</option>)}
    </select>
  ) as HTMLSelectElement;
  sort.value = params.get('sort') ?? 'newest';
  const sortKey = SORTS[sort.value] ? sort.value : 'newest';
  const directions = DIRECTIONS[sortKey];
  const direction = (
    <select id="direction" disabled={!directions} onChange={(e: Event) => go({ direction: (e.target as HTMLSelectElement).value })}>
      {directions ? (['desc', 'asc'] as const).map((d) => <option value={d}>{directions[d]}</option>) : <option value="">—</option>}
    </select>
  ) as HTMLSelectElement;
  if (directions) direction.value = orderOf(params)?.direction ?? 'desc';
  const day = (name: string) => {
    const input = <input id={`filter-${name}`} name={name} type="date" /> as HTMLInputElement;
    const value = params.get(name);
    // A date input shows days: a time that is not midnight UTC is kept in the URL (and its chip), not shown here.
    if (value && isMidnightUtc(value)) input.value = value.slice(0, 10);
    return input;
  };
  const dates = { first_seen_from: day('first_seen_from'), first_seen_to: day('first_seen_to'), fixed_from: day('fixed_from'), fixed_to: day('fixed_to') };
  const asOf = <input id="filter-as_of" name="as_of" type="datetime-local" step="1" /> as HTMLInputElement;
  const asOfValue = params.get('as_of');
  if (asOfValue && !Number.isNaN(Date.parse(asOfValue))) asOf.value = localInputValue(new Date(asOfValue));
  const limit = (
    <select id="limit" onChange={(e: Event) => go({ limit: (e.target as HTMLSelectElement).value === '50' ? null : (e.target as HTMLSelectElement).value })}>
      {['25', '50', '100', '250', '500'].map((n) => <option value={n}>{n}</option>)}
    </select>
  ) as HTMLSelectElement;
  limit.value = params.get('limit') ?? '50';
  return (
    <form
      class="panel form-row"
      role="search"
      aria-label="Filter leaks"
      onSubmit={(e: Event) => {
        e.preventDefault();
        go({
          q: q.value.trim() || null,
          source: source.value.trim() || null,
          ...Object.fromEntries(Object.entries(dates).map(([name, input]) => [name, dateOrKept(input, params.get(name))])),
          as_of: asOf.value ? new Date(asOf.value).toISOString() : null,
        });
      }}
    >
      <label>
        Search
        {q}
      </label>
      {select('status', 'Status', STATUSES.map((s) => [s, statusLabel(s)]))}
      {select('risk', 'Risk', RISKS.map((r) => [r, cap(r)]))}
      {select('virtual_patch', 'Virtual patch', [['true', 'On'], ['false', 'Off']])}
      <label>
        Source
        {source}
      </label>
      {field('First seen from', dates.first_seen_from)}
      {field('First seen before', dates.first_seen_to)}
      {field('Fixed from', dates.fixed_from)}
      {field('Fixed before', dates.fixed_to)}
      {field('As of (your time)', asOf)}
      {field('Order', sort)}
      {field('Direction', direction)}
      {field('Per page', limit)}
      <button type="submit" class="primary">
        Apply
      </button>
    </form>
  );
}

/** A date input's day, or the URL's time when the input cannot show it (not midnight UTC) and was left alone. */
function dateOrKept(input: HTMLInputElement, current: string | null): string | null {
  if (input.value) return input.value;
  return current && !isMidnightUtc(current) ? current : null;
}

/** A moment as a `datetime-local` input's value (the browser's time zone). */
function localInputValue(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
}
