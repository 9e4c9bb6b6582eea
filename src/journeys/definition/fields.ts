/**
 * @module Field checks the zod schema cannot express: sane durations (> 0, at most 10 years), a
 * delay that can compute its due time, message templates, unique branch and split outputs, re-entry
 * intervals and IANA time zones. Like the graph checks they run on whatever parts parsed.
 */
import { descriptors } from '../../channels/descriptors.js';
import { isValidTimeZone } from '../../core/time-zone.js';
import { Condition, JourneyDocument } from './schema.js';
import { durationProblem } from './duration.js';
import { ELSE_OUTPUT } from './outputs.js';
import type { Graph } from './graph.js';
import type { Report } from './report.js';

/** Does a template with this id exist in the workspace? Injected so validation needs no template code. */
export type TemplateExists = (workspaceId: string, templateId: string) => Promise<boolean>;

/** Channels whose messages are rendered from a template. */
const TEMPLATED_CHANNELS = new Set(descriptors.flatMap((d) => (d.templateChannel ? [d.name] : [])));

function checkDuration(report: Report, path: string, text: string | undefined, allowZeroOrNegative = false): void {
  if (text === undefined) return;
  const problem = durationProblem(text, { allowZeroOrNegative });
  if (problem) report.error(path, problem);
}

function checkCondition(report: Report, path: string, c: Condition): void {
  if ('all' in c) c.all.forEach((x, i) => checkCondition(report, `${path}.all.${i}`, x));
  else if ('any' in c) c.any.forEach((x, i) => checkCondition(report, `${path}.any.${i}`, x));
  else if ('not' in c) checkCondition(report, `${path}.not`, c.not);
  else if ('performed' in c) checkDuration(report, `${path}.performed.within`, c.performed.within);
}

function checkUniqueOutputs(report: Report, base: string, list: Array<{ output: string }>, what: string): void {
  const seen = new Map<string, number>();
  list.forEach(({ output }, i) => {
    if (output === ELSE_OUTPUT && what === 'branches') report.error(`${base}.${i}.output`, `output "else" is reserved for when no branch matches`);
    const first = seen.get(output);
    if (first !== undefined) report.error(`${base}.${i}.output`, `duplicate output "${output}" (also ${what}[${first}])`);
    else seen.set(output, i);
  });
}

export async function checkNodes(g: Graph, report: Report, workspaceId: string, templateExists: TemplateExists): Promise<void> {
  const templates = new Map<string, Promise<boolean>>();
  for (const { node, index } of g.nodes) {
    if (!node) continue;
    const at = `nodes.${index}`;
    switch (node.type) {
      case 'message': {
        if (node.channel === 'webhook' && typeof node.config?.url !== 'string') report.warn(`${at}.config.url`, 'a webhook message without config.url has nowhere to go');
        if (node.template === undefined) {
          if (TEMPLATED_CHANNELS.has(node.channel)) report.error(`${at}.template`, `a message on channel ${node.channel} needs a template`);
          break;
        }
        if (!templates.has(node.template)) templates.set(node.template, templateExists(workspaceId, node.template));
        if (!(await templates.get(node.template))) report.error(`${at}.template`, `template "${node.template}" does not exist`);
        break;
      }
      case 'delay': {
        const { duration, calendarDays, weekdays, at: time, untilDate } = node;
        if (duration === undefined && calendarDays === undefined && weekdays === undefined && time === undefined && untilDate === undefined) {
          report.error(at, 'a delay needs duration, calendarDays, weekdays, at or untilDate to compute when to resume');
        }
        checkDuration(report, `${at}.duration`, duration);
        if (untilDate) checkDuration(report, `${at}.untilDate.offset`, untilDate.offset, true);
        break;
      }
      case 'wait_for_event':
        checkDuration(report, `${at}.timeout`, node.timeout);
        break;
      case 'branch':
        checkUniqueOutputs(report, `${at}.branches`, node.branches, 'branches');
        node.branches.forEach((b, i) => checkCondition(report, `${at}.branches.${i}.condition`, b.condition));
        break;
      case 'split': {
        checkUniqueOutputs(report, `${at}.variants`, node.variants, 'variants');
        const total = node.variants.reduce((s, v) => s + v.weight, 0);
        if (!Number.isFinite(total)) report.error(`${at}.variants`, 'split weights must be finite numbers');
        else if (Math.abs(total - 100) > 1e-9) {
          const shares = node.variants.map((v) => `${v.output} ${((100 * v.weight) / total).toFixed(1)}%`).join(', ');
          report.warn(`${at}.variants`, `weights are relative and sum to ${total}: ${shares}`);
        }
        break;
      }
      case 'update_contact':
      case 'exit':
        break;
    }
  }
}

/** Checks of the document's parts outside the nodes (entry, settings) and of any named time zone. */
export function checkDocument(raw: unknown, report: Report): void {
  const doc = (raw && typeof raw === 'object' ? raw : {}) as Record<string, unknown>;
  const shape = JourneyDocument.shape;
  const entry = shape.entry.safeParse(doc.entry);
  if (entry.success) {
    const { reentry, filter } = entry.data;
    if (reentry.mode === 'after_interval' && reentry.interval === undefined) report.error('entry.reentry.interval', 'reentry mode after_interval needs an interval');
    if (reentry.mode !== 'after_interval' && reentry.interval !== undefined) report.warn('entry.reentry.interval', `interval is ignored with reentry mode ${reentry.mode}`);
    checkDuration(report, 'entry.reentry.interval', reentry.interval);
    if (filter) checkCondition(report, 'entry.filter', filter);
  }
  const settings = shape.settings.safeParse(doc.settings);
  if (settings.success) {
    const { maxDuration, frequencyCap, quietHours } = settings.data;
    checkDuration(report, 'settings.maxDuration', maxDuration);
    checkDuration(report, 'settings.frequencyCap.per', frequencyCap?.per);
    if (quietHours && quietHours.start === quietHours.end) report.warn('settings.quietHours', 'start equals end: there are no quiet hours');
  }
  checkTimeZones(raw, '', report);
}

const ZONE_KEYS = /^(timezone|timeZone|time_zone|tz)$/;

function checkTimeZones(value: unknown, path: string, report: Report): void {
  if (!value || typeof value !== 'object') return;
  for (const [key, v] of Object.entries(value)) {
    const at = path ? `${path}.${key}` : key;
    // A value with {{ … }} is filled in per contact (update_contact.set), so it is checked at run time.
    if (ZONE_KEYS.test(key) && typeof v === 'string' && !v.includes('{{') && !isValidTimeZone(v)) report.error(at, `unknown time zone "${v}" (use an IANA name like Europe/Berlin)`);
    else checkTimeZones(v, at, report);
  }
}
