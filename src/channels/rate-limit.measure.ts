/**
 * @module What a take of the shared rate limit costs, on both backends (the machine is shared: the
 * load average is printed with the figures):
 *   QATRA_TEST_DATABASE_URL=postgres://… node --import tsx src/channels/rate-limit.measure.ts [takes]
 * Prints takes per second one at a time and with 8 in flight, the same with a delete of the key's
 * old seconds on every take (the rejected "delete on write" design), and the time of one
 * `pruneRate` over 3,600 rows (10 providers, 6 minutes) and over 100,000 rows.
 */
import os from 'node:os';
import { sql } from 'kysely';
import { freshDatabase } from '../../test/backends.js';
import type { DialectName, Db } from '../store/store.js';
import { pruneRate, takeRate } from './rate-limit.js';

const takes = Number(process.argv[2] ?? 3000);
const kinds: DialectName[] = process.env.QATRA_TEST_DATABASE_URL ? ['sqlite', 'postgres'] : ['sqlite'];
const load = () =>
  os
    .loadavg()
    .map((n) => n.toFixed(2))
    .join(' ');

async function rate(n: number, inFlight: number, one: (i: number) => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next < n) await one(next++);
    }),
  );
  return Math.round(n / ((performance.now() - t0) / 1000));
}

async function seed(db: Db, keys: number, seconds: number, base: number): Promise<void> {
  const rows = [];
  for (let k = 0; k < keys; k++) for (let s = 0; s < seconds; s++) rows.push({ provider_key: `seed${k}`, second: base + s, used: 1 });
  for (let i = 0; i < rows.length; i += 5000)
    await db
      .insertInto('provider_rate')
      .values(rows.slice(i, i + 5000))
      .execute();
}

console.log(`load average before: ${load()} (${os.cpus().length} CPUs)`);
for (const kind of kinds) {
  const database = await freshDatabase(kind, { pgPoolMax: 8 });
  const { db } = database.store;
  try {
    const take = (key: string) => () => takeRate(db, { key, perSecond: 1_000_000, wanted: 1, now: Date.now() });
    await rate(200, 1, take('warm'));
    const serial = await rate(takes, 1, take('serial'));
    const parallel = await rate(takes, 8, take('parallel'));
    const withDelete = await rate(takes, 8, async () => {
      const now = Date.now();
      await takeRate(db, { key: 'del', perSecond: 1_000_000, wanted: 1, now });
      await db
        .deleteFrom('provider_rate')
        .where('provider_key', '=', 'del')
        .where('second', '<', Math.floor(now / 1000) - 60)
        .execute();
    });
    console.log(`${kind}: ${serial} takes/s one at a time, ${parallel} takes/s with 8 in flight, ${withDelete} takes/s with a delete on every take (8 in flight)`);
    for (const [keys, seconds] of [
      [10, 360],
      [100, 1000],
    ] as const) {
      await sql`DELETE FROM provider_rate`.execute(db);
      await seed(db, keys, seconds, 1_000_000);
      const t0 = performance.now();
      const deleted = await pruneRate(db, (1_000_000 + seconds) * 1000, 0);
      console.log(`${kind}: pruneRate over ${keys * seconds} rows deleted ${deleted} in ${(performance.now() - t0).toFixed(1)} ms`);
    }
  } finally {
    await database.drop();
  }
}
console.log(`load average after: ${load()}`);
