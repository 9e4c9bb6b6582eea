/**
 * @module Backlog gauges, read from the database when /metrics is scraped: how much work is due and
 * how late the oldest due item is. These are what an operator alerts on ("journeys are running 10
 * minutes late: add a worker"), and they are right whichever process did the work, because they come
 * from the shared database rather than from one process's counters. Each query range-scans a partial
 * index (journey_runs_due, messages_retry_due) or the inbox's primary key.
 */
import { Gauge } from 'prom-client';
import { sql } from 'kysely';
import type { Clock } from '../core/clock.js';
import type { Store } from '../store/store.js';
import type { Metrics } from './metrics.js';

interface Backlog {
  dueRuns: number;
  oldestDueAt: number | null;
  inbox: number;
  oldestInboxAt: number | null;
  retries: number;
}

async function readBacklog(store: Store, now: number): Promise<Backlog> {
  const runs = await sql<{ n: number | string; oldest: number | string | null }>`SELECT count(*) AS n, min(due_at) AS oldest FROM journey_runs WHERE due_at <= ${now}`.execute(store.db);
  const inbox = await sql<{ n: number | string; oldest: number | string | null }>`SELECT count(*) AS n, min(created_at) AS oldest FROM journey_inbox`.execute(store.db);
  const retries = await sql<{ n: number | string }>`SELECT count(*) AS n FROM messages WHERE retry_at <= ${now}`.execute(store.db);
  const num = (v: number | string | null | undefined) => (v === null || v === undefined ? null : Number(v));
  return {
    dueRuns: num(runs.rows[0]?.n) ?? 0,
    oldestDueAt: num(runs.rows[0]?.oldest),
    inbox: num(inbox.rows[0]?.n) ?? 0,
    oldestInboxAt: num(inbox.rows[0]?.oldest),
    retries: num(retries.rows[0]?.n) ?? 0,
  };
}

/**
 * Registers the gauges on the metrics' registry and returns `refresh`, which reads the backlog once
 * and sets them all; the /metrics route calls it before rendering (one read per scrape).
 */
export function registerBacklogGauges(metrics: Metrics, store: Store, clock: Clock): () => Promise<void> {
  const gauge = (name: string, help: string) => (metrics.registry.getSingleMetric(name) as Gauge | undefined) ?? new Gauge({ name, help, registers: [metrics.registry] });
  const dueRuns = gauge('qatra_journey_runs_due', 'Journey runs whose next step is due now');
  const lag = gauge('qatra_journey_lag_seconds', 'How late the oldest due journey step is (0 when none is due)');
  const inbox = gauge('qatra_journey_inbox_pending', 'Signals (events, list joins…) waiting for the journey engine');
  const inboxLag = gauge('qatra_journey_inbox_lag_seconds', 'Age of the oldest signal waiting for the journey engine');
  const retries = gauge('qatra_message_retries_due', 'Transactional sends waiting for their retry now');
  const age = (now: number, since: number | null) => (since === null ? 0 : Math.max(0, now - since) / 1000);
  return async () => {
    const now = clock.now();
    const b = await readBacklog(store, now);
    dueRuns.set(b.dueRuns);
    lag.set(age(now, b.oldestDueAt));
    inbox.set(b.inbox);
    inboxLag.set(age(now, b.oldestInboxAt));
    retries.set(b.retries);
  };
}
