/**
 * Administration: organisations (global admins), API keys (issue with role/type/limit/expiry — the key is
 * shown once, with a copy button — rotate, revoke), domains (claim with the DNS and HTTPS instructions,
 * verify, revoke) and the GitHub webhook secret. Analysts see the lists and no action.
 */
import { api, query } from '../api';
import { h, replace } from '../dom'; // eslint-disable-line @typescript-eslint/no-unused-vars -- h is the JSX factory
import { dateTime } from '../format';
import type { Page } from '../main';
import { navigate } from '../router';
import { isGlobal, session } from '../session';
import { copyButton, field, flash, notice, problemNotice, takeFlash } from '../ui';

interface Org {
  org_id: string;
  name: string;
}
interface ApiKey {
  id: string;
  name: string;
  prefix: string;
  role: string;
  org_id: string | null;
  user_email: string | null;
  type: string;
  limit: number;
  expires_at: string | null;
  created_at: string;
  rotated_at: string | null;
  status: string;
}
interface Domain {
  org_id: string;
  domain: string;
  status: string;
  method: string | null;
  verified_at: string | null;
  expires_at: string | null;
}

export const adminPage: Page = async (route, main) => {
  const s = session();
  const global = isGlobal();
  const canChange = s.can_change;
  const orgs = (await api<{ items: Org[] }>('GET', '/api/v1/orgs')).items;
  // Global keys pick the organisation to administer; org keys act on their own.
  const orgId = global ? route.params.get('org') || null : s.org_id;
  const orgName = (id: string | null) => (id ? (orgs.find((o) => o.org_id === id)?.name ?? id) : 'platform');
  const scoped = global && orgId ? { org_id: orgId } : {};
  const [keys, domains] = await Promise.all([
    api<{ items: ApiKey[] }>('GET', `/api/v1/api-keys${query(scoped)}`).then((r) => r.items),
    api<{ items: Domain[] }>('GET', `/api/v1/domains${query(scoped)}`).then((r) => r.items),
  ]);
  const reload = () => navigate('/admin', global && orgId ? { org: orgId } : {});
  // A message left by the action that redrew the page, shown in the section that action belongs to.
  const flashed = takeFlash();
  const flashedFor = (section: string) => (flashed?.dataset.section === section ? flashed : null);
  const keyResult = <div id="key-result" aria-live="polite">{flashedFor('keys')}</div>;
  const domainResult = <div id="domain-result" aria-live="polite">{flashedFor('domains')}</div>;
  const githubResult = <div id="github-result" aria-live="polite"></div>;
  const orgResult = <div id="org-result" aria-live="polite"></div>;

  const showSecret = (target: HTMLElement, title: string, secret: string, extra?: HTMLElement) =>
    replace(
      target,
      <div class="notice success" role="status">
        <strong>{title}</strong> It is shown only now: copy it and keep it safe.
        <div class="secret-once">
          <code id="secret-once">{secret}</code>
          {copyButton(secret)}
        </div>
        {extra ?? null}
      </div>,
    );

  const orgSelect = global ? (
    <form class="panel form-row" aria-label="Organisation to administer">
      {field(
        'Organisation',
        (() => {
          const select = (
            <select id="admin-org" onChange={(e: Event) => navigate('/admin', { org: (e.target as HTMLSelectElement).value || null })}>
              <option value="">All organisations</option>
              {orgs.map((o) => <option value={o.org_id}>{o.name}</option>)}
            </select>
          ) as HTMLSelectElement;
          select.value = orgId ?? '';
          return select;
        })(),
      )}
    </form>
  ) : null;

  const orgSection = global ? (
    <section class="panel" aria-labelledby="orgs-title">
      <h2 id="orgs-title">Organisations</h2>
      <ul>
        {orgs.map((o) => (
          <li>
            {o.name} <code class="muted">{o.org_id}</code>
          </li>
        ))}
      </ul>
      {canChange ? (
        <form
          class="form-row"
          onSubmit={async (e: Event) => {
            e.preventDefault();
            const name = ((e.target as HTMLFormElement).elements.namedItem('org_name') as HTMLInputElement).value.trim();
            try {
              const created = await api<Org>('POST', '/api/v1/orgs', { name });
              navigate('/admin', { org: created.org_id });
            } catch (error) {
              replace(orgResult, problemNotice(error, 'The organisation was not created'));
            }
          }}
        >
          <label>
            New organisation
            <input name="org_name" id="org-name" required maxlength="200" />
          </label>
          <button type="submit">Create organisation</button>
        </form>
      ) : null}
      {orgResult}
    </section>
  ) : null;

  const roles = global ? ['admin', 'analyst', 'global_admin', 'global_analyst'] : ['admin', 'analyst'];
  const issueForm = canChange ? (
    <form
      class="form-row"
      id="issue-key"
      aria-label="Issue an API key"
      onSubmit={async (e: Event) => {
        e.preventDefault();
        const f = e.target as HTMLFormElement;
        const v = (name: string) => ((f.elements.namedItem(name) as HTMLInputElement).value ?? '').trim();
        const role = v('role');
        const body: Record<string, unknown> = { name: v('name'), role, type: v('type') };
        if (v('limit')) body.limit = Number(v('limit'));
        if (v('expires')) body.expires_at = new Date(`${v('expires')}T23:59:59Z`).toISOString();
        if (v('user_email')) body.user_email = v('user_email');
        if (global && !role.startsWith('global_')) body.org_id = orgId;
        try {
          const issued = await api<{ id: string; key: string; prefix: string; role: string }>('POST', '/api/v1/api-keys', body);
          f.reset();
          showSecret(keyResult, `Key “${String(body.name)}” (${issued.role}) issued.`, issued.key, <button type="button" onClick={reload}>Done, refresh the list</button>);
        } catch (error) {
          replace(keyResult, problemNotice(error, 'The key was not issued'));
        }
      }}
    >
      <label>
        Name
        <input name="name" id="key-name" required maxlength="200" />
      </label>
      {field(
        'Role',
        <select name="role" id="key-role">
          {roles.map((r) => <option value={r}>{r}</option>)}
        </select>,
      )}
      {field(
        'Type',
        <select name="type" id="key-type">
          <option value="private">private</option>
          <option value="public">public</option>
        </select>,
      )}
      <label>
        Daily limit
        <input name="limit" id="key-limit" type="number" min="1" placeholder="10000" />
      </label>
      <label>
        Expires (end of day, UTC)
        <input name="expires" id="key-expires" type="date" />
      </label>
      <label>
        Holder's email
        <input name="user_email" id="key-email" type="email" />
      </label>
      <button type="submit" class="primary" id="issue-key-submit">
        Issue key
      </button>
      {global && !orgId ? <span class="muted">Choose an organisation above for admin/analyst keys.</span> : null}
    </form>
  ) : null;

  const keyAction = async (key: ApiKey, action: 'rotate' | 'revoke') => {
    if (!confirm(action === 'revoke' ? `Revoke the key “${key.name}” (${key.prefix}…)? It stops working at once, for good.` : `Rotate the key “${key.name}”? Its current secret stops working.`)) return;
    try {
      if (action === 'revoke') {
        await api('DELETE', `/api/v1/api-keys/${key.id}`);
        flash(inSection('keys', notice('success', `Key “${key.name}” revoked.`)));
        reload();
      } else {
        const rotated = await api<{ key: string }>('POST', `/api/v1/api-keys/${key.id}/rotate`);
        showSecret(keyResult, `Key “${key.name}” rotated.`, rotated.key);
      }
    } catch (error) {
      replace(keyResult, problemNotice(error, `The key was not ${action === 'revoke' ? 'revoked' : 'rotated'}`));
    }
  };

  const keysSection = (
    <section class="panel" aria-labelledby="keys-title">
      <h2 id="keys-title">API keys</h2>
      {issueForm}
      {keyResult}
      <div class="table-wrap">
        <table id="keys-table">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Prefix</th>
              <th scope="col">Role</th>
              <th scope="col" class="optional">Organisation</th>
              <th scope="col" class="optional">Type / limit</th>
              <th scope="col" class="optional">Expires</th>
              <th scope="col">Status</th>
              {canChange ? <th scope="col">Actions</th> : null}
            </tr>
          </thead>
          <tbody>
            {keys.map((k) => (
              <tr data-key-id={k.id} data-key-name={k.name}>
                <td>
                  {k.name}
                  {k.user_email ? <div class="muted">{k.user_email}</div> : null}
                  {k.id === s.key_id ? <div class="badge">this key</div> : null}
                </td>
                <td>
                  <code>{k.prefix}…</code>
                </td>
                <td>{k.role}</td>
                <td class="optional">{orgName(k.org_id)}</td>
                <td class="optional key-type">
                  {k.type}, {k.limit.toLocaleString()}/day
                </td>
                <td class="optional key-expires">{k.expires_at ? dateTime(k.expires_at) : 'never'}</td>
                <td class="key-status">{k.status}</td>
                {canChange ? (
                  <td>
                    <div class="actions">
                    {k.status === 'active' ? (
                      [
                        <button type="button" class="rotate-key" aria-label={`Rotate ${k.name}`} onClick={() => void keyAction(k, 'rotate')}>
                          Rotate
                        </button>,
                        <button type="button" class="danger revoke-key" aria-label={`Revoke ${k.name}`} onClick={() => void keyAction(k, 'revoke')}>
                          Revoke
                        </button>,
                      ]
                    ) : (
                      <span class="muted">—</span>
                    )}
                    </div>
                  </td>
                ) : null}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );

  const orgParam = global && orgId ? query({ org_id: orgId }) : '';
  const domainAction = async (d: Domain, action: 'verify' | 'revoke') => {
    try {
      if (action === 'verify') {
        const answer = await api<{ status: string; reason?: string }>('POST', `/api/v1/domains/${encodeURIComponent(d.domain)}/verify${query(global ? { org_id: d.org_id } : {})}`);
        replace(domainResult, answer.status === 'verified' ? notice('success', `${d.domain} is verified.`) : notice('info', `${d.domain} is still pending: ${answer.reason ?? 'the proof was not found yet'}.`));
      } else {
        if (!confirm(`Revoke ${d.domain}? Leaks of this domain stop being visible as employee/customer leaks.`)) return;
        await api('DELETE', `/api/v1/domains/${encodeURIComponent(d.domain)}${query(global ? { org_id: d.org_id } : {})}`);
        flash(inSection('domains', notice('success', `${d.domain} revoked.`)));
        reload();
      }
    } catch (error) {
      replace(domainResult, problemNotice(error, `The domain was not ${action === 'verify' ? 'verified' : 'revoked'}`));
    }
  };
  const domainsSection = (
    <section class="panel" aria-labelledby="domains-title">
      <h2 id="domains-title">Domains</h2>
      <p class="muted">A verified domain makes leaks of its email addresses (employee) and of its sites (customer) visible to the organisation.</p>
      {canChange && (!global || orgId) ? (
        <form
          class="form-row"
          id="claim-domain"
          onSubmit={async (e: Event) => {
            e.preventDefault();
            const input = (e.target as HTMLFormElement).elements.namedItem('domain') as HTMLInputElement;
            try {
              const claim = await api<{ domain: string; token: string; dns: { name: string; value: string }; http: { url: string; content: string } }>('POST', '/api/v1/domains', {
                domain: input.value.trim(),
                ...(global ? { org_id: orgId } : {}),
              });
              replace(
                domainResult,
                <div class="notice info" role="status" id="domain-instructions">
                  <strong>Prove that you own {claim.domain}</strong>, one of two ways, then press Verify in the list:
                  <ol>
                    <li>
                      DNS: a TXT record <code>{claim.dns.name}</code> with the value <code>{claim.dns.value}</code> {copyButton(claim.dns.value, 'Copy value')}
                    </li>
                    <li>
                      HTTPS: a file at <code>{claim.http.url}</code> containing <code>{claim.http.content}</code> {copyButton(claim.http.content, 'Copy content')}
                    </li>
                  </ol>
                  <button type="button" onClick={reload}>
                    Refresh the list
                  </button>
                </div>,
              );
            } catch (error) {
              replace(domainResult, problemNotice(error, 'The domain was not claimed'));
            }
          }}
        >
          <label>
            Domain
            <input name="domain" id="domain-name" required placeholder="acme.com" />
          </label>
          <button type="submit">Claim domain</button>
        </form>
      ) : null}
      {domainResult}
      {domains.length ? (
        <table id="domains-table">
          <thead>
            <tr>
              <th scope="col">Domain</th>
              <th scope="col" class="optional">Organisation</th>
              <th scope="col">Status</th>
              <th scope="col" class="optional">Expires</th>
              {canChange ? <th scope="col">Actions</th> : null}
            </tr>
          </thead>
          <tbody>
            {domains.map((d) => (
              <tr data-domain={d.domain}>
                <td>{d.domain}</td>
                <td class="optional">{orgName(d.org_id)}</td>
                <td class="domain-status">
                  {d.status}
                  {d.method ? <span class="muted"> ({d.method})</span> : null}
                </td>
                <td class="optional">{d.expires_at ? dateTime(d.expires_at) : '—'}</td>
                {canChange ? (
                  <td>
                    <div class="actions">
                    {d.status !== 'revoked' ? (
                      [
                        <button type="button" class="verify-domain" aria-label={`Verify ${d.domain}`} onClick={() => void domainAction(d, 'verify')}>Verify</button>,
                        <button type="button" class="danger revoke-domain" aria-label={`Revoke ${d.domain}`} onClick={() => void domainAction(d, 'revoke')}>Revoke</button>,
                      ]
                    ) : null}
                    </div>
                  </td>
                ) : null}
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p class="muted">No domain yet.</p>
      )}
    </section>
  );

  const githubSection = canChange && (!global || orgId) ? (
    <section class="panel" aria-labelledby="github-title">
      <h2 id="github-title">GitHub secret scanning webhook</h2>
      <p class="muted">
        Creates (or replaces) the organisation's webhook secret. Configure a GitHub webhook for “Secret scanning alerts”, content type application/json, with this
        secret and the URL shown.
      </p>
      <button
        type="button"
        id="github-secret"
        onClick={async () => {
          if (!confirm('Create a new webhook secret? A previous secret stops working.')) return;
          try {
            const answer = await api<{ secret: string; webhook_path: string }>('POST', `/api/v1/ingest/github/secret${orgParam}`);
            const url = `${location.origin}${answer.webhook_path}`;
            showSecret(githubResult, 'Webhook secret created.', answer.secret, <p>Payload URL: <code>{url}</code> {copyButton(url, 'Copy URL')}</p>);
          } catch (error) {
            replace(githubResult, problemNotice(error, 'The webhook secret was not created'));
          }
        }}
      >
        Create webhook secret
      </button>
      {githubResult}
    </section>
  ) : null;

  replace(
    main,
    <h1>Administration</h1>,
    canChange ? null : <p class="muted">Your role reads only: you see the keys and domains, and no action is offered.</p>,
    orgSelect,
    orgSection,
    keysSection,
    domainsSection,
    githubSection,
  );
};

function inSection(section: string, message: HTMLElement): HTMLElement {
  message.dataset.section = section;
  return message;
}
