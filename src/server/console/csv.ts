// CSV export of sessions: RFC 4180 quoting, and formula injection neutralised (OWASP "CSV Injection").

/** A spreadsheet runs a cell that starts with one of these as a formula (tab and CR too, per OWASP). */
const FORMULA_START = /^[=+\-@\t\r]/;

export function csvCell(value: unknown): string {
  let text = value === null || value === undefined ? '' : Array.isArray(value) ? value.join(' ') : String(value);
  // A leading apostrophe makes the spreadsheet show the text instead of evaluating it.
  if (FORMULA_START.test(text)) text = `'${text}`;
  return `"${text.replace(/"/g, '""')}"`;
}

export function toCsv(header: readonly string[], rows: ReadonlyArray<Record<string, unknown>>): string {
  const lines = [header.map(csvCell).join(',')];
  for (const row of rows) lines.push(header.map((key) => csvCell(row[key])).join(','));
  return `${lines.join('\r\n')}\r\n`;
}
