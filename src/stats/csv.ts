/**
 * @module CSV export of stats (`?format=csv`): one line per figure set: the total, then each
 * breakdown (version, node, template, channel) and each time bucket, with the message counts,
 * rates, attributed revenue, cost and ROI as columns. Text cells (node, template and channel keys
 * are user-chosen) go through `safeCsvCell` (../core/csv.ts), so none runs as a spreadsheet formula.
 */
import { stringify } from 'csv-stringify/sync';
import { safeCsvCell } from '../core/csv.js';
import type { MessageCounts, MessageRates } from './counts.js';
import { emptyCounts, rates as ratesOf } from './counts.js';
import type { ScopeStats } from './stats.js';

const COUNT_COLUMNS = Object.keys(emptyCounts()) as (keyof MessageCounts)[];
const RATE_COLUMNS = Object.keys(ratesOf(emptyCounts())) as (keyof MessageRates)[];

export function statsCsv(s: ScopeStats): string {
  const header = ['section', 'key', ...COUNT_COLUMNS, ...RATE_COLUMNS.map((r) => `${r}_rate`), 'attributed_conversions', 'revenue', 'cost', 'roi'];
  const rows: unknown[][] = [header];
  const line = (section: string, key: unknown, f: { messages: MessageCounts; rates: MessageRates; attributedConversions?: number; revenue?: number; cost?: number | null; roi?: number | null }) =>
    rows.push([
      section,
      key ?? '',
      ...COUNT_COLUMNS.map((c) => f.messages[c]),
      ...RATE_COLUMNS.map((r) => f.rates[r] ?? ''),
      f.attributedConversions ?? '',
      f.revenue ?? '',
      f.cost ?? '',
      f.roi ?? '',
    ]);
  line('total', 'all', s.total);
  for (const r of s.byVersion) line('version', r.key, r);
  for (const r of s.byNode) line('node', r.key, r);
  for (const r of s.byTemplate) line('template', r.key, r);
  for (const r of s.byChannel) line('channel', r.key, r);
  for (const p of s.series ?? []) line('bucket', new Date(p.bucket).toISOString(), p);
  return stringify(rows.map((r) => r.map((cell) => (typeof cell === 'string' ? safeCsvCell(cell) : cell))));
}
