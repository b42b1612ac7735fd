/**
 * One leak: what is known about it (never the secret), its sightings with locations, the full history as a
 * timeline, the attempts to use its token, the decisions (admins), and "as of": the leak rebuilt from its
 * events up to any moment of its history (`GET /api/v1/leaks/{id}?as_of=`).
 */
import { ApiError, api } from '../api';
import { h, replace } from '../dom'; // eslint-disable-line @typescript-eslint/no-unused-vars -- h is the JSX factory
import { cap, dateTime, eventLabel, statusLabel } from '../format';
import type { Page } from '../main';
import { navigate } from '../router';
import { session } from '../session';
import { field, patchBadge, problemNotice, riskBadge, statusBadge } from '../ui';
import type { LeakView } from './leaks';

interface HistoryEvent {
  revision: number;
  type: string;
  time: string;
  recorded_at: string;
  actor: { key_id?: string; user_email?: string; org_id?: string; role?: string } | null;
  data: Record<string, unknown>;
}

export const leakPage: Page = async (route, main) => {
  const leakid = route.path.slice('/leaks/'.length);
  const asOf = route.params.get('as_of');
  let leak: LeakView;
  let history: HistoryEvent[];
  try {
    [leak, { events: history }] = await Promise.all([
      api<LeakView>('GET', `/api/v1/leaks/${encodeURIComponent(leakid)}${asOf ? `?as_of=${encodeURIComponent(asOf)}` : ''}`),
      api<{ events: HistoryEvent[] }>('GET', `/api/v1/leaks/${encodeURIComponent(leakid)}/history`),
    ]);
  } catch (error) {
    if (error instanceof ApiError && (error.problem.status === 404 || error.problem.status === 400)) {
      replace(main, <h1>Leak</h1>, problemNotice(error, 'This leak cannot be shown'), <a href="#/leaks">Back to the leaks</a>);
      return;
    }
    throw error;
  }
  const shownUpTo = asOf ? leak.revision : Infinity;
  const attempts = history.filter((e) => e.type === 'LeakedTokenUseAttempted');
  const sightings = history.filter((e) => e.type === 'LeakDetected' || e.type === 'LeakSighted');
  const result = <div id="decision-result" aria-live="polite"></div>;

  replace(
    main,
    <p>
      <a href="#/leaks">← Leaks</a>
    </p>,
    <h1>
      Leak <code>{leak.preview}</code>
    </h1>,
    asOf ? (
      <div class="notice asof-banner" id="asof-banner" role="status">
        Showing the leak <strong>as it was at {dateTime(leak.as_of ?? asOf)}</strong> (revision {leak.revision}), rebuilt from its history.{' '}
        <a href={`#/leaks/${leakid}`}>Back to now</a>
      </div>
    ) : null,
    asOfControl(leakid, history, asOf),
    result,
    <div class="detail-grid">
      <section class="panel" aria-labelledby="facts-title">
        <h2 id="facts-title">Facts</h2>
        <dl class="facts" id="facts">
          <dt>Status</dt>
          <dd id="fact-status">{statusBadge(leak.status)}</dd>
          <dt>Virtual patch</dt>
          <dd id="fact-patch">{patchBadge(leak.virtual_patch)}</dd>
          <dt>Risk</dt>
          <dd id="fact-risk">{riskBadge(leak.risk)}</dd>
          <dt>Type (for you)</dt>
          <dd id="fact-type">{leak.type ? cap(leak.type) : '—'}</dd>
          <dt>Kind</dt>
          <dd>
            {leak.kind}, {leak.secret_type}
          </dd>
          <dt>Preview</dt>
          <dd id="fact-preview">
            <code>{leak.preview}</code>
          </dd>
          <dt>Fingerprint (SHA-256)</dt>
          <dd id="fact-fingerprint">
            <code>{leak.fingerprint ?? 'none (masked by the scanner: cannot be blocked)'}</code>
          </dd>
          <dt>Leak id</dt>
          <dd>
            <code>{leak.leakid}</code>
          </dd>
          <dt>Identity</dt>
          <dd>{leak.identity ? [leak.identity.email, leak.identity.username].filter(Boolean).join(' / ') : '—'}</dd>
          <dt>Site</dt>
          <dd>{leak.site ? (leak.site.url ?? leak.site.domain) : '—'}</dd>
          <dt>Sources</dt>
          <dd>{leak.sources.join(', ')}</dd>
          <dt>First / last seen</dt>
          <dd>
            {dateTime(leak.first_seen)} / {dateTime(leak.last_seen)}
          </dd>
          <dt>Sightings</dt>
          <dd>{leak.sightings}</dd>
          <dt>Attempts</dt>
          <dd>{leak.attempts}</dd>
          <dt>Revision</dt>
          <dd>{leak.revision}</dd>
        </dl>
        {session().can_change && !asOf ? decisions(leak, result) : null}
      </section>
      <section class="panel" aria-labelledby="timeline-title">
        <h2 id="timeline-title">History</h2>
        <ol class="timeline" id="timeline">
          {history.map((e) => (
            <li class={e.revision > shownUpTo ? 'future' : ''} data-type={e.type} data-revision={String(e.revision)}>
              <div>
                <strong>{eventLabel(e.type)}</strong> {describe(e)}
              </div>
              <div class="when">
                {dateTime(e.time)} · {actor(e)} · revision {e.revision}
              </div>
              {typeof e.data.comment === 'string' && e.data.comment ? <div class="comment">“{e.data.comment}”</div> : null}
            </li>
          ))}
        </ol>
      </section>
    </div>,
    <section class="panel" aria-labelledby="sightings-title">
      <h2 id="sightings-title">Sightings ({sightings.length})</h2>
      <div class="table-wrap">
        <table id="sightings">
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Source</th>
              <th scope="col">Location</th>
            </tr>
          </thead>
          <tbody>
            {sightings.map((e) => {
              const source = (e.data.source ?? {}) as { name?: string; url?: string | null };
              const location = (e.data.location ?? null) as Record<string, unknown> | null;
              return (
                <tr>
                  <td>{dateTime(e.time)}</td>
                  <td>
                    {source.name ?? '—'}
                    {source.url ? <div class="muted mono">{source.url}</div> : null}
                  </td>
                  <td class="mono">{location ? Object.entries(location).filter(([, v]) => v !== null && v !== '').map(([k, v]) => `${k}: ${String(v)}`).join(' · ') : '—'}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </section>,
    <section class="panel" aria-labelledby="attempts-title">
      <h2 id="attempts-title">Attempts to use this token ({attempts.length})</h2>
      {attempts.length ? (
        <table id="leak-attempts">
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Gateway key</th>
              <th scope="col">Blocked</th>
            </tr>
          </thead>
          <tbody>
            {attempts.map((e) => (
              <tr>
                <td>{dateTime(String(e.data.attempted_at ?? e.time))}</td>
                <td class="mono">{String(e.data.key_id ?? '—')}</td>
                <td>{e.data.blocked === false ? 'no' : 'yes'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p class="muted">No attempt recorded.</p>
      )}
    </section>,
  );
};

function asOfControl(leakid: string, history: HistoryEvent[], asOf: string | null): HTMLElement {
  const select = (
    <select id="asof-select" aria-describedby="asof-help">
      <option value="">Now</option>
      {history.map((e) => (
        <option value={e.time}>
          {dateTime(e.time)} — after revision {e.revision}: {eventLabel(e.type)}
        </option>
      ))}
    </select>
  ) as HTMLSelectElement;
  select.value = asOf && history.some((e) => e.time === asOf) ? asOf : '';
  const custom = <input id="asof-time" type="datetime-local" step="1" /> as HTMLInputElement;
  return (
    <form
      class="panel form-row"
      aria-label="Show the leak as it was at a moment"
      onSubmit={(e: Event) => {
        e.preventDefault();
        const moment = custom.value ? new Date(custom.value).toISOString() : select.value;
        navigate(`/leaks/${leakid}`, { as_of: moment || null });
      }}
    >
      {field('As of', select)}
      {field('Or any moment (your local time)', custom)}
      <button type="submit" id="asof-show">
        Show
      </button>
      <span id="asof-help" class="muted">
        The leak is rebuilt from its events up to that moment.
      </span>
    </form>
  );
}

function decisions(leak: LeakView, result: HTMLElement): HTMLElement {
  const comment = <input id="decision-comment" type="text" maxlength="2000" placeholder="Why (kept in the history)" /> as HTMLInputElement;
  const decide = async (path: string, body: Record<string, unknown>, label: string) => {
    try {
      // If-Match: apply only if nobody changed the leak since this page was drawn.
      await api('POST', path, { leakid: leak.leakid, ...body }, { headers: { 'if-match': `"${leak.revision}"` } });
      navigate(`/leaks/${leak.leakid}`);
    } catch (error) {
      replace(result, problemNotice(error, `${label} was refused and nothing was changed`));
    }
  };
  const statusButton = (status: string, label: string) =>
    leak.status === status ? null : (
      <button type="button" id={`decide-${status}`} onClick={() => void decide('/api/v1/leaks/status', { status, ...(comment.value.trim() ? { comment: comment.value.trim() } : {}) }, label)}>
        {label}
      </button>
    );
  return (
    <div>
      <h3>Decide</h3>
      <label>
        Comment
        {comment}
      </label>
      <div class="actions">
        {statusButton('fixed', 'Mark fixed')}
        {statusButton('false_positive', 'Mark false positive')}
        {statusButton('open', 'Reopen')}
        {leak.status === 'open' && leak.blockable ? (
          <button type="button" id="decide-patch" onClick={() => void decide('/api/v1/leaks/virtual-patch', { enabled: !leak.virtual_patch }, 'Virtual patch')}>
            {leak.virtual_patch ? 'Virtual patch off' : 'Virtual patch on'}
          </button>
        ) : null}
      </div>
    </div>
  );
}

function describe(e: HistoryEvent): string {
  const d = e.data;
  switch (e.type) {
    case 'LeakDetected':
    case 'LeakSighted':
      return `in ${(d.source as { name?: string } | undefined)?.name ?? 'a source'}`;
    case 'LeakStatusChanged':
      return `${statusLabel(String(d.from))} → ${statusLabel(String(d.to))}${d.reason === 'regression' ? ' (seen again after the fix)' : ''}`;
    case 'VirtualPatchRemoved':
      return d.reason === 'status_changed' ? '(the status changed)' : '';
    case 'LeakedTokenUseAttempted':
      return d.blocked === false ? '(not blocked)' : '(blocked)';
    default:
      return '';
  }
}

function actor(e: HistoryEvent): string {
  const a = e.actor;
  if (!a) return 'system';
  return [a.user_email, a.role, a.key_id ? `key ${a.key_id.slice(0, 8)}` : null].filter(Boolean).join(', ') || 'system';
}

