/**
 * @module Simulation: one contact through one journey version on a virtual clock, sending nothing and
 * writing nothing. It drives the runtime's own interpreter (../runtime/walk.ts and the node executors
 * in ../runtime/nodes/) exactly as the scheduler does (../runtime/process-runs.ts), but between walks
 * it moves the clock itself: to a delay's end, to a deferral's end (quiet hours, send-time), or to
 * the supplied event that resumes a wait. Executors only read the database (consent, frequency caps,
 * promoted variants, `performed` conditions); their effects (update_contact) are applied to the
 * in-memory contact only. Messages are rendered with the real renderers (./render.ts).
 */
import { pageTriggerMatches } from '../definition/page-trigger.js';
import type { AppDeps } from '../../core/app-deps.js';
import { parseIsoTime } from '../../core/iso-time.js';
import { toContact, type Contact } from '../../contacts/contact.js';
import { NotFoundError } from '../../core/errors.js';
import type { JsonObject } from '../../core/json.js';
import type { TemplateCache } from '../../templates/cache.js';
import type { JourneyDocument } from '../definition/schema.js';
import { getJourney, versionDocument } from '../journeys.js';
import { workspaceZone } from '../../workspaces/workspaces.js';
import { loadMessagingDefaults } from '../../workspaces/messaging.js';
import { durationMs } from '../../core/duration.js';
import type { Run } from '../runtime/run.js';
import type { NodeResult, StepContext } from '../runtime/step.js';
import { zoneFor } from '../../core/local-time.js';
import { edgeTarget, nodeIndex, walk, type PendingSend, type RunPatch } from '../runtime/walk.js';
import { resuming, timeline, type TimedEvent } from './events.js';
import { simulateSend, type SimulatedSend } from './render.js';
import type { SimulateBody } from './schemas.js';
import { Simulation, type SimulationEnd } from './simulation.js';

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
    contact: {
      id: 'ct_simulated',
      workspaceId,
      userId: null,
      email: c.email ?? null,
      phone: null,
      timezone: c.timezone ?? null,
      locale: c.locale ?? null,
      attributes: { ...(c.attributes as JsonObject) },
      createdAt: now,
      updatedAt: now,
    },
    synthetic: true,
  };
}

/** The supplied events this simulation may use, resolved against its start. */
interface Window {
  start: number;
  until: number;
  deadline: number;
  events: TimedEvent[];
}

function windowOf(doc: JourneyDocument, body: SimulateBody, now: number): Window {
  const start = body.start ? (parseIsoTime(body.start) ?? Number.NaN) : now;
  return {
    start,
    until: start + durationMs(body.until ?? doc.settings?.maxDuration ?? '90d'),
    deadline: start + durationMs(doc.settings?.maxDuration ?? '365d'),
    events: timeline(body.events, start),
  };
}

/** Where the run goes after its message was simulated: the next walk starts with this result. */
function afterSend(sim: Simulation, sent: SimulatedSend, send: PendingSend): NodeResult {
  if (sent.status === 'sent') {
    if (sent.note) sim.warn(sent.note);
    sim.carryMessage(sent.message);
    return { kind: 'next', output: 'next', outcome: 'sent', detail: { channel: send.channel, simulated: true } };
  }
  if (sent.status === 'skipped') return { kind: 'next', output: 'next', outcome: 'skipped', detail: { channel: send.channel, reason: sent.reason } };
  return { kind: 'end', status: 'errored', reason: sent.reason, outcome: 'failed', detail: { channel: send.channel, reason: sent.reason } };
}

/** A waiting run: the first matching supplied event resumes it along `event`, else it times out. */
function afterWait(sim: Simulation, doc: JourneyDocument, run: Run, patch: RunPatch, events: readonly TimedEvent[]): { node: string | null; visit: number; first: NodeResult | null } | null {
  const hit = resuming(events, patch.wait!, patch.dueAt!);
  if (!sim.advance(hit ? hit.at : patch.dueAt!)) return null;
  if (!hit) return { node: patch.node, visit: patch.visit, first: { kind: 'next', output: 'timeout', outcome: 'timeout' } };
  sim.used.add(hit.index);
  run.event = hit.properties;
  sim.path.push(sim.entry(sim.now, patch.node!, 'wait_for_event', 'event', { event: hit.name }));
  const node = edgeTarget(doc, patch.node!, 'event');
  if (node === null) sim.end = { status: 'completed', at: sim.now };
  return { node, visit: patch.visit + 1, first: null };
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
  const w = windowOf(doc, body, d.deps.clock.now());
  const sim = new Simulation(doc, nodeIndex(doc), tz, w.events, w.start, w.deadline, w.until);
  if (synthetic) sim.warn('a typed-in contact has no consent, suppression, event or delivery history: consent is assumed and `performed` conditions see no past events');
  if (doc.trigger.type === 'page_view' && !pageTriggerMatches(doc.trigger, { type: 'page', properties: (body.trigger ?? {}) as JsonObject }))
    sim.warn(`trigger: a page view with these properties (url, path, …) does not match "${doc.trigger.url}" or its filters, so it would start no run; the walk below assumes one that does`);
  if (doc.settings?.frequencyCap ?? defaults.frequencyCap) sim.warn('frequency caps count real deliveries only: the messages of this simulation do not count towards the cap');

  const run: Run = {
    id: 'run_simulated',
    workspaceId,
    journeyId,
    version,
    contactId: contact.id,
    status: 'active',
    node: doc.start,
    visit: 0,
    dueAt: w.start,
    wait: null,
    claimedBy: null,
    attempts: 0,
    lastError: null,
    trigger: (body.trigger ?? {}) as JsonObject,
    event: {},
    data: {},
    enteredAt: w.start,
    endedAt: null,
    exitReason: null,
    goalValue: null,
  };
  let node: string | null = doc.start;
  let visit = 0;
  let first: NodeResult | null = null;
  for (let i = 0; i < MAX_WALKS && !sim.end; i++) {
    const ctx: StepContext = { run, contact, doc, now: sim.now, tz, db, defaults, ...(synthetic ? { optedOut: new Set<string>() } : {}) };
    const res = await walk(ctx, { node, visit }, first, sim.now);
    first = null;
    sim.record(res.steps);
    for (const eff of res.effects) if (eff.type === 'set_attributes') Object.assign(contact.attributes, eff.set as JsonObject);
    if (res.send) {
      const sent = await simulateSend({ deps: d.deps, templateCache: d.templateCache, synthetic }, workspaceId, contact, res.send, { trigger: run.trigger, event: run.event, data: run.data });
      ({ nodeId: node, visit } = res.send);
      first = afterSend(sim, sent, res.send);
      continue;
    }
    const p = res.patch;
    run.lastError = p.lastError;
    if (p.status !== 'active' && p.status !== 'waiting') {
      sim.end = { status: p.status, at: sim.now };
      break;
    }
    node = p.node;
    visit = p.visit;
    if (p.status === 'active') {
      if (p.lastError?.startsWith('deferred: ')) sim.path.push(sim.entry(sim.now, p.node!, sim.typeOf(p.node!), 'deferred', { reason: p.lastError.slice('deferred: '.length), until: p.dueAt }));
      sim.advance(p.dueAt ?? sim.now);
      continue;
    }
    const next = afterWait(sim, doc, run, p, w.events);
    if (!next) break;
    ({ node, visit, first } = next);
  }
  if (!sim.end) {
    sim.warn(`stopped after ${MAX_WALKS} steps without ending (a loop?)`);
    sim.end = { status: 'open', at: null };
  }
  for (const e of w.events) if (!sim.used.has(e.index)) sim.warn(`events.${e.index} (${e.name}) changed nothing: no wait was listening for it and it is no goal or exit event at that time`);
  const finished: SimulationEnd = sim.end;
  if (finished.status === 'open') sim.warn(`the run was still open at the end of the simulated window (${body.until ?? doc.settings?.maxDuration ?? '90d'})`);
  const { start, until } = w;
  const { path, warnings } = sim;
  return { journeyId, version, contactId: contact.id, timezone: tz, start, until, path, endedAt: finished.at, endStatus: finished.status, warnings };
}
