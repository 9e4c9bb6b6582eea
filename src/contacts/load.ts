/**
 * @module Loads contacts by id for the code that acts on many at once (journey steps, broadcast
 * batches, lead scoring).
 */
import { toContact, type Contact } from './contact.js';
import type { Db } from '../store/store.js';

/** Loads contacts by id (one query per 500). */
export async function loadContacts(db: Db, ids: readonly string[]): Promise<Map<string, Contact>> {
  const out = new Map<string, Contact>();
  for (let i = 0; i < ids.length; i += 500) {
    const chunk = [...new Set(ids.slice(i, i + 500))];
    if (chunk.length === 0) continue;
    const rows = await db.selectFrom('contacts').selectAll().where('id', 'in', chunk).execute();
    for (const r of rows) out.set(r.id, toContact(r));
  }
  return out;
}
