/**
 * @module Folds the grouped message figures and the attributed revenue into totals and breakdowns
 * (per version, node, template, channel, time bucket), each with rates, revenue, cost and ROI.
 * Cost is sent messages × the workspace's cost per message of the channel; ROI = (revenue − cost)
 * / cost, null when there is no cost.
 */
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

export interface Keyed<K> extends Figures {
  key: K;
}

type Dim = 'version' | 'node' | 'template' | 'channel';

interface Acc {
  messages: MessageCounts;
  attributedConversions: number;
  revenue: number;
  cost: number;
  costed: boolean;
}

const newAcc = (): Acc => ({ messages: emptyCounts(), attributedConversions: 0, revenue: 0, cost: 0, costed: false });

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

export class Breakdown {
  private readonly accs = new Map<string, { key: unknown; acc: Acc }>();
  constructor(private readonly costPerMessage: Record<string, number>) {}

  private at(key: unknown): Acc {
    const k = JSON.stringify(key);
    let e = this.accs.get(k);
    if (!e) this.accs.set(k, (e = { key, acc: newAcc() }));
    return e.acc;
  }

  addMessages(key: unknown, g: MessageGroup): void {
    const a = this.at(key);
    addCounts(a.messages, g.counts);
    const unit = this.costPerMessage[g.channel];
    if (unit !== undefined) {
      a.costed = true;
      a.cost += unit * g.counts.sent;
    }
  }

  addRevenue(key: unknown, g: AttributedGroup): void {
    const a = this.at(key);
    a.attributedConversions += g.conversions;
    a.revenue += g.revenue;
  }

  rows<K>(): Keyed<K>[] {
    return [...this.accs.values()].map((e) => ({ key: e.key as K, ...finish(e.acc) }));
  }
}

export interface Folded {
  total: Figures;
  byVersion: Keyed<number | null>[];
  byNode: Keyed<string | null>[];
  byTemplate: Keyed<string | null>[];
  byChannel: Keyed<string>[];
}

export function fold(groups: MessageGroup[], attributed: AttributedGroup[], costPerMessage: Record<string, number>, dims: Dim[] = ['version', 'node', 'template', 'channel']): Folded {
  const total = new Breakdown(costPerMessage);
  const by = Object.fromEntries(dims.map((d) => [d, new Breakdown(costPerMessage)])) as Partial<Record<Dim, Breakdown>>;
  for (const g of groups) {
    total.addMessages('all', g);
    for (const d of dims) by[d]!.addMessages(g[d], g);
  }
  for (const a of attributed) {
    total.addRevenue('all', a);
    for (const d of dims) by[d]!.addRevenue(a[d], a);
  }
  const totalRow = total.rows<string>()[0];
  const sortKey = <K>(rows: Keyed<K>[]) => rows.sort((x, y) => String(x.key ?? '').localeCompare(String(y.key ?? '')));
  return {
    total: totalRow ?? finish(newAcc()),
    byVersion: sortKey(by.version?.rows<number | null>() ?? []),
    byNode: sortKey(by.node?.rows<string | null>() ?? []),
    byTemplate: sortKey(by.template?.rows<string | null>() ?? []),
    byChannel: sortKey(by.channel?.rows<string>() ?? []),
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
