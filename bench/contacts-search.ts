/**
 * @module Contact search at 100,000 contacts (`npm run bench -- contacts-search`; `--contacts N`).
 * Seeds N contacts (Latin and Arabic names in attributes, emails, E.164 phones, user ids) on each
 * backend, then times `searchContacts` (src/contacts/search.ts: the page of 50 and the total, as the
 * API answers) per query shape, 20 runs each after 3 warm-ups. Baseline, in the same run: a bare
 * indexed lookup of one contact by its exact email (contacts_workspace_email).
 * Figures per shape: `<shape>_p50_ms` and `<shape>_p99_ms`, each with the baseline's p50/p99 and
 * the ratio.
 */
import { sql } from 'kysely';
import { systemClock } from '../src/core/clock.js';
import { newId } from '../src/core/ids.js';
import { searchContacts, type ContactSearch } from '../src/contacts/search.js';
import { defaultSignals } from '../src/server/signal-sinks.js';
import type { DialectName } from '../src/store/store.js';
import { createWorkspace } from '../src/workspaces/workspaces.js';
import { freshDatabase } from '../test/backends.js';
import { benchBackends, figure, type Bench, type BenchContext } from './run.js';

const LATIN = ['Ahmed', 'Sara', 'John', 'Maria', 'Omar', 'Lina', 'David', 'Fatima', 'Yusuf', 'Nora'];
const LAST = ['Karim', 'Mansour', 'Smith', 'Garcia', 'Haddad', 'Nasser', 'Brown', 'Saleh'];
const ARABIC = ['أحمد', 'سارة', 'محمد', 'ليلى', 'عمر', 'فاطمة', 'يوسف', 'نورة'];
const ARABIC_LAST = ['الحسن', 'منصور', 'القحطاني', 'العتيبي', 'حداد'];

const SHAPES: Array<[string, Omit<ContactSearch, 'limit'>]> = [
  ['latin_name', { q: 'ahmed' }],
  ['arabic_name', { q: 'أحمد' }],
  ['two_words', { q: 'sara mansour' }],
  ['partial_email', { q: 'user12345@' }],
  ['phone', { q: '050 000 1234' }],
  ['user_id', { q: 'uid-77777' }],
  ['no_match', { q: 'zzzqqq' }],
  ['attribute_and_name', { q: 'sara', attributes: { plan: 'pro' } }],
  ['no_query_first_page', {}],
];

function pct(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function timed(fn: () => Promise<unknown>, runs: number): Promise<number[]> {
  for (let i = 0; i < 3; i++) await fn();
  const out: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = process.hrtime.bigint();
    await fn();
    out.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return out;
}

async function onBackend(kind: DialectName, n: number, ctx: BenchContext): Promise<void> {
  const db = await freshDatabase(kind);
  try {
    const deps = { store: db.store, signals: defaultSignals(db.store), clock: systemClock };
    const ws = await createWorkspace(deps, { name: 'bench' });
    const now = Date.now();
    const t0 = Date.now();
    for (let start = 0; start < n; start += 1000) {
      const rows = [];
      for (let i = start; i < Math.min(n, start + 1000); i++) {
        const arabic = i % 3 === 0;
        const attributes = arabic
          ? { first_name: ARABIC[i % ARABIC.length], last_name: ARABIC_LAST[i % ARABIC_LAST.length], plan: i % 2 ? 'pro' : 'free' }
          : { first_name: LATIN[i % LATIN.length], last_name: LAST[i % LAST.length], plan: i % 2 ? 'pro' : 'free' };
        rows.push({
          id: newId('ct', now + i),
          workspace_id: ws.id,
          user_id: `uid-${i}`,
          email: `user${i}@mail${i % 50}.example.com`,
          phone: `+96650${String(i).padStart(7, '0')}`,
          timezone: null,
          locale: arabic ? 'ar' : 'en',
          attributes: JSON.stringify(attributes),
          created_at: now,
          updated_at: now,
        });
      }
      await db.store.db.insertInto('contacts').values(rows).execute();
    }
    if (kind === 'postgres') await sql`ANALYZE contacts`.execute(db.store.db);
    else await sql`ANALYZE`.execute(db.store.db);
    process.stderr.write(`contacts-search: seeded ${n} contacts on ${kind} in ${Date.now() - t0} ms\n`);
    const runs = 20;
    const base = await timed(
      () =>
        db.store.db
          .selectFrom('contacts')
          .selectAll()
          .where('workspace_id', '=', ws.id)
          .where('email', '=', `user${Math.floor(n / 2)}@mail${Math.floor(n / 2) % 50}.example.com`)
          .executeTakeFirst(),
      runs,
    );
    const b50 = pct(base, 50);
    const b99 = pct(base, 99);
    for (const [shape, search] of SHAPES) {
      let total = 0;
      const samples = await timed(async () => {
        total = (await searchContacts(deps, ws.id, { ...search, limit: 50 })).total;
      }, runs);
      process.stderr.write(`contacts-search ${kind} ${shape}: total ${total}\n`);
      ctx.emit(figure({ bench: 'contacts-search', backend: kind, figure: `${shape}_p50_ms`, value: pct(samples, 50), unit: 'ms', baseline: b50 }));
      ctx.emit(figure({ bench: 'contacts-search', backend: kind, figure: `${shape}_p99_ms`, value: pct(samples, 99), unit: 'ms', baseline: b99 }));
    }
  } finally {
    await db.drop();
  }
}

export const run: Bench = async (ctx) => {
  const n = Number(ctx.options.contacts ?? (ctx.size === 'large' ? 300_000 : 100_000));
  for (const kind of benchBackends()) await onBackend(kind, n, ctx);
};
