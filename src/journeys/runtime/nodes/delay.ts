/**
 * @module The delay node. Kinds of waiting (docs/standards.md §4):
 *  - `duration`: a fixed length (1d = 24 h), optionally then the next local `at`;
 *  - `calendarDays`: local midnight N days on (or `at` that day) — "1 calendar day";
 *  - `weekdays` (+ `at`): the next such weekday at that local time;
 *  - `untilDate`: a date attribute ± offset (a bare date means local midnight, or `at` that day).
 * The due time is computed once, when the run reaches the delay, and kept: editing the delay in a
 * later version does not reschedule runs already waiting (docs/standards.md §3). A target already in the
 * past runs now, and the step log says so (`detail.past`).
 */
import type { DelayNode } from '../../definition/schema.js';
import type { z } from 'zod';
import type { NodeResult, StepContext } from '../step.js';
import { durationMs } from '../../../core/duration.js';
import { addCalendarDays, fromLocal, nextTimeOfDay, nextWeekdayAt, parseDateAttribute, parseTimeOfDay } from '../../../core/local-time.js';
import { getPath } from '../../../conditions/conditions.js';

type Delay = z.infer<typeof DelayNode>;

export function delayTarget(node: Delay, ctx: StepContext): number | { error: string } {
  const { now, tz } = ctx;
  if (node.untilDate) {
    const raw = getPath(ctx.contact.attributes, node.untilDate.attribute);
    const date = parseDateAttribute(raw);
    if (!date) return { error: `contact attribute ${node.untilDate.attribute} is not a date` };
    const isInstant = typeof raw === 'string' && raw.length > 10 && raw.includes('T');
    const { hour, minute } = parseTimeOfDay(node.at ?? '00:00');
    const base = isInstant && !node.at ? new Date(raw).getTime() : fromLocal(date.year, date.month, date.day, hour, minute, tz);
    return base + durationMs(node.untilDate.offset);
  }
  if (node.calendarDays !== undefined) return addCalendarDays(now, node.calendarDays, tz, node.at ?? '00:00');
  if (node.weekdays) return nextWeekdayAt(now, node.weekdays, tz, node.at ?? '00:00');
  let t = now + (node.duration ? durationMs(node.duration) : 0);
  if (node.at) t = nextTimeOfDay(t, tz, node.at);
  return t;
}

export function executeDelay(node: Delay, ctx: StepContext): NodeResult {
  const target = delayTarget(node, ctx);
  if (typeof target !== 'number') return { kind: 'next', output: 'next', outcome: 'skipped', detail: { reason: target.error } };
  if (target <= ctx.now) return { kind: 'next', output: 'next', outcome: 'delayed', detail: { until: target, past: true }, dueAt: ctx.now };
  return { kind: 'next', output: 'next', outcome: 'delayed', detail: { until: target }, dueAt: target };
}
