/**
 * The signed-in key lives in sessionStorage only: gone when the tab closes, never in a URL, a cookie,
 * localStorage or a log. The theme preference (not a secret) lives in localStorage.
 */
const KEY = 'leakwatch.apiKey';

export interface Session {
  key_id: string;
  role: 'global_admin' | 'global_analyst' | 'admin' | 'analyst';
  org_id: string | null;
  org_name: string | null;
  user_email: string | null;
  can_change: boolean;
}

let current: Session | undefined;

export const storedKey = (): string | null => sessionStorage.getItem(KEY);
export const storeKey = (key: string): void => sessionStorage.setItem(KEY, key);
export const session = (): Session => {
  if (!current) throw new Error('not signed in');
  return current;
};
export const hasSession = (): boolean => current !== undefined;
export const setSession = (value: Session | undefined): void => {
  current = value;
};
export const isGlobal = (): boolean => session().role.startsWith('global_');

export function forgetKey(): void {
  sessionStorage.removeItem(KEY);
  current = undefined;
}

export type Theme = 'light' | 'dark' | 'system';

export function applyTheme(theme: Theme = (localStorage.getItem('leakwatch.theme') as Theme | null) ?? 'system'): Theme {
  if (theme === 'system') document.documentElement.removeAttribute('data-theme');
  else document.documentElement.setAttribute('data-theme', theme);
  localStorage.setItem('leakwatch.theme', theme);
  return theme;
}
