/**
 * @module Insights benchmark (`npm run bench -- insights [--size large] [--contacts N]`): plants the
 * insights workspace (src/insights/planted.testkit.ts: 42 days, a bounce spike at one domain from
 * day 20) on each backend, ANALYZEs, then runs each figure group on it. Sizes: small (3,000
 * contacts) on SQLite and PostgreSQL; `--size large` plants 1M contacts / ≈10M events on PostgreSQL
 * (SQLite keeps the small size). `--contacts N` overrides the count (to extrapolate on a busy machine).
 *
 * Figure groups (add one to `groups`; each gets the planted store and emits its own figures):
 *  - anomalies: the daily scan the worker runs (one day, day 20, found and drilled down), the
 *    backfill of 28 days (days 14–41), the daily workspace series over 42 days, and whether the
 *    planted spike was found on day 20 at the planted domain (1/0: a bench that got faster by
 *    finding nothing is no gain).
 *  - correlations: the correlation finder for purchases in the last 30 days (the clock at the
 *    planted end), and whether it reports the planted attribute significant and the null one not (1/0).
 *  - predictions: training both models (features at three cuts, two fits, the held-out evaluation,
 *    every contact's scores stored) and the conversion model's held-out AUC. The planted 42 days put
 *    the training cut before the first event, so the model learns from attributes alone and its AUC
 *    stays near the 0.6 a single 2× attribute allows: the figure here is the time; the AUC proof is
 *    src/insights/predict.test.ts.
 * Every group ends with the process's peak RSS so far (`peak_rss_mb`). Timed figures carry a
 * `baseline`: one bare scan of the same window's messages and events (`bareScanMs`), and `ratio` =
 * time / baseline.
 */
import { sql } from 'kysely';
import { freshDatabase } from '../test/backends.js';
import type { DialectName, Store } from '../src/store/store.js';
import { generatePlanted, plantedSize, PLANTED, DAY_MS, type PlantedWorkspace } from '../src/insights/planted.testkit.js';
import { findWorkspaceAnomalies } from '../src/insights/find.js';
import { series } from '../src/insights/series.js';
import { ManualClock } from '../src/core/clock.js';
import { findCorrelations } from '../src/insights/correlations.js';
import { trainWorkspace } from '../src/insights/predict.js';
import { benchBackends, figure, type Bench, type BenchContext, type BenchSize } from './run.js';

export interface GroupContext {
  kind: DialectName;
  size: BenchSize;
  store: Store;
  planted: PlantedWorkspace;
  /** `baseline`: the bare scan of the same window (`bareScanMs`), measured in the same run. */
  emit(name: string, value: number, unit: string, baseline?: number): void;
}

const ms = async (fn: () => Promise<unknown>) => {
  const t = performance.now();
  await fn();
  return performance.now() - t;
};

const peakRssMb = () => process.resourceUsage().maxRSS / 1024;

/**
 * The baseline of the timed figures: what reading the window's raw rows costs the database alone,
 * one GROUP BY day over the workspace's messages (with their open and click times) and one over its
 * events, no Qatra code. A figure's ratio is its time over this (lower is better): how much work
 * the insight does beyond one pass over the data it reads.
 */
async function bareScanMs(store: Store, workspaceId: string, from: number, to: number): Promise<number> {
  return ms(async () => {
    await sql`SELECT created_at / 86400000 AS d, count(*), count(first_opened_at), count(first_clicked_at), count(DISTINCT contact_id)
              FROM messages WHERE workspace_id = ${workspaceId} AND created_at >= ${from} AND created_at < ${to} GROUP BY 1`.execute(store.db);
    await sql`SELECT timestamp / 86400000 AS d, name, count(*), count(DISTINCT contact_id)
              FROM events WHERE workspace_id = ${workspaceId} AND timestamp >= ${from} AND timestamp < ${to} GROUP BY 1, 2`.execute(store.db);
  });
}

/** The figure groups, in order. Correlations and training (issue 22, part 2) add theirs here. */
export const groups: Record<string, (g: GroupContext) => Promise<void>> = {
  async anomalies(g) {
    const { workspaceId, start, end } = g.planted;
    const day20 = { from: start + PLANTED.spikeDay * DAY_MS, to: start + (PLANTED.spikeDay + 1) * DAY_MS };
    let found: Awaited<ReturnType<typeof findWorkspaceAnomalies>> = [];
    const bare = (from: number, to: number) => bareScanMs(g.store, workspaceId, from, to);
    const dayBase = await bare(day20.from, day20.to);
    g.emit('daily_scan_ms', await ms(async () => (found = await findWorkspaceAnomalies(g.store, workspaceId, day20))), 'ms', dayBase);
    const spike = found.find((f) => f.metric === 'hard_bounce_rate' && f.explanation.summary.endsWith(`at domain ${PLANTED.spikeDomain}`));
    g.emit('spike_found', spike ? 1 : 0, 'bool');
    let backfill = 0;
    const backfillWindow = { from: start + 14 * DAY_MS, to: end };
    const backfillBase = await bare(backfillWindow.from, backfillWindow.to);
    g.emit('backfill_28d_scan_ms', await ms(async () => (backfill = (await findWorkspaceAnomalies(g.store, workspaceId, backfillWindow)).length)), 'ms', backfillBase);
    g.emit('backfill_findings', backfill, 'findings');
    const allBase = await bare(start, end);
    g.emit('series_daily_42d_ms', await ms(() => series(g.store, { workspaceId, bucket: 'day', by: 'workspace', from: start, to: end })), 'ms', allBase);
    const weekBase = await bare(end - 7 * DAY_MS, end);
    g.emit('series_hourly_channel_7d_ms', await ms(() => series(g.store, { workspaceId, bucket: 'hour', by: 'channel', from: end - 7 * DAY_MS, to: end })), 'ms', weekBase);
  },
  async correlations(g) {
    const deps = { store: g.store, clock: new ManualClock(g.planted.end) };
    let report!: Awaited<ReturnType<typeof findCorrelations>>;
    const options = { goal: 'purchase', windowDays: 30, lookbackDays: 30, minSupport: 30, alpha: 0.05 };
    const base = await bareScanMs(g.store, g.planted.workspaceId, g.planted.end - (options.windowDays + options.lookbackDays) * DAY_MS, g.planted.end);
    g.emit('run_ms', await ms(async () => (report = await findCorrelations(deps, g.planted.workspaceId, options))), 'ms', base);
    g.emit('candidates', report.tested, 'rows');
    const found = report.rows.some((r) => r.label === `${PLANTED.plantedAttribute} = true` && r.significant);
    const noNull = !report.rows.some((r) => r.key === PLANTED.nullAttribute && r.significant);
    g.emit('planted_found_null_not', found && noNull ? 1 : 0, 'bool');
  },
  async predictions(g) {
    const deps = { store: g.store, clock: new ManualClock(g.planted.end) };
    let models!: Awaited<ReturnType<typeof trainWorkspace>>;
    const base = await bareScanMs(g.store, g.planted.workspaceId, g.planted.start, g.planted.end);
    g.emit('train_ms', await ms(async () => (models = await trainWorkspace(deps, g.planted.workspaceId))), 'ms', base);
    const conversion = models.find((m) => m.kind === 'conversion_30d')!;
    g.emit('train_rows', conversion.trainSize, 'contacts');
    g.emit('auc_conversion', conversion.auc ?? 0, 'held-out AUC');
  },
};

async function runBackend(ctx: BenchContext, kind: DialectName) {
  const size: BenchSize = kind === 'postgres' ? ctx.size : 'small';
  const planted = { ...plantedSize(size), ...(ctx.options.contacts ? { contacts: Number(ctx.options.contacts) } : {}) };
  const db = await freshDatabase(kind, { pgPoolMax: 2 });
  const emit = (name: string, value: number, unit: string, baseline?: number) =>
    ctx.emit(figure({ bench: 'insights', backend: kind, figure: name, value, unit, ...(baseline === undefined ? {} : { baseline }) }));
  try {
    let w!: PlantedWorkspace;
    emit('plant_s', (await ms(async () => (w = await generatePlanted(db.store, planted)))) / 1000, 's');
    emit('contacts', w.counts.contacts, 'rows');
    emit('messages', w.counts.messages, 'rows');
    emit('events', w.counts.events, 'rows');
    await sql`ANALYZE`.execute(db.store.db);
    for (const [name, group] of Object.entries(groups)) {
      if (ctx.options.group && ctx.options.group !== name) continue;
      await group({ kind, size, store: db.store, planted: w, emit: (f, v, u, b) => emit(`${name}.${f}`, v, u, b) });
      emit(`${name}.peak_rss_mb`, peakRssMb(), 'MB');
    }
  } finally {
    await db.drop();
  }
}

export const run: Bench = async (ctx) => {
  for (const kind of benchBackends()) await runBackend(ctx, kind);
};
