/**
 * @module Simulation: one contact through one journey version on a virtual clock, sending nothing and
 * writing nothing. It drives the runtime's own interpreter (../runtime/walk.ts and the node executors
 * in ../runtime/nodes/) exactly as the scheduler does (../runtime/process-runs.ts), but between walks
 * it moves the clock itself: to a delay's end, to a deferral's end (quiet hours, send-time), or to
 * the supplied event that resumes a wait. Executors only read the database (consent, frequency caps,
 * promoted variants, `performed` conditions); their effects (update_contact) are applied to the
 * in-memory contact only. Messages are rendered with the real renderers (./render.ts).
 */
import type { AppDeps } from '../../api/deps.js';
import { parseIsoTime } from '../../core/iso-time.js';
import { toContact, type Contact } from '../../contacts/contact.js';
import { NotFoundError } from '../../core/errors.js';
import type { JsonObject } from '../../core/json.js';
import type { TemplateCache } from '../../templates/cache.js';
import type { JourneyDocument, JourneyNode } from '../definition/schema.js';
import { getJourney, versionDocument } from '../journeys.js';
import { workspaceZone } from '../runtime/enroll.js';
import { loadMessagingDefaults } from '../../workspaces/messaging.js';
import { durationMs } from '../runtime/duration.js';
import type { Run } from '../runtime/run.js';
import type { NodeResult, StepContext } from '../runtime/step.js';
import { zoneFor } from '../runtime/tz.js';
import { edgeTarget, nodeIndex, walk, type StepRecord } from '../runtime/walk.js';
import { interrupt, resuming, timeline, type TimedEvent } from './events.js';
import { simulateSend } from './render.js';
import type { PathEntry, SimulateBody } from './schemas.js';

/** A journey that loops without end still stops: this many walks at most. */
const MAX_WALKS = 500;

export interface SimulateDeps {
  deps: AppDeps;
  templateCache: TemplateCache;
}

async function loadContact(d: SimulateDeps, workspaceId: string, body: SimulateBody): Promise<{ contact: Contact; synthetic: boolean }> {
  const now = d.deps.clock.now();
  if ('contactId' in body.contact) {
    const row = await d.deps.store.db.selectFrom('contacts').selectAll().where('workspace_id', '=', workspaceId).where('id', '=', body.contact.contactId).executeTakeFirst();
    if (!row) throw new NotFoundError('contact', body.contact.contactId);
    const c = toContact(row);
    // A copy: update_contact nodes change it in memory as the run goes on.
    return { contact: { ...c, attributes: { ...c.attributes } }, synthetic: false };
  }
  const c = body.contact;
  return {
    contact: { id: 'ct_simulated', workspaceId, userId: null, email: c.email ?? null, phone: null, timezone: c.timezone ?? null, locale: c.locale ?? null, attributes: { ...(c.attributes as JsonObject) }, createdAt: now, updatedAt: now },
    synthetic: true,
  };
}

function outputOf(node: JourneyNode | undefined, outcome: string): string | null {
  if (!node || ['failed', 'exited', 'completed', 'waiting', 'errored'].includes(outcome)) return null;
  switch (node.type) {
    case 'wait_for_event':
      return outcome === 'event' || outcome === 'timeout' ? outcome : null;
    case 'branch':
    case 'split':
      return outcome;
    case 'exit':
      return null;
    default:
      return 'next';
  }
}

function localTime(at: number, tz: string): string {
  // sv-SE formats as `2026-03-01 09:00:00`, which reads the same in every UI language.
  return new Intl.DateTimeFormat('sv-SE', { timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' }).format(at);
}

export async function simulateJourney(d: SimulateDeps, workspaceId: string, journeyId: string, body: SimulateBody) {
  const { db } = d.deps.store;
  const journey = await getJourney(db, workspaceId, journeyId);
  if (!journey) throw new NotFoundError('journey', journeyId);
  const version = body.version ?? journey.version;
  const doc: JourneyDocument = await versionDocument(d.deps, workspaceId, journeyId, version);
  const { contact, synthetic } = await loadContact(d, workspaceId, body);
  const tz = zoneFor(contact.timezone, await workspaceZone(db, workspaceId));
  const defaults = await loadMessagingDefaults(db, workspaceId);
  const start = body.start ? (parseIsoTime(body.start) ?? Number.NaN) : d.deps.clock.now();
  const until = start + durationMs(body.until ?? doc.settings?.maxDuration ?? '90d');
  const deadline = start + durationMs(doc.settings?.maxDuration ?? '365d');
  const events = timeline(body.events, start);
  const nodes = nodeIndex(doc);
  const warnings: string[] = [];
  const path: PathEntry[] = [];
  const warn = (w: string) => {
    if (!warnings.includes(w)) warnings.push(w);
  };
  if (synthetic) warn('a typed-in contact has no consent, suppression, event or delivery history: consent is assumed and `performed` conditions see no past events');
  if (doc.settings?.frequencyCap ?? defaults.frequencyCap) warn('frequency caps count real deliveries only: the messages of this simulation do not count towards the cap');

  const run: Run = {
    id: 'run_simulated', workspaceId, journeyId, version, contactId: contact.id, status: 'active', node: doc.start, visit: 0, dueAt: start, wait: null, claimedBy: null, attempts: 0, lastError: null,
    trigger: (body.trigger ?? {}) as JsonObject, event: {}, data: {}, enteredAt: start, endedAt: null, exitReason: null, goalValue: null,
  };
  const entry = (at: number, node: string, type: string, outcome: string, detail: JsonObject | null, extra: Partial<PathEntry> = {}): PathEntry => ({ at, local: localTime(at, tz), node, type, outcome, output: outputOf(nodes.get(node), outcome), detail, ...extra });
  /** The message the previous walk stopped at, attached to its step when the next walk records it. */
  let carry: Pick<PathEntry, 'message'> | null = null;
  const record = (at: number, steps: StepRecord[]) => {
    steps.forEach((s, k) => {
      const e = entry(at, s.nodeId, nodes.get(s.nodeId)?.type ?? 'unknown', s.outcome, s.detail);
      path.push(k === 0 && carry?.message ? { ...e, message: carry.message } : e);
    });
    carry = null;
  };

  let now = start;
  let node: string | null = doc.start;
  let visit = 0;
  let first: NodeResult | null = null;
  let end: { status: string; at: number | null } | null = null;
  const used = new Set<number>();

  /** Moves the clock to `to`, unless a goal or exit event, the maximum duration or `until` comes first. */
  const advance = (to: number): boolean => {
    const hit = interrupt(doc, events, now, Math.min(to, deadline, until));
    if (hit) {
      const value = doc.goal?.valueProperty ? Number(hit.event.properties[doc.goal.valueProperty]) : NaN;
      path.push(entry(hit.event.at, hit.status === 'converted' ? '$goal' : '$exit', hit.status === 'converted' ? 'goal' : 'exit', hit.status, { event: hit.event.name, reason: hit.reason, ...(Number.isFinite(value) ? { value } : {}) }));
      used.add(hit.event.index);
      end = { status: hit.status, at: hit.event.at };
      return false;
    }
    if (to >= deadline && deadline <= until) {
      end = { status: 'timed_out', at: deadline };
      return false;
    }
    if (to > until) {
      end = { status: 'open', at: null };
      return false;
    }
    now = to;
    return true;
  };

  for (let i = 0; i < MAX_WALKS && !end; i++) {
    const ctx: StepContext = { run, contact, doc, now, tz, db, defaults, ...(synthetic ? { optedOut: new Set<string>() } : {}) };
    const res = await walk(ctx, { node, visit }, first, now);
    first = null;
    record(now, res.steps);
    for (const eff of res.effects) if (eff.type === 'set_attributes') Object.assign(contact.attributes, eff.set as JsonObject);

    if (res.send) {
      const send = res.send;
      const sent = await simulateSend({ deps: d.deps, templateCache: d.templateCache, synthetic }, workspaceId, contact, send, { trigger: run.trigger, event: run.event, data: run.data });
      node = send.nodeId;
      visit = send.visit;
      if (sent.status === 'sent') {
        if (sent.note) warn(sent.note);
        first = { kind: 'next', output: 'next', outcome: 'sent', detail: { channel: send.channel, simulated: true } };
        carry = sent.message ? { message: sent.message } : null;
      } else if (sent.status === 'skipped') {
        first = { kind: 'next', output: 'next', outcome: 'skipped', detail: { channel: send.channel, reason: sent.reason } };
      } else {
        first = { kind: 'end', status: 'errored', reason: sent.reason, outcome: 'failed', detail: { channel: send.channel, reason: sent.reason } };
      }
      continue;
    }

    const p = res.patch;
    run.lastError = p.lastError;
    if (p.status !== 'active' && p.status !== 'waiting') {
      end = { status: p.status, at: now };
      break;
    }
    node = p.node;
    visit = p.visit;
    if (p.status === 'active') {
      if (p.lastError?.startsWith('deferred: ')) {
        const reason = p.lastError.slice('deferred: '.length);
        path.push(entry(now, p.node!, nodes.get(p.node!)?.type ?? 'unknown', 'deferred', { reason, until: p.dueAt }));
      }
      advance(p.dueAt ?? now);
      continue;
    }
    // Waiting: the first matching supplied event resumes it along `event`, else it times out.
    const wait = p.wait!;
    const timeoutAt = p.dueAt!;
    const hit: TimedEvent | null = resuming(events, wait, timeoutAt);
    if (!advance(hit ? hit.at : timeoutAt)) break;
    if (hit) {
      used.add(hit.index);
      run.event = hit.properties;
      path.push(entry(now, p.node!, 'wait_for_event', 'event', { event: hit.name }));
      node = edgeTarget(doc, p.node!, 'event');
      visit = p.visit + 1;
      if (node === null) end = { status: 'completed', at: now };
    } else {
      first = { kind: 'next', output: 'timeout', outcome: 'timeout' };
    }
  }
  if (!end) {
    warn(`stopped after ${MAX_WALKS} steps without ending (a loop?)`);
    end = { status: 'open', at: null };
  }
  for (const e of events) if (!used.has(e.index)) warn(`events.${e.index} (${e.name}) changed nothing: no wait was listening for it and it is no goal or exit event at that time`);
  const finished = end as { status: string; at: number | null };
  if (finished.status === 'open') warn(`the run was still open at the end of the simulated window (${body.until ?? doc.settings?.maxDuration ?? '90d'})`);
  return { journeyId, version, contactId: contact.id, timezone: tz, start, until, path, endedAt: finished.at, endStatus: finished.status, warnings };
}
