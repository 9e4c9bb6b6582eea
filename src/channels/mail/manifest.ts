/**
 * @module A print batch's manifest (docs/mail.md "Batches and print houses"): one row per piece in
 * postal presort order (country, then postcode compared as a post office sorts them: digit runs as
 * numbers, so "2000" follows "999"; pieces without a postcode last), with where the piece starts in
 * the merged batch PDF. Written as CSV (cells passed through safeCsvCell: a print house opens it in
 * a spreadsheet) and as JSON.
 */
import { safeCsvCell } from '../../core/csv.js';
import type { PostalAddress } from '../../contacts/postal-address.js';
import type { MailPieceKind, SheetFormat } from './tables.js';

export interface ManifestRow {
  pieceId: string;
  contactId: string;
  kind: MailPieceKind;
  address: PostalAddress;
  pages: number;
  sheetFormat: SheetFormat;
  costMicros: number;
  /** 1-based page of the merged batch PDF where this piece starts. */
  firstPage: number;
}

const collator = new Intl.Collator('en', { numeric: true, sensitivity: 'base' });

/** Presort order: by country, then postcode (numeric-aware), then piece id so the order is total. */
export function presortCompare(a: { address: PostalAddress; pieceId: string }, b: { address: PostalAddress; pieceId: string }): number {
  const country = a.address.country.localeCompare(b.address.country);
  if (country !== 0) return country;
  const pa = a.address.postcode?.replace(/\s+/g, '') ?? '';
  const pb = b.address.postcode?.replace(/\s+/g, '') ?? '';
  if (!pa !== !pb) return pa ? -1 : 1;
  return collator.compare(pa, pb) || (a.pieceId < b.pieceId ? -1 : a.pieceId > b.pieceId ? 1 : 0);
}

export const MANIFEST_COLUMNS = ['piece_id', 'contact_id', 'kind', 'name', 'line1', 'line2', 'line3', 'city', 'region', 'postcode', 'country', 'pages', 'sheet_format', 'cost', 'first_page'] as const;

const money = (micros: number) => (micros / 1_000_000).toFixed(6).replace(/\.?0+$/, '') || '0';

function csvCell(value: string | number): string {
  const text = typeof value === 'number' ? String(value) : safeCsvCell(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function manifestCsv(rows: readonly ManifestRow[]): string {
  const lines = [MANIFEST_COLUMNS.join(',')];
  for (const r of rows) {
    const a = r.address;
    lines.push(
      [
        r.pieceId,
        r.contactId,
        r.kind,
        a.name,
        a.lines[0] ?? '',
        a.lines[1] ?? '',
        a.lines[2] ?? '',
        a.city,
        a.region ?? '',
        a.postcode ?? '',
        a.country,
        r.pages,
        r.sheetFormat,
        money(r.costMicros),
        r.firstPage,
      ]
        .map(csvCell)
        .join(','),
    );
  }
  return `${lines.join('\r\n')}\r\n`;
}

export function manifestJson(batchId: string, rows: readonly ManifestRow[]): string {
  return `${JSON.stringify(
    {
      batchId,
      pieces: rows.map((r) => ({
        pieceId: r.pieceId,
        contactId: r.contactId,
        kind: r.kind,
        address: r.address,
        postcode: r.address.postcode ?? null,
        pages: r.pages,
        sheetFormat: r.sheetFormat,
        cost: money(r.costMicros),
        costMicros: r.costMicros,
        firstPage: r.firstPage,
      })),
    },
    null,
    2,
  )}\n`;
}
