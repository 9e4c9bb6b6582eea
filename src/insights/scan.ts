/**
 * @module The anomaly scan of one workspace, and the worker task running it on a schedule.
 *
 * Each tick claims at most one workspace whose last scanned day is before today (UTC, by the
 * injected clock) and that no other worker is scanning (a 10-minute lease in insight_settings),
 * finds the anomalies of the complete days since its last scan (at most the last 7; only yesterday
 * for a workspace never scanned, so history is not alerted), records them as incidents (a continuing
 * incident once), alerts each new one, resolves the quiet ones, and moves `scanned_through` on.
 * The open-incident gauge of /metrics is refreshed after each scan. An archived workspace is not
 * scanned; once unarchived, its scan takes up the days since its last one (at most 7) again.
 */
import type { AppDeps } from '../core/app-deps.js';
import type { WorkerTask } from '../worker/worker.js';
import { createChannelRegistry } from '../channels/registry.js';
import { DAY_MS } from './detect.js';
import { findWorkspaceAnomalies, type FindOptions } from './find.js';
import { recordFinding, resolveQuiet, type Anomaly } from './anomalies.js';
import { alertAnomaly, type AlertDeps } from './alerts.js';
import { loadInsightSettings } from './settings.js';

export const SCAN_LEASE_MS = 10 * 60_000;
export const MAX_CATCH_UP_DAYS = 7;

export interface ScanResult {
  workspaceId: string;
  from: number;
  to: number;
  opened: Anomaly[];
  continued: number;
  resolved: number;
}

/** Scans the days [from, to) of a workspace: record, alert, resolve. */
export async function scanWorkspace(deps: AlertDeps, workspaceId: string, range: { from: number; to: number }, options: FindOptions = {}): Promise<ScanResult> {
  const settings = await loadInsightSettings(deps.store.db, workspaceId);
  const findings = await findWorkspaceAnomalies(deps.store, workspaceId, range, { conversionEvent: settings.conversionEvent, ...options });
  const opened: Anomaly[] = [];
  let continued = 0;
  for (const f of findings) {
    const r = await recordFinding(deps.store.db, deps.clock, workspaceId, f, options.bucketMs ?? DAY_MS);
    if (r.opened) {
      opened.push(r.anomaly);
      await alertAnomaly(deps, workspaceId, r.anomaly);
    } else continued++;
  }
  const resolved = await resolveQuiet(deps.store.db, deps.clock, workspaceId, range.to);
  return { workspaceId, ...range, opened, continued, resolved };
}

/** Claims the next workspace due for a scan; null when none is. */
async function claimWorkspace(deps: Pick<AppDeps, 'store' | 'clock'>, today: number): Promise<{ workspaceId: string; scannedThrough: number | null } | null> {
  const now = deps.clock.now();
  const { db } = deps.store;
  const due = await db
    .selectFrom('workspaces as w')
    .leftJoin('insight_settings as s', 's.workspace_id', 'w.id')
    .select(['w.id', 's.scanned_through', 's.scanning_until'])
    .where((eb) => eb.or([eb('s.scanned_through', 'is', null), eb('s.scanned_through', '<', today)]))
    .where((eb) => eb.or([eb('s.scanning_until', 'is', null), eb('s.scanning_until', '<', now)]))
    .where('w.archived_at', 'is', null)
    .orderBy('s.scanned_through')
    .orderBy('w.id')
    .limit(5)
    .execute();
  for (const w of due) {
    await db
      .insertInto('insight_settings')
      .values({ workspace_id: w.id, conversion_event: null, alert_template_id: null, webhook_url: null, scanned_through: null, scanning_until: null, updated_at: now })
      .onConflict((oc) => oc.column('workspace_id').doNothing())
      .execute();
    const claimed = await db
      .updateTable('insight_settings')
      .set({ scanning_until: now + SCAN_LEASE_MS })
      .where('workspace_id', '=', w.id)
      .where((eb) => eb.or([eb('scanning_until', 'is', null), eb('scanning_until', '<', now)]))
      .where((eb) => eb.or([eb('scanned_through', 'is', null), eb('scanned_through', '<', today)]))
      .executeTakeFirst();
    if (Number(claimed.numUpdatedRows) === 1) return { workspaceId: w.id, scannedThrough: w.scanned_through === null ? null : Number(w.scanned_through) };
  }
  return null;
}

/** One tick: scan one due workspace; the number of incidents it opened or continued. */
export async function scanNextWorkspace(deps: AlertDeps): Promise<number> {
  const today = Math.floor(deps.clock.now() / DAY_MS) * DAY_MS;
  const claim = await claimWorkspace(deps, today);
  if (!claim) return 0;
  const from = Math.max(claim.scannedThrough ?? today - DAY_MS, today - MAX_CATCH_UP_DAYS * DAY_MS);
  try {
    const result = await scanWorkspace(deps, claim.workspaceId, { from, to: today });
    await deps.store.db.updateTable('insight_settings').set({ scanned_through: today, scanning_until: null, updated_at: deps.clock.now() }).where('workspace_id', '=', claim.workspaceId).execute();
    await refreshOpenGauge(deps);
    return result.opened.length + result.continued;
  } catch (err) {
    await deps.store.db.updateTable('insight_settings').set({ scanning_until: null }).where('workspace_id', '=', claim.workspaceId).execute();
    throw err;
  }
}

async function refreshOpenGauge(deps: Pick<AppDeps, 'store' | 'metrics'>) {
  const rows = await deps.store.db
    .selectFrom('insight_anomalies')
    .select(['metric', deps.store.db.fn.countAll<number>().as('n')])
    .where('status', '=', 'open')
    .groupBy('metric')
    .execute();
  deps.metrics.insightOpenAnomalies.reset();
  for (const r of rows) deps.metrics.insightOpenAnomalies.set({ metric: r.metric }, Number(r.n));
}

/** The worker task (listed in src/worker/tasks.ts). */
export function insightTasks(deps: AppDeps): WorkerTask {
  const email = createChannelRegistry(deps).get('email');
  return { name: 'insights-scan', tick: () => scanNextWorkspace({ ...deps, email }) };
}
