/**
 * @module The hot writes of a batch, by hand: one statement moves every run of the batch, one
 * inserts every step (the deliveries' own statements are in src/deliveries/rows.ts). The rows travel as one JSON parameter (PostgreSQL `jsonb_to_recordset`,
 * SQLite `json_each`), so a batch of 100 runs costs a few statements instead of a few hundred.
 * Measured with concurrency.test.ts (PostgreSQL, two workers, 10,000 runs of message → exit, batch
 * 100, on the shared 2-core dev box): one statement per run took 49 s, these statements 21 s. Worker
 * CPU per step (bench/journeys.ts): ~6,000 steps per CPU-second on SQLite, ~21,000 on PostgreSQL
 * (client side only).
 */
import { sql } from 'kysely';
import type { DialectName, Db } from '../../store/store.js';

export interface RunMove {
  id: string;
  /** The visit the run must still be at (else someone else moved it: leave it). */
  expect: number;
  status: string;
  version: number;
  node: string | null;
  visit: number;
  due_at: number | null;
  wait_event: string | null;
  wait_filters: unknown;
  wait_started_at: number | null;
  attempts: number;
  last_error: string | null;
  ended_at: number | null;
  exit_reason: string | null;
  /** The claim lane of the step the run waits for (./lane.ts). */
  lane: number;
  /** Keep the lease (a send follows). */
  keep: boolean;
  /** The run stays open in the status it had when claimed (`status` equals it; ended_at and exit_reason stay null). */
  continuing: boolean;
}

/** Moves the runs this claim (`token`) still holds; returns the ids it moved. */
export async function moveRuns(trx: Db, dialect: DialectName, token: string, now: number, leaseUntil: number, moves: readonly RunMove[]): Promise<Set<string>> {
  if (moves.length === 0) return new Set();
  let rows: { id: string }[];
  if (dialect === 'postgres') {
    const json = JSON.stringify(moves);
    rows = (
      await sql<{ id: string }>`
        UPDATE journey_runs AS r SET status = v.status, version = v.version, current_node = v.node, visit = v.visit,
          due_at = v.due_at, wait_event = v.wait_event, wait_filters = v.wait_filters, wait_started_at = v.wait_started_at,
          attempts = v.attempts, last_error = v.last_error, ended_at = v.ended_at, exit_reason = v.exit_reason,
          lane = v.lane, updated_at = ${now}::bigint,
          claimed_by = CASE WHEN v.keep THEN ${token}::text ELSE NULL END,
          lease_until = CASE WHEN v.keep THEN ${leaseUntil}::bigint ELSE NULL END
        FROM jsonb_to_recordset(${json}::jsonb) AS v(id text, expect integer, status text, version integer, node text, visit integer,
          due_at bigint, wait_event text, wait_filters jsonb, wait_started_at bigint, attempts integer, last_error text,
          ended_at bigint, exit_reason text, lane smallint, keep boolean)
        WHERE r.id = v.id AND r.claimed_by = ${token} AND r.visit = v.expect AND r.ended_at IS NULL
        RETURNING r.id`.execute(trx)
    ).rows;
  } else {
    // SQLite rewrites every index holding a column of the SET list, changed or not: a run that stays
    // open in its status (a delay passed, a message about to be sent) leaves status, ended_at and
    // exit_reason out of it, so journey_runs_journey and journey_runs_one_open are not touched.
    // Measured with bench/journeys.ts (SQLite, 20,000 runs): the moves' CPU fell by a third, and
    // the commits' with it (fewer dirty pages).
    const encode = (list: readonly RunMove[]) =>
      JSON.stringify(
        list.map((m) => ({ ...m, wait_filters: m.wait_filters === null || m.wait_filters === undefined ? null : JSON.stringify(m.wait_filters), keep: m.keep ? 1 : 0, continuing: undefined })),
      );
    const continuing = moves.filter((m) => m.continuing);
    const other = moves.filter((m) => !m.continuing);
    rows = [];
    if (continuing.length > 0) {
      rows.push(
        ...(
          await sql<{ id: string }>`
            UPDATE journey_runs AS r SET version = v.version, current_node = v.node, visit = v.visit,
              due_at = v.due_at, wait_event = v.wait_event, wait_filters = v.wait_filters, wait_started_at = v.wait_started_at,
              attempts = v.attempts, last_error = v.last_error, lane = v.lane, updated_at = ${now},
              claimed_by = CASE WHEN v.keep = 1 THEN ${token} ELSE NULL END,
              lease_until = CASE WHEN v.keep = 1 THEN ${leaseUntil} ELSE NULL END
            FROM (SELECT value ->> 'id' AS id, value ->> 'expect' AS expect, value ->> 'status' AS status, value ->> 'version' AS version,
                    value ->> 'node' AS node, value ->> 'visit' AS visit, value ->> 'due_at' AS due_at, value ->> 'wait_event' AS wait_event,
                    value ->> 'wait_filters' AS wait_filters, value ->> 'wait_started_at' AS wait_started_at, value ->> 'attempts' AS attempts,
                    value ->> 'last_error' AS last_error, value ->> 'lane' AS lane, value ->> 'keep' AS keep
                  FROM json_each(${encode(continuing)})) AS v
            WHERE r.id = v.id AND r.claimed_by = ${token} AND r.visit = v.expect AND r.ended_at IS NULL AND r.status = v.status
            RETURNING id`.execute(trx)
        ).rows,
      );
    }
    if (other.length > 0) {
      rows.push(
        ...(
          await sql<{ id: string }>`
            UPDATE journey_runs AS r SET status = v.status, version = v.version, current_node = v.node, visit = v.visit,
              due_at = v.due_at, wait_event = v.wait_event, wait_filters = v.wait_filters, wait_started_at = v.wait_started_at,
              attempts = v.attempts, last_error = v.last_error, ended_at = v.ended_at, exit_reason = v.exit_reason,
              lane = v.lane, updated_at = ${now},
              claimed_by = CASE WHEN v.keep = 1 THEN ${token} ELSE NULL END,
              lease_until = CASE WHEN v.keep = 1 THEN ${leaseUntil} ELSE NULL END
            FROM (SELECT value ->> 'id' AS id, value ->> 'expect' AS expect, value ->> 'status' AS status, value ->> 'version' AS version,
                    value ->> 'node' AS node, value ->> 'visit' AS visit, value ->> 'due_at' AS due_at, value ->> 'wait_event' AS wait_event,
                    value ->> 'wait_filters' AS wait_filters, value ->> 'wait_started_at' AS wait_started_at, value ->> 'attempts' AS attempts,
                    value ->> 'last_error' AS last_error, value ->> 'ended_at' AS ended_at, value ->> 'exit_reason' AS exit_reason,
                    value ->> 'lane' AS lane, value ->> 'keep' AS keep
                  FROM json_each(${encode(other)})) AS v
            WHERE r.id = v.id AND r.claimed_by = ${token} AND r.visit = v.expect AND r.ended_at IS NULL
            -- SQLite's RETURNING sees only the target table, without its alias.
            RETURNING id`.execute(trx)
        ).rows,
      );
    }
  }
  return new Set(rows.map((r) => r.id));
}

/** Of these runs, the ones this claim (`token`) still holds and that are still open (a read: nothing to write). */
export async function stillHeld(trx: Db, token: string, ids: readonly string[]): Promise<string[]> {
  if (ids.length === 0) return [];
  const rows = await trx.selectFrom('journey_runs').select('id').where('id', 'in', ids).where('claimed_by', '=', token).where('ended_at', 'is', null).execute();
  return rows.map((r) => r.id);
}

export interface StepRow {
  run_id: string;
  workspace_id: string;
  node_id: string;
  visit: number;
  outcome: string;
  due_at: number | null;
  executed_at: number;
  /** JSON text or null. */
  detail: string | null;
}

/** Inserts step rows; a (run, node, visit) already recorded is left alone (the step ran already). */
export async function insertStepRows(trx: Db, dialect: DialectName, rows: readonly StepRow[]): Promise<void> {
  if (rows.length === 0) return;
  const json = JSON.stringify(rows);
  if (dialect === 'postgres') {
    await sql`
      INSERT INTO journey_steps (run_id, workspace_id, node_id, visit, outcome, due_at, executed_at, detail)
      SELECT v.run_id, v.workspace_id, v.node_id, v.visit, v.outcome, v.due_at, v.executed_at, v.detail::jsonb
      FROM jsonb_to_recordset(${json}::jsonb) AS v(run_id text, workspace_id text, node_id text, visit integer, outcome text, due_at bigint, executed_at bigint, detail text)
      ON CONFLICT DO NOTHING`.execute(trx);
    return;
  }
  await sql`
    INSERT INTO journey_steps (run_id, workspace_id, node_id, visit, outcome, due_at, executed_at, detail)
    SELECT value ->> 'run_id', value ->> 'workspace_id', value ->> 'node_id', value ->> 'visit', value ->> 'outcome',
      value ->> 'due_at', value ->> 'executed_at', value ->> 'detail'
    FROM json_each(${json}) WHERE true
    ON CONFLICT DO NOTHING`.execute(trx);
}
