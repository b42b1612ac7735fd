/**
 * CSV as exports and reports write it: RFC 4180 quoting, CRLF line ends. A cell a spreadsheet would run as a
 * formula (starting with = + - @, or a tab/carriage return) gets a leading `'` (OWASP "CSV injection"): leak
 * sources, comments and identities are written by users and scanners.
 */
export function csvCell(value: unknown): string {
  let text = value === null || value === undefined ? '' : String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvLine(cells: readonly unknown[]): string {
  return `${cells.map(csvCell).join(',')}\r\n`;
}
