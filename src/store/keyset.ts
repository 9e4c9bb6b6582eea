/**
 * @module Keyset pages, newest first: the condition and order that continue a list of rows ordered by
 * (time, id) descending after a cursor, written once for every list that pages that way (the contact
 * timeline's five sources). A row-value comparison `(time, id) < (at, id)`, so an index ending in
 * (time, id) reads the page as one backward range scan on both backends.
 */
import { sql, type SelectQueryBuilder } from 'kysely';

/**
 * Where a page continues: strictly before the cursor's (time, id) when the cursor is a row of this
 * list (`own`); otherwise before its time, or at it too (`inclusive`) when rows of this list at that
 * time sort after the cursor's.
 */
export type KeysetBound = { own: true; at: number; id: string | number } | { own: false; at: number; inclusive: boolean } | null;

/** `q` limited to the `take` rows after `bound`, ordered by `time` then `id`, both descending. */
export function newestFirst<DB, TB extends keyof DB, O>(q: SelectQueryBuilder<DB, TB, O>, time: string, id: string, bound: KeysetBound, take: number): SelectQueryBuilder<DB, TB, O> {
  if (bound?.own) q = q.where(sql<boolean>`(${sql.ref(time)}, ${sql.ref(id)}) < (${bound.at}, ${bound.id})`);
  else if (bound) q = q.where(sql<boolean>`${sql.ref(time)} ${sql.raw(bound.inclusive ? '<=' : '<')} ${bound.at}`);
  return q.orderBy(sql.ref(time), 'desc').orderBy(sql.ref(id), 'desc').limit(take);
}
