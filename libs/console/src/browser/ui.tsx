/** Small shared pieces: notices, problem rendering, badges. */
import { ApiError } from './api';
import { h } from './dom'; // eslint-disable-line @typescript-eslint/no-unused-vars -- h is the JSX factory
import { cap, statusLabel } from './format';

export function notice(kind: 'error' | 'success' | 'info', ...children: Array<Node | string>): HTMLElement {
  return (
    <div class={`notice ${kind}`} role={kind === 'error' ? 'alert' : 'status'}>
      {children}
    </div>
  );
}

/** A refused request: the title and detail, each field error, and the leak ids it names. */
export function problemNotice(error: unknown, what = 'The request was refused'): HTMLElement {
  if (!(error instanceof ApiError)) return notice('error', `${what}: ${error instanceof Error ? error.message : String(error)}`);
  const p = error.problem;
  return (
    <div class="notice error" role="alert" data-status={String(p.status)}>
      <strong>
        {what} ({p.status ? `${p.status} ${p.title ?? ''}` : p.title}).
      </strong>{' '}
      {p.detail ?? ''}
      {p.errors?.length ? (
        <ul>
          {p.errors.map((e) => (
            <li>
              <code>{e.field}</code>: {e.message}
            </li>
          ))}
        </ul>
      ) : null}
      {p.leakids?.length ? (
        <ul aria-label="Refused leaks">
          {p.leakids.map((id) => (
            <li>
              <a href={`#/leaks/${id}`}>
                <code>{id}</code>
              </a>
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}

export const riskBadge = (risk: string) => <span class={`badge ${risk}`}>{cap(risk)}</span>;
export const statusBadge = (status: string) => <span class={`badge ${status}`}>{statusLabel(status)}</span>;
export const patchBadge = (on: boolean) => (on ? <span class="badge on">Patched</span> : <span class="muted">—</span>);

/** Copies text to the clipboard, and says so next to the button. */
export function copyButton(text: string, label = 'Copy'): HTMLElement {
  const status = <span class="muted" aria-live="polite"></span>;
  const button = (
    <button
      type="button"
      onClick={async () => {
        try {
          await navigator.clipboard.writeText(text);
          status.textContent = 'Copied.';
        } catch {
          status.textContent = 'Copy failed: select the text and copy it by hand.';
        }
      }}
    >
      {label}
    </button>
  );
  return (
    <span class="actions">
      {button}
      {status}
    </span>
  );
}

/** A message for the next page drawn (after an action that redraws the page). */
let flashed: HTMLElement | undefined;
export const flash = (message: HTMLElement): void => {
  flashed = message;
};
export function takeFlash(): HTMLElement | null {
  const message = flashed;
  flashed = undefined;
  return message ?? null;
}

/**
 * A labelled control: `<label for>` beside (not around) the control, so the accessible name is the label
 * alone (a select wrapped in its label would also be named by its options).
 */
export function field(text: string, control: HTMLElement): HTMLElement {
  if (!control.id) control.id = `field-${text.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`;
  return (
    <div class="field">
      <label for={control.id}>{text}</label>
      {control}
    </div>
  );
}
