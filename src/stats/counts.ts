/**
 * @module Message figures and the rates derived from them. Definitions (docs/stats.md):
 *  - sent: accepted by the provider (status sent, or bounced afterwards); delivered: sent and not
 *    bounced; failed: permanently refused before leaving; skipped: deliberately not sent;
 *  - opens: every recorded open (people and machines); uniqueOpens: messages opened at least once;
 *    humanOpens: messages opened by a person (first_opened_at is only set by human opens, see
 *    src/tracking/record.ts); machineOnlyOpens: opened, but only by proxies and scanners;
 *  - clicks / uniqueClicks likewise; complained: a feedback report (ARF) named the message;
 *    unsubscribed: an email unsubscribe (link, one-click, mailto, preference centre) attributed to
 *    the contact's last email sent in the 30 days before it.
 */

export interface MessageCounts {
  recorded: number;
  queued: number;
  sent: number;
  delivered: number;
  failed: number;
  skipped: number;
  bounced: number;
  complained: number;
  opens: number;
  uniqueOpens: number;
  humanOpens: number;
  machineOnlyOpens: number;
  clicks: number;
  uniqueClicks: number;
  unsubscribed: number;
}

export interface MessageRates {
  delivery: number | null;
  open: number | null;
  clickThrough: number | null;
  clickToOpen: number | null;
  unsubscribe: number | null;
  bounce: number | null;
  complaint: number | null;
}

export function emptyCounts(): MessageCounts {
  return {
    recorded: 0,
    queued: 0,
    sent: 0,
    delivered: 0,
    failed: 0,
    skipped: 0,
    bounced: 0,
    complained: 0,
    opens: 0,
    uniqueOpens: 0,
    humanOpens: 0,
    machineOnlyOpens: 0,
    clicks: 0,
    uniqueClicks: 0,
    unsubscribed: 0,
  };
}

export function addCounts(into: MessageCounts, from: MessageCounts): MessageCounts {
  for (const k of Object.keys(into) as (keyof MessageCounts)[]) into[k] += from[k];
  return into;
}

const ratio = (a: number, b: number): number | null => (b > 0 ? Math.round((a / b) * 1e6) / 1e6 : null);

/** Open and click rates are per delivered message and use human opens only (docs/standards.md §13). */
export function rates(c: MessageCounts): MessageRates {
  return {
    delivery: ratio(c.delivered, c.sent),
    open: ratio(c.humanOpens, c.delivered),
    clickThrough: ratio(c.uniqueClicks, c.delivered),
    clickToOpen: ratio(c.uniqueClicks, c.humanOpens),
    unsubscribe: ratio(c.unsubscribed, c.delivered),
    bounce: ratio(c.bounced, c.sent),
    complaint: ratio(c.complained, c.delivered),
  };
}

/** One aggregated row of the messages query: the figures of one status within one group. */
export interface StatusRow {
  status: string;
  n: number;
  opens: number;
  opened: number;
  human: number;
  clicks: number;
  clicked: number;
}

export function addStatusRow(c: MessageCounts, r: StatusRow): void {
  c.recorded += r.n;
  switch (r.status) {
    case 'queued':
      c.queued += r.n;
      break;
    case 'sent':
      c.sent += r.n;
      c.delivered += r.n;
      break;
    case 'bounced':
      c.sent += r.n;
      c.bounced += r.n;
      break;
    case 'failed':
      c.failed += r.n;
      break;
    case 'skipped':
      c.skipped += r.n;
      break;
    default:
      break;
  }
  c.opens += r.opens;
  c.uniqueOpens += r.opened;
  c.humanOpens += r.human;
  c.machineOnlyOpens += r.opened - r.human;
  c.clicks += r.clicks;
  c.uniqueClicks += r.clicked;
}
