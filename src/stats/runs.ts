/**
 * @module A journey's run figures from the `journey_runs` rows: entered, in progress, completed,
 * exited by reason, converted (goal reached) with its value, errored and timed out, per version
 * and optionally per UTC time bucket (entries by entry time, endings by end time).
 */
import { sql } from 'kysely';
import type { Db } from '../store/store.js';
import { bucketSql, type Bucket, type Range } from './scope.js';

export interface RunCounts {
  entered: number;
  inProgress: number;
  completed: number;
  exited: number;
  /** Exited runs by `exit_reason` (an exit event's name, `unsubscribed from email`, …). */
  exitReasons: Record<string, number>;
  converted: number;
  conversionRate: number | null;
  /** Sum of the goal events' values (valueProperty) of converted runs. */
  goalValue: number;
  errored: number;
  timedOut: number;
}

export function emptyRuns(): RunCounts {
  return { entered: 0, inProgress: 0, completed: 0, exited: 0, exitReasons: {}, converted: 0, conversionRate: null, goalValue: 0, errored: 0, timedOut: 0 };
}

const num = (v: unknown): number => (v === null || v === undefined ? 0 : Number(v));

function add(c: RunCounts, status: string, reason: string | null, n: number, value: number): void {
  c.entered += n;
  switch (status) {
    case 'active':
    case 'waiting':
      c.inProgress += n;
      break;
    case 'completed':
      c.completed += n;
      break;
    case 'exited':
      c.exited += n;
      c.exitReasons[reason ?? 'unknown'] = (c.exitReasons[reason ?? 'unknown'] ?? 0) + n;
      break;
    case 'converted':
      c.converted += n;
      c.goalValue += value;
      break;
    case 'errored':
      c.errored += n;
      break;
    case 'timed_out':
      c.timedOut += n;
      break;
    default:
      break;
  }
}

export function finishRuns(c: RunCounts): RunCounts {
  c.conversionRate = c.entered > 0 ? Math.round((c.converted / c.entered) * 1e6) / 1e6 : null;
  c.goalValue = Math.round(c.goalValue * 100) / 100;
  return c;
}

/** Runs that entered in the range, per version. */
export async function runsByVersion(db: Db, workspaceId: string, journeyId: string, range: Range): Promise<Map<number, RunCounts>> {
  const rows = await sql<{ version: unknown; status: string; reason: string | null; n: unknown; value: unknown }>`
    SELECT r.version AS version, r.status AS status, CASE WHEN r.status = 'exited' THEN r.exit_reason END AS reason,
      COUNT(*) AS n, SUM(r.goal_value) AS value
    FROM journey_runs r
    WHERE r.workspace_id = ${workspaceId} AND r.journey_id = ${journeyId}
      ${range.from !== undefined ? sql`AND r.entered_at >= ${range.from}` : sql``}
      ${range.to !== undefined ? sql`AND r.entered_at < ${range.to}` : sql``}
    GROUP BY 1, 2, 3`.execute(db);
  const out = new Map<number, RunCounts>();
  for (const r of rows.rows) {
    const v = Number(r.version);
    if (!out.has(v)) out.set(v, emptyRuns());
    add(out.get(v)!, r.status, r.reason, num(r.n), num(r.value));
  }
  for (const c of out.values()) finishRuns(c);
  return out;
}

export interface RunBucket {
  bucket: number;
  entered: number;
  completed: number;
  exited: number;
  converted: number;
  goalValue: number;
}

/** Entries by entry bucket and endings by end bucket, within the range (by the same time). */
export async function runSeries(db: Db, workspaceId: string, journeyId: string, range: Range, bucket: Bucket): Promise<RunBucket[]> {
  const within = (col: string) => sql`${range.from !== undefined ? sql`AND ${sql.ref(col)} >= ${range.from}` : sql``} ${range.to !== undefined ? sql`AND ${sql.ref(col)} < ${range.to}` : sql``}`;
  const entered = await sql<{ bucket: unknown; n: unknown }>`
    SELECT ${bucketSql('r.entered_at', bucket)} AS bucket, COUNT(*) AS n FROM journey_runs r
    WHERE r.workspace_id = ${workspaceId} AND r.journey_id = ${journeyId} ${within('r.entered_at')} GROUP BY 1`.execute(db);
  const ended = await sql<{ bucket: unknown; status: string; n: unknown; value: unknown }>`
    SELECT ${bucketSql('r.ended_at', bucket)} AS bucket, r.status AS status, COUNT(*) AS n, SUM(r.goal_value) AS value FROM journey_runs r
    WHERE r.workspace_id = ${workspaceId} AND r.journey_id = ${journeyId} AND r.ended_at IS NOT NULL ${within('r.ended_at')} GROUP BY 1, 2`.execute(db);
  const out = new Map<number, RunBucket>();
  const at = (b: unknown) => {
    const k = Number(b);
    if (!out.has(k)) out.set(k, { bucket: k, entered: 0, completed: 0, exited: 0, converted: 0, goalValue: 0 });
    return out.get(k)!;
  };
  for (const r of entered.rows) at(r.bucket).entered += num(r.n);
  for (const r of ended.rows) {
    const b = at(r.bucket);
    if (r.status === 'completed') b.completed += num(r.n);
    else if (r.status === 'exited') b.exited += num(r.n);
    else if (r.status === 'converted') {
      b.converted += num(r.n);
      b.goalValue += num(r.value);
    }
  }
  return [...out.values()].sort((a, b) => a.bucket - b.bucket);
}
