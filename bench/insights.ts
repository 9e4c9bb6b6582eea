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
 * Every group ends with the process's peak RSS so far (`peak_rss_mb`).
 */
import { sql } from 'kysely';
import { freshDatabase } from '../test/backends.js';
import type { DialectName, Store } from '../src/store/store.js';
import { generatePlanted, plantedSize, PLANTED, DAY_MS, type PlantedWorkspace } from '../src/insights/planted.testkit.js';
import { findWorkspaceAnomalies } from '../src/insights/find.js';
import { series } from '../src/insights/series.js';
import { benchBackends, figure, type Bench, type BenchContext, type BenchSize } from './run.js';

export interface GroupContext {
  kind: DialectName;
  size: BenchSize;
  store: Store;
  planted: PlantedWorkspace;
  emit(name: string, value: number, unit: string): void;
}

const ms = async (fn: () => Promise<unknown>) => {
  const t = performance.now();
  await fn();
  return performance.now() - t;
};

const peakRssMb = () => process.resourceUsage().maxRSS / 1024;

/** The figure groups, in order. Correlations and training (issue 22, part 2) add theirs here. */
export const groups: Record<string, (g: GroupContext) => Promise<void>> = {
  async anomalies(g) {
    const { workspaceId, start, end } = g.planted;
    const day20 = { from: start + PLANTED.spikeDay * DAY_MS, to: start + (PLANTED.spikeDay + 1) * DAY_MS };
    let found: Awaited<ReturnType<typeof findWorkspaceAnomalies>> = [];
    g.emit('daily_scan_ms', await ms(async () => (found = await findWorkspaceAnomalies(g.store, workspaceId, day20))), 'ms');
    const spike = found.find((f) => f.metric === 'hard_bounce_rate' && f.explanation.summary.endsWith(`at domain ${PLANTED.spikeDomain}`));
    g.emit('spike_found', spike ? 1 : 0, 'bool');
    let backfill = 0;
    g.emit('backfill_28d_scan_ms', await ms(async () => (backfill = (await findWorkspaceAnomalies(g.store, workspaceId, { from: start + 14 * DAY_MS, to: end })).length)), 'ms');
    g.emit('backfill_findings', backfill, 'findings');
    g.emit('series_daily_42d_ms', await ms(() => series(g.store, { workspaceId, bucket: 'day', by: 'workspace', from: start, to: end })), 'ms');
    g.emit('series_hourly_channel_7d_ms', await ms(() => series(g.store, { workspaceId, bucket: 'hour', by: 'channel', from: end - 7 * DAY_MS, to: end })), 'ms');
  },
};

async function runBackend(ctx: BenchContext, kind: DialectName) {
  const size: BenchSize = kind === 'postgres' ? ctx.size : 'small';
  const planted = { ...plantedSize(size), ...(ctx.options.contacts ? { contacts: Number(ctx.options.contacts) } : {}) };
  const db = await freshDatabase(kind, { pgPoolMax: 2 });
  const emit = (name: string, value: number, unit: string) => ctx.emit(figure({ bench: 'insights', backend: kind, figure: name, value, unit }));
  try {
    let w!: PlantedWorkspace;
    emit('plant_s', (await ms(async () => (w = await generatePlanted(db.store, planted)))) / 1000, 's');
    emit('contacts', w.counts.contacts, 'rows');
    emit('messages', w.counts.messages, 'rows');
    emit('events', w.counts.events, 'rows');
    await sql`ANALYZE`.execute(db.store.db);
    for (const [name, group] of Object.entries(groups)) {
      if (ctx.options.group && ctx.options.group !== name) continue;
      await group({ kind, size, store: db.store, planted: w, emit: (f, v, u) => emit(`${name}.${f}`, v, u) });
      emit(`${name}.peak_rss_mb`, peakRssMb(), 'MB');
    }
  } finally {
    await db.drop();
  }
}

export const run: Bench = async (ctx) => {
  for (const kind of benchBackends()) await runBackend(ctx, kind);
};
