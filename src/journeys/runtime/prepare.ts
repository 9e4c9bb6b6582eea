/**
 * @module Preparing a claimed batch of runs (step 2 of ./process-runs.ts): read what every walk
 * needs once per batch (contacts, each workspace's zone and messaging defaults, channel opt-outs),
 * pick the document each run continues on, and walk it in memory until it waits, ends, or reaches
 * a message. Nothing is written here.
 */
import type { JourneyDocument } from '../definition/schema.js';
import type { Contact } from '../../contacts/contact.js';
import { loadContacts } from '../../contacts/load.js';
import type { JourneyState } from './catalog.js';
import type { Run } from './run.js';
import { ended, walk, type WalkResult } from './walk.js';
import { durationMs } from '../../core/duration.js';
import { zoneFor } from '../../core/local-time.js';
import { loadSendContext, type MessagingDefaults } from '../../workspaces/messaging.js';
import { unsubscribedChannels } from '../../guards/guards.js';
import type { JourneyRuntime } from './runtime.js';
import type { StepContext } from './step.js';

export interface Prepared {
  run: Run;
  /** Null when the run stops before its walk (document gone, contact deleted, past its maximum duration). */
  ctx: StepContext | null;
  /** The journey version the run continues on. */
  version: number;
  result: WalkResult;
}

/** Each journey's state, read once per batch however many of its runs the batch holds. */
type JourneyStates = Map<string, Promise<JourneyState | null>>;

/** What one run's walk reads besides the run itself, shared across the batch. */
interface WalkInputs {
  contact: Contact | undefined;
  optedOut: ReadonlySet<string>;
  /** The workspace's time zone, for contacts without one. */
  timezone: string;
  defaults: MessagingDefaults;
  now: number;
  states: JourneyStates;
}

/** Picks the document a run continues on: a newer live version when its node still exists there. */
async function resolveDocument(rt: JourneyRuntime, run: Run, states: JourneyStates): Promise<{ doc: JourneyDocument; version: number } | null> {
  const db = rt.store.db;
  const key = `${run.workspaceId}\u0000${run.journeyId}`;
  if (!states.has(key)) states.set(key, rt.catalog.state(db, run.workspaceId, run.journeyId));
  const state = await states.get(key)!;
  if (state && state.status === 'live' && state.currentVersion > run.version) {
    const newer = await rt.catalog.version(db, run.workspaceId, run.journeyId, state.currentVersion);
    if (newer && (run.node === null || newer.nodes.some((n) => n.id === run.node))) return { doc: newer, version: state.currentVersion };
  }
  const own = await rt.catalog.version(db, run.workspaceId, run.journeyId, run.version);
  return own ? { doc: own, version: run.version } : null;
}

async function prepareRun(rt: JourneyRuntime, run: Run, inputs: WalkInputs): Promise<Prepared> {
  const { contact, now } = inputs;
  const resolved = await resolveDocument(rt, run, inputs.states);
  const stop = (status: 'exited' | 'errored' | 'timed_out', reason: string): Prepared => ({
    run,
    ctx: null,
    version: run.version,
    result: { steps: [], effects: [], send: null, patch: ended(status, reason, now, run.node, run.visit) },
  });
  if (!resolved) return stop('errored', `journey ${run.journeyId} version ${run.version} not found`);
  if (!contact) return stop('exited', 'contact_deleted');
  const deadline = run.enteredAt + durationMs(resolved.doc.settings?.maxDuration ?? '365d');
  if (now >= deadline) return stop('timed_out', 'max_duration');
  const ctx: StepContext = {
    run,
    contact,
    doc: resolved.doc,
    now,
    tz: zoneFor(contact.timezone, inputs.timezone),
    db: rt.store.db,
    optedOut: inputs.optedOut,
    defaults: inputs.defaults,
  };
  // A claimed waiting run has reached its timeout: the wait node resolves along `timeout`.
  const first = run.wait ? ({ kind: 'next', output: 'timeout', outcome: 'timeout' } as const) : null;
  try {
    const result = await walk(ctx, { node: run.node, visit: run.visit }, first, run.dueAt);
    // Nothing waits past the maximum duration: the run wakes then, and times out.
    if (result.patch.dueAt !== null && result.patch.dueAt > deadline) result.patch.dueAt = deadline;
    return { run, ctx, version: resolved.version, result };
  } catch (err) {
    return stop('errored', `step failed: ${(err as Error).message}`);
  }
}

/** Walks every run of a claimed batch, in claim order. */
export async function prepareBatch(rt: JourneyRuntime, runs: readonly Run[], now: number): Promise<Prepared[]> {
  const contacts = await loadContacts(
    rt.store.db,
    runs.map((r) => r.contactId),
  );
  const sendContexts = new Map<string, { timezone: string; defaults: MessagingDefaults }>();
  // One query per workspace for both its zone and its defaults.
  for (const ws of new Set(runs.map((r) => r.workspaceId))) sendContexts.set(ws, await loadSendContext(rt.store.db, ws));
  const optedOut = await unsubscribedChannels(rt.store.db, [...contacts.keys()]);
  const states: JourneyStates = new Map();
  const none: ReadonlySet<string> = new Set();
  const prepared: Prepared[] = [];
  for (const run of runs) {
    const { timezone, defaults } = sendContexts.get(run.workspaceId)!;
    prepared.push(await prepareRun(rt, run, { contact: contacts.get(run.contactId), optedOut: optedOut.get(run.contactId) ?? none, timezone, defaults, now, states }));
  }
  return prepared;
}
