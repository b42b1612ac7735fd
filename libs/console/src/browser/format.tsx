/** Labels and formats shared by the pages. */
export const RISKS = ['critical', 'high', 'medium', 'low'] as const;
export const STATUSES = ['open', 'fixed', 'false_positive'] as const;
export const TYPES = ['personal', 'employee', 'customer', 'organization'] as const;

const STATUS_LABELS: Record<string, string> = { open: 'Open', fixed: 'Fixed', false_positive: 'False positive' };
export const statusLabel = (status: string): string => STATUS_LABELS[status] ?? status;
export const cap = (text: string): string => (text ? text[0].toUpperCase() + text.slice(1) : text);

const EVENT_LABELS: Record<string, string> = {
  LeakDetected: 'Detected',
  LeakSighted: 'Seen again',
  LeakStatusChanged: 'Status changed',
  VirtualPatchApplied: 'Virtual patch on',
  VirtualPatchRemoved: 'Virtual patch off',
  LeakedTokenUseAttempted: 'Token use attempt',
};
export const eventLabel = (type: string): string => EVENT_LABELS[type] ?? type;

export function dateTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'medium' });
}

export function duration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined) return '—';
  if (seconds < 90) return `${Math.round(seconds)} s`;
  if (seconds < 5400) return `${Math.round(seconds / 60)} min`;
  if (seconds < 172_800) return `${(seconds / 3600).toFixed(1)} h`;
  return `${(seconds / 86_400).toFixed(1)} days`;
}

export const number = (n: number): string => n.toLocaleString();
