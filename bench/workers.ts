/**
 * @module Workers that scale (issue 23): the journeys load of bench/journeys.ts (delay → counting
 * message → exit, 3 steps per run) worked off by 1, 2 and 4 real `qatra worker` processes (the CLI,
 * as test/faults/ starts it) on one fresh PostgreSQL database each time. PostgreSQL only: SQLite has
 * one writer by design. Without QATRA_BENCH_DATABASE_URL or QATRA_TEST_DATABASE_URL it prints one
 * line saying so and skips.
 *
 * Each round seeds the runs due in a day, starts the workers, waits until every one says it is
 * running, then makes every run due at once and times until none is open. Figures (one JSON line
 * each, baseline = the 1-worker round, ratio = value / baseline):
 *  - steps_per_s_<n>_workers;
 *  - db_cpu_ms_per_1000_steps_<n>_workers: CPU of the database's server processes serving this
 *    database (the backends of pg_stat_activity for it, read from /proc/<pid>/stat before and after;
 *    pg_stat_statements is not preloaded on this server, and the shared background processes —
 *    WAL writer, checkpointer — are left out because other databases share them);
 *  - worker_cpu_ms_per_1000_steps_<n>_workers: the worker processes' own CPU;
 *  - duplicates_<n>_workers: provider calls beyond one per (run, message step), counted in
 *    channel_counting_sends, plus step rows beyond one per (run, node, visit): must be 0.
 * `QATRA_BENCH_WORKER_RUNS` overrides the runs per round (default 20,000; --size large 100,000);
 * `--workers 1,2,4` the counts.
 */
import fs from 'node:fs';
import { sql } from 'kysely';
import { systemClock } from '../src/core/clock.js';
import { createWorkspace } from '../src/workspaces/workspaces.js';
import { applyJourney } from '../src/journeys/journeys.js';
import { defaultSignals } from '../src/server/signal-sinks.js';
import { freshDatabase, type TestDatabase } from '../test/backends.js';
import { spawnCli, type Child } from '../test/process.js';
import { figure, type Bench } from './run.js';
import { journey, seed } from './journeys.js';

const TICKS_PER_S = 100; // USER_HZ on Linux

/** CPU ms of a process from /proc (utime + stime), or 0 when it is gone or not readable. */
function cpuMsOf(pid: number): number {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_S;
  } catch {
    return 0;
  }
}

async function backendPids(db: TestDatabase): Promise<number[]> {
  const rows = await sql<{ pid: number }>`SELECT pid FROM pg_stat_activity WHERE datname = current_database()`.execute(db.store.db);
  return rows.rows.map((r) => Number(r.pid));
}

async function openRuns(db: TestDatabase): Promise<number> {
  const r = await sql<{ n: string }>`SELECT count(*) AS n FROM journey_runs WHERE ended_at IS NULL`.execute(db.store.db);
  return Number(r.rows[0]!.n);
}

async function duplicates(db: TestDatabase): Promise<number> {
  const sends = await sql<{ n: string; keys: string }>`SELECT count(*) AS n, count(DISTINCT idempotency_key) AS keys FROM channel_counting_sends`.execute(db.store.db);
  const steps = await sql<{ n: string; keys: string }>`SELECT count(*) AS n, count(DISTINCT (run_id, node_id, visit)) AS keys FROM journey_steps`.execute(db.store.db);
  return Number(sends.rows[0]!.n) - Number(sends.rows[0]!.keys) + Number(steps.rows[0]!.n) - Number(steps.rows[0]!.keys);
}

interface Round {
  stepsPerS: number;
  dbCpuPer1000: number;
  workerCpuPer1000: number;
  duplicates: number;
}

async function round(workers: number, runs: number): Promise<Round> {
  const db = await freshDatabase('postgres', { pgPoolMax: 4 });
  const children: Child[] = [];
  try {
    const deps = { store: db.store, signals: defaultSignals(db.store), clock: systemClock };
    const ws = (await createWorkspace(deps, { name: 'workers' })).id;
    await applyJourney(deps, ws, journey('load'));
    const later = Date.now() + 86_400_000;
    await seed(db.store, ws, 'load', runs, 'd1', 'active', () => later);
    for (let i = 0; i < workers; i++) {
      children.push(spawnCli(['worker'], { DATABASE_URL: db.url, QATRA_WORKER_POLL_MS: '50', QATRA_PG_POOL_MAX: '4', LOG_LEVEL: 'warn' }));
    }
    // Starting is slow on a loaded machine (tsx compiles the CLI in each process).
    for (const c of children) await c.waitFor(/worker running/, 600_000);
    // Let the workers settle (their first ticks of every task) before the clock starts.
    await new Promise((r) => setTimeout(r, 1000));
    const pids0 = await backendPids(db);
    const db0 = new Map(pids0.map((p) => [p, cpuMsOf(p)]));
    const w0 = children.map((c) => cpuMsOf(c.proc.pid!));
    const started = performance.now();
    await sql`UPDATE journey_runs SET due_at = ${Date.now()}`.execute(db.store.db);
    while ((await openRuns(db)) > 0) await new Promise((r) => setTimeout(r, 100));
    const elapsed = (performance.now() - started) / 1000;
    const pids1 = await backendPids(db);
    let dbCpu = 0;
    for (const p of new Set([...pids0, ...pids1])) dbCpu += cpuMsOf(p) - (db0.get(p) ?? 0);
    const workerCpu = children.reduce((sum, c, i) => sum + cpuMsOf(c.proc.pid!) - w0[i]!, 0);
    const steps = 3 * runs;
    return { stepsPerS: steps / elapsed, dbCpuPer1000: (dbCpu / steps) * 1000, workerCpuPer1000: (workerCpu / steps) * 1000, duplicates: await duplicates(db) };
  } finally {
    for (const c of children) {
      if (c.proc.exitCode === null && c.proc.signalCode === null) c.proc.kill('SIGTERM');
      await c.exited();
    }
    await db.drop();
  }
}

export const run: Bench = async (ctx) => {
  if (!process.env.QATRA_BENCH_DATABASE_URL && !process.env.QATRA_TEST_DATABASE_URL) {
    console.log('[workers] skipped: PostgreSQL only; set QATRA_BENCH_DATABASE_URL or QATRA_TEST_DATABASE_URL');
    return;
  }
  const runs = Number(process.env.QATRA_BENCH_WORKER_RUNS ?? (ctx.size === 'large' ? 100_000 : 20_000));
  const counts = (ctx.options.workers ?? '1,2,4').split(',').map(Number);
  let base: Round | null = null;
  for (const n of counts) {
    const r = await round(n, runs);
    base ??= r;
    const emit = (name: string, value: number, unit: string, baseline?: number) => ctx.emit(figure({ bench: 'workers', backend: 'postgres', figure: `${name}_${n}_workers`, value, unit, baseline }));
    emit('steps_per_s', r.stepsPerS, 'steps/s', base.stepsPerS);
    emit('db_cpu_ms_per_1000_steps', r.dbCpuPer1000, 'cpu-ms', base.dbCpuPer1000);
    emit('worker_cpu_ms_per_1000_steps', r.workerCpuPer1000, 'cpu-ms', base.workerCpuPer1000);
    emit('duplicates', r.duplicates, 'count');
  }
};
