/**
 * Manual add (`POST /api/v1/leaks`): a set of tokens and/or credentials with the source they were found in.
 * One leak per secret; re-adding a known secret is reported as a duplicate. Secrets are sent once and the
 * form is cleared: the console keeps no copy.
 */
import { api } from '../api';
import { h, replace } from '../dom'; // eslint-disable-line @typescript-eslint/no-unused-vars -- h is the JSX factory
import { RISKS, cap } from '../format';
import type { Page } from '../main';
import { session } from '../session';
import { field, notice, problemNotice } from '../ui';

interface Added {
  leakids: string[];
  created: number;
  duplicates: number;
}

export const addPage: Page = async (_route, main) => {
  if (!session().can_change) {
    replace(main, <h1>Add leaks</h1>, <p class="muted">Your role reads only: leaks are added by administrators (or by scanners and webhooks).</p>);
    return;
  }
  const result = <div id="add-result" aria-live="polite"></div>;
  const credentials = <div id="credentials"></div>;
  const addCredentialRow = () => {
    const n = credentials.children.length + 1;
    credentials.appendChild(
      <fieldset class="form-row credential">
        <legend class="sr-only">Credential {n}</legend>
        <label>
          Email
          <input type="email" name="email" autocomplete="off" />
        </label>
        <label>
          Username
          <input type="text" name="username" autocomplete="off" />
        </label>
        <label>
          Password
          <input type="password" name="password" autocomplete="new-password" />
        </label>
        <label>
          Site URL
          <input type="url" name="url" placeholder="https://…" />
        </label>
      </fieldset>,
    );
  };
  addCredentialRow();
  const form = (
    <form
      class="panel"
      id="add-form"
      onSubmit={async (event: Event) => {
        event.preventDefault();
        const f = event.target as HTMLFormElement;
        const value = (name: string) => ((f.elements.namedItem(name) as HTMLInputElement | null)?.value ?? '').trim();
        const tokenType = value('token_type');
        const tokens = value('tokens')
          .split('\n')
          .map((t) => t.trim())
          .filter(Boolean)
          .map((t) => (tokenType ? { value: t, type: tokenType } : { value: t }));
        const creds = [...credentials.querySelectorAll('fieldset')]
          .map((fs) => {
            const get = (name: string) => ((fs.querySelector(`[name="${name}"]`) as HTMLInputElement).value ?? '').trim();
            return { email: get('email') || undefined, username: get('username') || undefined, password: get('password'), url: get('url') || undefined };
          })
          .filter((c) => c.password || c.email || c.username);
        if (!tokens.length && !creds.length) return replace(result, notice('error', 'Enter at least one token or credential.'));
        const body = {
          source: { name: value('source_name'), ...(value('source_url') ? { url: value('source_url') } : {}) },
          ...(tokens.length ? { tokens } : {}),
          ...(creds.length ? { credentials: creds } : {}),
          ...(value('risk') ? { risk: value('risk') } : {}),
        };
        try {
          const added = await api<Added>('POST', '/api/v1/leaks', body);
          f.reset();
          replace(credentials);
          addCredentialRow();
          replace(
            result,
            <div class="notice success" role="status">
              <strong>
                {added.created} new, {added.duplicates} already known (duplicates).
              </strong>
              <ul>
                {added.leakids.map((id) => (
                  <li>
                    <a href={`#/leaks/${id}`}>
                      <code>{id}</code>
                    </a>
                  </li>
                ))}
              </ul>
              <p class="muted">New leaks appear in the list within a moment.</p>
            </div>,
          );
        } catch (error) {
          replace(result, problemNotice(error, 'Nothing was added'));
        }
      }}
    >
      <div class="form-row">
        <label>
          Source name (required)
          <input name="source_name" required maxlength="200" placeholder="e.g. pastebin" />
        </label>
        <label>
          Source URL
          <input name="source_url" type="url" placeholder="https://pastebin.com/…" />
        </label>
        {field(
          'Risk (default: from the type)',
          <select name="risk" id="add-risk">
            <option value="">Automatic</option>
            {RISKS.map((r) => <option value={r}>{cap(r)}</option>)}
          </select>,
        )}
      </div>
      <h2>Tokens</h2>
      <div class="form-row">
        <label class="grow">
          One token per line
          <textarea name="tokens" spellcheck="false" autocomplete="off"></textarea>
        </label>
        <label>
          Token type (optional)
          <input name="token_type" placeholder="e.g. github-pat" />
        </label>
      </div>
      <h2>Credentials</h2>
      {credentials}
      <div class="actions">
        <button type="button" onClick={addCredentialRow}>
          Another credential
        </button>
        <button type="submit" class="primary" id="add-submit">
          Add leaks
        </button>
      </div>
    </form>
  );
  replace(main, <h1>Add leaks</h1>, <p class="muted">Found secrets somewhere? Add them here: each secret becomes one leak.</p>, form, result);
};
