/**
 * @module CSV cells that a spreadsheet will not run (OWASP "CSV Injection"): a cell starting with
 * `=`, `+`, `-`, `@`, a tab or a carriage return is read as a formula by Excel, LibreOffice and
 * Google Sheets (`=HYPERLINK(…)`, DDE), so every CSV we write passes its text cells through
 * `safeCsvCell`, which puts a `'` in front. Plain numbers (`-5`, `+3.2e1`) are left as they are:
 * they cannot hold a formula, and a spreadsheet should still see numbers.
 *
 * The escape is undone exactly by `unescapeCsvCell`, for our own exports read back by the import:
 * cells starting with apostrophes and then a trigger character are escaped too (`'=x` → `''=x`),
 * so "starts with `'`s and a trigger" is precisely the set of escaped cells.
 */

const TRIGGER = /^'*[=+\-@\t\r]/;
const ESCAPED = /^'+[=+\-@\t\r]/;
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

export function safeCsvCell(text: string): string {
  return TRIGGER.test(text) && !NUMBER.test(text) ? `'${text}` : text;
}

export function unescapeCsvCell(text: string): string {
  return ESCAPED.test(text) ? text.slice(1) : text;
}
