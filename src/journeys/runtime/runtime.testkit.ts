/**
 * @module Test support for the journey runtime (not a test itself): a harness with a tenant, a
 * runtime whose worker the test drives with a manual clock, and small helpers to apply live
 * journeys, create contacts, track events through the real /v1 API and read runs and steps.
 */
import pino from 'pino';
import { createHarness, type Harness, type Tenant } from '../../../test/harness.js';
import type { DialectName } from '../../store/store.js';
import { Worker } from '../../worker/worker.js';
import { applyJourney, setStatus } from '../journeys.js';
import { createContact } from '../../contacts/contacts.js';
import type { Contact } from '../../contacts/contact.js';
import { fromJson } from '../../core/json.js';
import { createRuntime, type JourneyRuntime } from './runtime.js';
import { type RetryOptions } from '../../core/retry.js';
import { journeyTask } from './scheduler.js';
import { toRun, type Run } from './run.js';
import type { Config } from '../../config/config.js';

export interface RuntimeFixture {
  h: Harness;
  t: Tenant;
  rt: JourneyRuntime;
  worker: Worker;
  live(doc: Record<string, unknown>): Promise<number>;
  pause(id: string): Promise<void>;
  resume(id: string): Promise<void>;
  contact(input: { userId: string; email?: string; timezone?: string; attributes?: Record<string, unknown> }): Promise<Contact>;
  track(userId: string, event: string, properties?: Record<string, unknown>): Promise<void>;
  runs(journeyId: string): Promise<Run[]>;
  steps(runId: string): Promise<{ node: string; visit: number; outcome: string; detail: Record<string, unknown> | null; executedAt: number }[]>;
  /** Moves the clock and runs the worker until idle. */
  advance(ms: number): Promise<number>;
  close(): Promise<void>;
}

export const FAST_RETRY: RetryOptions = { maxAttempts: 3, baseBackoffMs: 60_000, maxBackoffMs: 3_600_000 };

export async function runtimeFixture(kind: DialectName, options: { retry?: RetryOptions; config?: Partial<Config> } = {}): Promise<RuntimeFixture> {
  const h = await createHarness(kind, options.config);
  const t = await h.tenant();
  const rt = createRuntime(h.deps, { retry: options.retry ?? FAST_RETRY });
  const worker = new Worker([journeyTask(rt)], { pollIntervalMs: 10, shutdownTimeoutMs: 1000, log: pino({ level: 'silent' }) });
  let seq = 0;
  const f: RuntimeFixture = {
    h,
    t,
    rt,
    worker,
    async live(doc) {
      const r = await applyJourney(h.deps, t.workspaceId, { status: 'live', ...doc });
      return r.version;
    },
    async pause(id) {
      await setStatus(h.deps, t.workspaceId, id, 'paused');
    },
    async resume(id) {
      await setStatus(h.deps, t.workspaceId, id, 'live');
    },
    contact: (input) => createContact(h.deps, t.workspaceId, input as Parameters<typeof createContact>[2]),
    async track(userId, event, properties = {}) {
      const res = await h.app.inject({ method: 'POST', url: '/v1/track', headers: t.write, payload: { userId, event, properties, messageId: `m-${++seq}-${Date.now()}` } });
      if (res.statusCode !== 200) throw new Error(`track failed: ${res.statusCode} ${res.body}`);
    },
    async runs(journeyId) {
      const rows = await h.deps.store.db
        .selectFrom('journey_runs')
        .selectAll()
        .where('workspace_id', '=', t.workspaceId)
        .where('journey_id', '=', journeyId)
        .orderBy('entered_at')
        .orderBy('id')
        .execute();
      return rows.map(toRun);
    },
    async steps(runId) {
      const rows = await h.deps.store.db.selectFrom('journey_steps').selectAll().where('run_id', '=', runId).orderBy('visit').orderBy('id').execute();
      return rows.map((r) => ({ node: r.node_id, visit: Number(r.visit), outcome: r.outcome, detail: fromJson<Record<string, unknown> | null>(r.detail), executedAt: Number(r.executed_at) }));
    },
    async advance(ms) {
      h.clock.advance(ms);
      return worker.drain();
    },
    async close() {
      await h.close();
    },
  };
  return f;
}

/** A journey `id`: three counting messages in a row, then exit, triggered by `go-<id>`; `settings` as given. */
export function threeMessageSeries(id: string, settings: Record<string, unknown> = {}, kind: 'marketing' | 'transactional' = 'marketing') {
  return {
    id,
    name: id,
    trigger: { type: 'event', event: `go-${id}` },
    start: 'm1',
    nodes: [
      { id: 'm1', type: 'message', channel: 'counting', kind },
      { id: 'm2', type: 'message', channel: 'counting', kind },
      { id: 'm3', type: 'message', channel: 'counting', kind },
      { id: 'done', type: 'exit' },
    ],
    edges: [
      { from: 'm1', to: 'm2' },
      { from: 'm2', to: 'm3' },
      { from: 'm3', to: 'done' },
    ],
    settings,
  };
}
