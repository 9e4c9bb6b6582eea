/**
 * @module CSV export of stats (`?format=csv`): one line per figure set: the total, then each
 * breakdown (version, node, template, channel) and each time bucket, with the message counts,
 * rates, attributed revenue, cost and ROI as columns. Per-step (node) lines are split by channel
 * and every line has a `channel` column (empty for lines over all channels); the channel figures
 * (undelivered, pending, engaged, opt-outs, segments, cost in micros) are filled on channel lines.
 * On channel lines the shared columns take the channel's meaning (./channels.ts): `delivered` of
 * SMS is by receipt, `unsubscribed` is the channel's opt-outs. Text cells (node, template and
 * channel keys are user-chosen) go through `safeCsvCell` (../core/csv.ts), so none runs as a
 * spreadsheet formula.
 */
import { stringify } from 'csv-stringify/sync';
import { safeCsvCell } from '../core/csv.js';
import type { ChannelFigures } from './channels.js';
import type { MessageCounts, MessageRates } from './counts.js';
import { emptyCounts, rates as ratesOf } from './counts.js';
import type { ScopeStats } from './stats.js';

const COUNT_COLUMNS = Object.keys(emptyCounts()) as (keyof MessageCounts)[];
const RATE_COLUMNS = Object.keys(ratesOf(emptyCounts())) as (keyof MessageRates)[];
const CHANNEL_COLUMNS = ['undelivered', 'pending', 'engaged', 'optOuts', 'segments', 'costMicros'] as const;
const CHANNEL_HEADER = ['undelivered', 'pending', 'engaged', 'opt_outs', 'segments', 'cost_micros'];

interface Line {
  messages: Partial<MessageCounts>;
  rates: Partial<Record<keyof MessageRates, number | null>>;
  attributedConversions?: number;
  revenue?: number;
  cost?: number | null;
  roi?: number | null;
  channel?: ChannelFigures;
}

/** A channel's figures under the shared column names (absent figures stay empty). */
function channelLine(f: ChannelFigures): Line {
  const { bounces, complaints, optOuts, rates, ...counts } = f;
  return {
    messages: { ...counts, bounced: bounces, complained: complaints, unsubscribed: optOuts },
    rates: {
      delivery: rates.delivery,
      open: rates.open,
      clickThrough: rates.clickThrough,
      clickToOpen: rates.clickToOpen,
      unsubscribe: rates.optOut,
      bounce: rates.bounce,
      complaint: rates.complaint,
    },
    attributedConversions: f.attributedConversions,
    revenue: f.revenue,
    cost: f.cost,
    roi: f.roi,
    channel: f,
  };
}

export function statsCsv(s: ScopeStats): string {
  const header = ['section', 'key', 'channel', ...COUNT_COLUMNS, ...RATE_COLUMNS.map((r) => `${r}_rate`), 'attributed_conversions', 'revenue', 'cost', 'roi', ...CHANNEL_HEADER];
  const rows: unknown[][] = [header];
  const line = (section: string, key: unknown, channel: string, f: Line) =>
    rows.push([
      section,
      key ?? '',
      channel,
      ...COUNT_COLUMNS.map((c) => f.messages[c] ?? ''),
      ...RATE_COLUMNS.map((r) => f.rates[r] ?? ''),
      f.attributedConversions ?? '',
      f.revenue ?? '',
      f.cost ?? '',
      f.roi ?? '',
      ...CHANNEL_COLUMNS.map((c) => f.channel?.[c] ?? ''),
    ]);
  line('total', 'all', '', s.total);
  for (const r of s.byVersion) line('version', r.key, '', r);
  for (const r of s.byNode) for (const [channel, f] of Object.entries(r.byChannel)) line('node', r.key, channel, channelLine(f));
  for (const r of s.byTemplate) line('template', r.key, '', r);
  for (const [channel, f] of Object.entries(s.byChannel)) line('channel', channel, channel, channelLine(f));
  for (const p of s.series ?? []) line('bucket', new Date(p.bucket).toISOString(), '', p);
  return stringify(rows.map((r) => r.map((cell) => (typeof cell === 'string' ? safeCsvCell(cell) : cell))));
}
