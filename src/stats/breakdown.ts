/**
 * @module Folds the grouped message figures and the attributed revenue into totals and breakdowns
 * (per version, node, template, time bucket), each with rates, revenue, cost and ROI, and the
 * per-channel split (`byChannel`, ./channels.ts) of the whole scope and of each breakdown row.
 * Cost is sent messages × the workspace's cost per message of the channel; ROI = (revenue − cost)
 * / cost, null when there is no cost.
 */
import { channelMeasures, type MeasuresOf } from './channel-measures.js';
import { addRaw, channelFigures, emptyRaw, type ChannelFigures, type ChannelRaw } from './channels.js';
import { addCounts, emptyCounts, rates, type MessageCounts, type MessageRates } from './counts.js';
import type { AttributedGroup } from './attribution.js';
import type { MessageGroup } from './messages.js';

export interface Figures {
  messages: MessageCounts;
  rates: MessageRates;
  attributedConversions: number;
  revenue: number;
  cost: number | null;
  roi: number | null;
}

/** A channel's figures keyed by channel name; a channel appears once the scope has a message of it. */
export type ByChannel = Record<string, ChannelFigures>;

export interface Keyed<K> extends Figures {
  key: K;
  byChannel: ByChannel;
}

type Dim = 'version' | 'node' | 'template';

interface Acc {
  messages: MessageCounts;
  raw: ChannelRaw;
  attributedConversions: number;
  revenue: number;
  cost: number;
  costed: boolean;
}

const newAcc = (): Acc => ({ messages: emptyCounts(), raw: emptyRaw(), attributedConversions: 0, revenue: 0, cost: 0, costed: false });

function finish(a: Acc): Figures {
  const cost = a.costed ? Math.round(a.cost * 1e4) / 1e4 : null;
  const revenue = Math.round(a.revenue * 100) / 100;
  return {
    messages: a.messages,
    rates: rates(a.messages),
    attributedConversions: a.attributedConversions,
    revenue,
    cost,
    roi: cost !== null && cost > 0 ? Math.round(((revenue - cost) / cost) * 1e4) / 1e4 : null,
  };
}

/** A key's figures, and the same per channel. */
interface Entry {
  key: unknown;
  acc: Acc;
  channels: Map<string, Acc>;
}

export class Breakdown {
  private readonly entries = new Map<string, Entry>();
  constructor(
    private readonly costPerMessage: Record<string, number>,
    private readonly measuresOf: MeasuresOf = channelMeasures,
  ) {}

  private at(key: unknown, channel: string): Acc[] {
    const k = JSON.stringify(key);
    let e = this.entries.get(k);
    if (!e) this.entries.set(k, (e = { key, acc: newAcc(), channels: new Map() }));
    let c = e.channels.get(channel);
    if (!c) e.channels.set(channel, (c = newAcc()));
    return [e.acc, c];
  }

  addMessages(key: unknown, g: MessageGroup): void {
    const unit = this.costPerMessage[g.channel];
    for (const a of this.at(key, g.channel)) {
      addCounts(a.messages, g.counts);
      addRaw(a.raw, g.raw);
      if (unit !== undefined) {
        a.costed = true;
        a.cost += unit * g.counts.sent;
      }
    }
  }

  addRevenue(key: unknown, g: AttributedGroup): void {
    for (const a of this.at(key, g.channel)) {
      a.attributedConversions += g.conversions;
      a.revenue += g.revenue;
    }
  }

  rows<K>(): Keyed<K>[] {
    return [...this.entries.values()].map((e) => ({ key: e.key as K, ...finish(e.acc), byChannel: this.byChannel(e.channels) }));
  }

  /** Built with fromEntries: channel names are user-chosen, and `__proto__` must stay a plain key. */
  private byChannel(channels: Map<string, Acc>): ByChannel {
    return Object.fromEntries(
      [...channels.keys()].sort().map((name) => {
        const a = channels.get(name)!;
        const f = finish(a);
        return [name, channelFigures(this.measuresOf(name), a.messages, a.raw, { attributedConversions: f.attributedConversions, revenue: f.revenue, cost: f.cost, roi: f.roi })];
      }),
    );
  }
}

export interface Folded {
  total: Figures;
  /** The scope's figures per channel (./channels.ts); no key for a channel without messages here. */
  byChannel: ByChannel;
  byVersion: Keyed<number | null>[];
  byNode: Keyed<string | null>[];
  byTemplate: Keyed<string | null>[];
}

export function fold(
  groups: MessageGroup[],
  attributed: AttributedGroup[],
  costPerMessage: Record<string, number>,
  measuresOf: MeasuresOf = channelMeasures,
  dims: Dim[] = ['version', 'node', 'template'],
): Folded {
  const total = new Breakdown(costPerMessage, measuresOf);
  const by = Object.fromEntries(dims.map((d) => [d, new Breakdown(costPerMessage, measuresOf)])) as Partial<Record<Dim, Breakdown>>;
  for (const g of groups) {
    total.addMessages('all', g);
    for (const d of dims) by[d]!.addMessages(g[d], g);
  }
  for (const a of attributed) {
    total.addRevenue('all', a);
    for (const d of dims) by[d]!.addRevenue(a[d], a);
  }
  const totalRow = total.rows<string>()[0];
  // `total` keeps its shape (key 'all' included); its channel split is the scope's `byChannel`.
  const { byChannel, ...totalFigures } = totalRow ?? { byChannel: {}, ...finish(newAcc()) };
  const sortKey = <K>(rows: Keyed<K>[]) => rows.sort((x, y) => String(x.key ?? '').localeCompare(String(y.key ?? '')));
  return {
    total: totalFigures,
    byChannel,
    byVersion: sortKey(by.version?.rows<number | null>() ?? []),
    byNode: sortKey(by.node?.rows<string | null>() ?? []),
    byTemplate: sortKey(by.template?.rows<string | null>() ?? []),
  };
}

export interface SeriesPoint {
  bucket: number;
  messages: MessageCounts;
  rates: MessageRates;
}

/** Message figures per time bucket (cohorts by the time the message was recorded). */
export function series(groups: MessageGroup[]): SeriesPoint[] {
  const out = new Map<number, MessageCounts>();
  for (const g of groups) {
    if (g.bucket === null) continue;
    if (!out.has(g.bucket)) out.set(g.bucket, emptyCounts());
    addCounts(out.get(g.bucket)!, g.counts);
  }
  return [...out.entries()].sort((a, b) => a[0] - b[0]).map(([bucket, messages]) => ({ bucket, messages, rates: rates(messages) }));
}
