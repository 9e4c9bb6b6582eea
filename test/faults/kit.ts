/**
 * @module What the fault tests share: a database with one workspace whose email goes over real SMTP
 * to a counting sink, two marketing templates and a two-email journey; bulk contacts; real `qatra`
 * processes (`worker`, `start`) pointed at it with short leases; and polling helpers.
 *
 * Sizes come from the environment so the suite can be shortened (QATRA_FAULT_SCALE, default 1,
 * multiplies every size; each test also reads its own variable).
 */
import { ManualClock } from '../../src/core/clock.js';
import type { AppDeps } from '../../src/core/app-deps.js';
import { saveTemplates } from '../../src/templates/service.js';
import { applyJourney } from '../../src/journeys/journeys.js';
import { enrollContacts } from '../../src/journeys/runtime/manual.js';
import { JourneyCatalog } from '../../src/journeys/runtime/catalog.js';
import { newId } from '../../src/core/ids.js';
import { toJson } from '../../src/core/json.js';
import type { DialectName } from '../../src/store/store.js';
import { freshDatabase, type TestDatabase } from '../backends.js';
import { databaseEnv } from '../cli.js';
import { spawnCli, type Child } from '../process.js';
import { startCountingSink, type CountingSink } from './counting-sink.js';
import { quietDeps, sinkWorkspace } from '../sink-workspace.js';

export const SCALE = Number(process.env.QATRA_FAULT_SCALE ?? 1);

/** A size from `name` in the environment, else `fallback` × QATRA_FAULT_SCALE. */
export function size(name: string, fallback: number): number {
  const v = process.env[name];
  return v ? Number(v) : Math.max(1, Math.round(fallback * SCALE));
}

export const PUBLIC_URL = 'https://q.example.com';

export interface FaultWorld {
  kind: DialectName;
  db: TestDatabase;
  deps: AppDeps;
  sink: CountingSink;
  workspaceId: string;
  adminKey: string;
  writeKey: string;
  /** Environment for `qatra worker` / `qatra start` children on this database. */
  env(extra?: Record<string, string>): Record<string, string>;
  close(): Promise<void>;
}

const body = (n: number) => `<html><body><p>Email ${n} for {{ contact.email }}</p><p><a href="{{ unsubscribe_url }}">Unsubscribe</a></p><p>{{ workspace.postal_address }}</p></body></html>`;

export async function faultWorld(kind: DialectName, options: { baseUrl?: string } = {}): Promise<FaultWorld> {
  const db = await freshDatabase(kind, { baseUrl: options.baseUrl, pgPoolMax: 4 });
  const deps = quietDeps(db.store);
  const sink = await startCountingSink();
  const ws = await sinkWorkspace(deps, 'faults', sink.port, { tracking: false });
  await saveTemplates(
    deps,
    ws.workspaceId,
    [1, 2].map((n) => ({ id: `mail-${n}`, name: `Mail ${n}`, kind: 'marketing' as const, content: { subject: `Email ${n}`, body: body(n) } })),
    'upsert',
  );
  return {
    kind,
    db,
    deps,
    sink,
    ...ws,
    env: (extra = {}) => ({
      ...databaseEnv(kind, db),
      QATRA_PUBLIC_URL: PUBLIC_URL,
      // The workspace's SMTP sink listens on 127.0.0.1: the operator allows private targets.
      QATRA_ALLOW_PRIVATE_OUTBOUND: '1',
      QATRA_WORKER_LEASE_MS: '10000',
      QATRA_SEND_LEASE_MS: '10000',
      QATRA_RETRY_BASE_MS: '500',
      QATRA_WORKER_POLL_MS: '50',
      QATRA_SHUTDOWN_TIMEOUT_MS: '10000',
      LOG_LEVEL: 'warn',
      ...extra,
    }),
    async close() {
      await sink.close();
      await db.drop();
    },
  };
}

/** Inserts `n` contacts with addresses `<prefix><i>@example.org` in 1,000-row statements; returns their ids. */
export async function addContacts(w: FaultWorld, n: number, prefix = 'c'): Promise<string[]> {
  const now = Date.now();
  const ids: string[] = [];
  const rows = Array.from({ length: n }, (_, i) => {
    const id = newId('ct', now);
    ids.push(id);
    return {
      id,
      workspace_id: w.workspaceId,
      user_id: `${prefix}${i}`,
      email: `${prefix}${i}@example.org`,
      phone: null,
      timezone: null,
      locale: null,
      attributes: toJson({}),
      created_at: now,
      updated_at: now,
    };
  });
  for (let i = 0; i < rows.length; i += 1000)
    await w.deps.store.db
      .insertInto('contacts')
      .values(rows.slice(i, i + 1000))
      .execute();
  return ids;
}

/** A live manual journey: email mail-1 → (optional delay) → email mail-2 → exit (or mail-1 only); enrols `contactIds`. */
export async function twoEmailJourney(w: FaultWorld, id: string, contactIds: string[], options: { delay?: string; emails?: 1 | 2 } = {}): Promise<void> {
  const nodes = [
    { id: 'm1', type: 'message', channel: 'email', template: 'mail-1' },
    ...(options.delay ? [{ id: 'wait', type: 'delay', duration: options.delay }] : []),
    ...(options.emails === 1 ? [] : [{ id: 'm2', type: 'message', channel: 'email', template: 'mail-2' }]),
    { id: 'done', type: 'exit' },
  ];
  const order = nodes.map((n) => n.id);
  const edges = order.slice(1).map((to, i) => ({ from: order[i]!, to }));
  const deps = { ...w.deps, templateExists: async () => true };
  await applyJourney(deps, w.workspaceId, { id, name: id, status: 'live', trigger: { type: 'manual' }, start: 'm1', nodes, edges });
  const catalog = new JourneyCatalog();
  for (let i = 0; i < contactIds.length; i += 2000) {
    const report = await enrollContacts({ ...w.deps, clock: new ManualClock(Date.now()) }, catalog, w.workspaceId, id, { contactIds: contactIds.slice(i, i + 2000) });
    if (report.enrolled.length !== Math.min(2000, contactIds.length - i)) throw new Error(`enrolment skipped some: ${JSON.stringify(report.skipped.slice(0, 3))}`);
  }
}

export function spawnWorker(w: FaultWorld, extra: Record<string, string> = {}): Child {
  return spawnCli(['worker'], w.env(extra));
}

export async function stopChild(c: Child, signal: NodeJS.Signals = 'SIGTERM'): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (c.proc.exitCode !== null || c.proc.signalCode !== null) return c.exited();
  c.proc.kill(signal);
  return c.exited();
}

export async function waitUntil(what: string, check: () => Promise<boolean>, timeoutMs: number, everyMs = 250): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export async function runCounts(w: FaultWorld, journeyId: string): Promise<{ open: number; completed: number; other: number }> {
  const rows = await w.deps.store.db
    .selectFrom('journey_runs')
    .select(['status', (eb) => eb.fn.countAll().as('n')])
    .where('workspace_id', '=', w.workspaceId)
    .where('journey_id', '=', journeyId)
    .groupBy('status')
    .execute();
  const by = Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
  const completed = by.completed ?? 0;
  const open = (by.active ?? 0) + (by.waiting ?? 0);
  const other = Object.entries(by)
    .filter(([k]) => !['completed', 'active', 'waiting'].includes(k))
    .reduce((a, [, n]) => a + n, 0);
  return { open, completed, other };
}

export const randomBetween = (lo: number, hi: number) => lo + Math.random() * (hi - lo);
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
