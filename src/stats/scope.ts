/**
 * @module What a stats query is about (a journey, a template, a broadcast, or the whole workspace)
 * and over which time range, as SQL conditions on the `messages` and `journey_runs` tables.
 *
 * Broadcasts are identified by the idempotency-key prefix `broadcast:<id>:` of their messages, so
 * this works for whatever the broadcasts feature records, without depending on its tables.
 */
import { sql, type RawBuilder } from 'kysely';

export type Scope =
  | { kind: 'journey'; workspaceId: string; journeyId: string }
  | { kind: 'template'; workspaceId: string; templateId: string }
  | { kind: 'broadcast'; workspaceId: string; broadcastId: string }
  | { kind: 'workspace'; workspaceId: string };

/** A broadcast's test send (src/broadcasts/test-send.ts) is recorded under this key prefix and left out of every figure. */
export const TEST_KEY_PREFIX = 'test:';

/** Half-open [from, to) in epoch ms; either end may be open. */
export interface Range {
  from?: number | undefined;
  to?: number | undefined;
}

export const broadcastKeyPrefix = (id: string) => `broadcast:${id}:`;

/**
 * The scope and range as a SQL condition on messages aliased `m` (the range applies to when the
 * message was recorded). Raw SQL fragments: the stats queries are hand-written aggregates.
 */
export function messagesWhere(scope: Scope, range: Range): RawBuilder<unknown> {
  const parts: RawBuilder<unknown>[] = [sql`m.workspace_id = ${scope.workspaceId}`, sql`substr(m.idempotency_key, 1, ${TEST_KEY_PREFIX.length}) <> ${TEST_KEY_PREFIX}`];
  switch (scope.kind) {
    case 'journey':
      parts.push(sql`m.journey_id = ${scope.journeyId}`);
      break;
    case 'template':
      parts.push(sql`m.template_id = ${scope.templateId}`);
      break;
    case 'broadcast': {
      const prefix = broadcastKeyPrefix(scope.broadcastId);
      // substr, not LIKE or a range: exact on both backends whatever the collation.
      parts.push(sql`substr(m.idempotency_key, 1, ${prefix.length}) = ${prefix}`);
      break;
    }
    case 'workspace':
      break;
    default: {
      const never: never = scope;
      throw new Error(`unknown scope ${JSON.stringify(never)}`);
    }
  }
  if (range.from !== undefined) parts.push(sql`m.created_at >= ${range.from}`);
  if (range.to !== undefined) parts.push(sql`m.created_at < ${range.to}`);
  return sql.join(parts, sql` AND `);
}

export const DAY_MS = 86_400_000;
export const HOUR_MS = 3_600_000;
/** 1970-01-05, the first Monday after the epoch: weeks start on Monday (ISO 8601), in UTC. */
const MONDAY_MS = 4 * DAY_MS;

export type Bucket = 'hour' | 'day' | 'week';

export function bucketMs(bucket: Bucket): { size: number; offset: number } {
  switch (bucket) {
    case 'hour':
      return { size: HOUR_MS, offset: 0 };
    case 'day':
      return { size: DAY_MS, offset: 0 };
    case 'week':
      return { size: 7 * DAY_MS, offset: MONDAY_MS };
    default: {
      const never: never = bucket;
      throw new Error(`unknown bucket ${String(never)}`);
    }
  }
}

/** SQL for the start of the UTC bucket holding `column` (integer division on both backends). */
export function bucketSql(column: string, bucket: Bucket): RawBuilder<number> {
  const { size, offset } = bucketMs(bucket);
  return sql<number>`((${sql.ref(column)} - ${sql.lit(offset)}) / ${sql.lit(size)}) * ${sql.lit(size)} + ${sql.lit(offset)}`;
}
