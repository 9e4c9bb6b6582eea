/**
 * @module What a segment's conditions depend on: which attributes, which event names, whether list
 * joins matter, and whether the segment must also be recomputed on a schedule, because time moves
 * (sliding windows, relative dates, anniversaries) or because it reads data whose changes emit no
 * signal (consent, list unsubscribes, messages sent).
 */
import type { Condition } from './definition.js';

export interface Dependencies {
  /** Top-level attribute keys and contact columns (`plan`, `email`, `created_at`). */
  attributes: Set<string>;
  events: Set<string>;
  lists: boolean;
  /** Visit or session conditions: any human page view may change membership. */
  pageViews: boolean;
  /** Needs a scheduled full recompute. */
  scheduled: boolean;
}

const RELATIVE_OPS = new Set(['more_than_days_ago', 'less_than_days_ago', 'anniversary_within_days']);

export function dependenciesOf(cond: Condition): Dependencies {
  const d: Dependencies = { attributes: new Set(), events: new Set(), lists: false, pageViews: false, scheduled: false };
  const visit = (c: Condition): void => {
    if ('all' in c) return c.all.forEach(visit);
    if ('any' in c) return c.any.forEach(visit);
    if ('not' in c) return visit(c.not);
    switch (c.type) {
      case 'attribute':
        d.attributes.add(c.attribute.split('.')[0]!);
        if (RELATIVE_OPS.has(c.op)) d.scheduled = true;
        return;
      case 'lead_score':
        d.attributes.add('lead_score');
        return;
      case 'predicted':
        d.scheduled = true; // a new training changes scores without a signal
        return;
      case 'event':
      case 'event_aggregate':
      case 'event_time':
        d.events.add(c.event);
        if (c.withinDays !== undefined || (c.type === 'event_time' && RELATIVE_OPS.has(c.op))) d.scheduled = true;
        return;
      case 'list':
        d.lists = true;
        d.scheduled = true; // leaving a list emits no signal
        return;
      case 'consent':
        d.scheduled = true;
        return;
      case 'visits':
      case 'sessions':
        d.pageViews = true;
        d.scheduled = true; // the window slides
        return;
      case 'message':
        if (c.action === 'received') d.scheduled = true;
        else d.events.add(c.action === 'opened' ? 'email.opened' : 'email.clicked');
        if (c.withinDays !== undefined) d.scheduled = true;
        return;
    }
  };
  visit(cond);
  return d;
}

/** The attribute key a `contact_updated` change names (`attributes.plan` → `plan`, `userId` → `user_id`). */
export function changedKey(changed: string): string {
  if (changed.startsWith('attributes.')) return changed.slice('attributes.'.length).split('.')[0]!;
  if (changed === 'userId') return 'user_id';
  return changed.split('.')[0]!;
}
