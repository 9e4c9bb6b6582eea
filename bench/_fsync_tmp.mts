import { freshDatabase } from '../test/backends.js';
import { sql } from 'kysely';
const d = await freshDatabase('sqlite');
await sql`CREATE TABLE t (x integer)`.execute(d.store.db);
let t = performance.now();
for (let i = 0; i < 200; i++) await d.store.transaction(async (trx) => { await sql`INSERT INTO t VALUES (1)`.execute(trx); });
console.log('commit ms', (performance.now() - t) / 200);
await d.drop();
