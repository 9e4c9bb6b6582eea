/**
 * @module The suppression list: addresses a workspace must not mail. hard_bounce, complaint and
 * manual block every message; unsubscribe_all blocks marketing only (docs/standards.md §7, §12). Addresses
 * are stored normalised (`normalizeAddress`: the same key as contacts.email), or as `sha256:<hex>` of
 * that key when the person was erased (docs/standards.md §17): both forms are checked at send time.
 */
import { createHash } from 'node:crypto';
import { domainToUnicode } from 'node:url';
import type { ServiceDeps } from '../core/deps.js';
import { emailKey } from '../core/email-address.js';
import { NotFoundError } from '../core/errors.js';
import type { Db } from '../store/store.js';
import type { SuppressionReason } from './tables.js';

export type { SuppressionReason };
export const SUPPRESSION_REASONS: readonly SuppressionReason[] = ['hard_bounce', 'complaint', 'manual', 'unsubscribe_all'];

export interface Suppression {
  address: string;
  reason: SuppressionReason;
  source: string | null;
  detail: string | null;
  createdAt: number;
}

/**
 * The stored form of an address: an email's key (src/core/email-address.ts: lower-cased, IDN domain
 * as punycode), so `Victim@Example.NET`, `victim@example.net` and `victim@EXAMPLE.net` are one entry.
 * Anything that is not an email (a phone number; a legacy value) is trimmed and lower-cased.
 */
export function normalizeAddress(address: string): string {
  return emailKey(address);
}

export function hashedAddress(address: string): string {
  return hashOf(normalizeAddress(address));
}

const hashOf = (key: string) => `sha256:${createHash('sha256').update(key).digest('hex')}`;

/**
 * Every stored form an address may have, each plain and hashed: its key and, where they differ, the
 * forms rows were stored under before addresses were parsed (trimmed and lower-cased as given, and an
 * IDN domain in Unicode rather than punycode). So a suppression written before still blocks.
 */
function storedForms(address: string): string[] {
  const key = normalizeAddress(address);
  const forms = new Set([key, address.trim().toLowerCase()]);
  const at = key.lastIndexOf('@');
  if (at > 0 && key.includes('xn--', at)) forms.add(`${key.slice(0, at)}@${domainToUnicode(key.slice(at + 1))}`);
  return [...forms].flatMap((form) => [form, hashOf(form)]);
}

/** Adds a suppression; adding the same address and reason twice keeps the first. Returns whether it was new. */
export async function suppress(db: Db, input: { workspaceId: string; address: string; reason: SuppressionReason; source?: string; detail?: string; hashed?: boolean; now: number }): Promise<boolean> {
  const address = input.hashed ? hashedAddress(input.address) : normalizeAddress(input.address);
  const row = await db
    .insertInto('suppressions')
    .values({ workspace_id: input.workspaceId, address, reason: input.reason, source: input.source ?? null, detail: input.detail ?? null, created_at: input.now })
    .onConflict((oc) => oc.columns(['workspace_id', 'address', 'reason']).doNothing())
    .returning('address')
    .executeTakeFirst();
  return row !== undefined;
}

/** Every suppression of an address (plain or hashed). */
export async function suppressionsOf(db: Db, workspaceId: string, address: string): Promise<Suppression[]> {
  return (await suppressionsOfMany(db, workspaceId, [address])).get(normalizeAddress(address)) ?? [];
}

/** suppressionsOf for many addresses of one workspace (one query per 500): normalized address → its suppressions. */
export async function suppressionsOfMany(db: Db, workspaceId: string, addresses: readonly string[]): Promise<Map<string, Suppression[]>> {
  const owner = new Map<string, string>();
  for (const a of addresses) for (const form of storedForms(a)) owner.set(form, normalizeAddress(a));
  const out = new Map<string, Suppression[]>();
  const keys = [...owner.keys()];
  for (let start = 0; start < keys.length; start += 1000) {
    const rows = await db
      .selectFrom('suppressions')
      .selectAll()
      .where('workspace_id', '=', workspaceId)
      .where('address', 'in', keys.slice(start, start + 1000))
      .execute();
    for (const r of rows) {
      const a = owner.get(r.address)!;
      if (!out.has(a)) out.set(a, []);
      out.get(a)!.push(toSuppression(r));
    }
  }
  return out;
}

export async function listSuppressions(
  deps: ServiceDeps,
  workspaceId: string,
  filter: { reason?: SuppressionReason | undefined; address?: string | undefined; limit: number; after?: string | undefined },
): Promise<Suppression[]> {
  let q = deps.store.db.selectFrom('suppressions').selectAll().where('workspace_id', '=', workspaceId);
  if (filter.reason) q = q.where('reason', '=', filter.reason);
  if (filter.address) q = q.where('address', 'in', storedForms(filter.address));
  if (filter.after) q = q.where('address', '>', filter.after);
  const rows = await q.orderBy('address').orderBy('reason').limit(filter.limit).execute();
  return rows.map(toSuppression);
}

/** Removes an address's suppressions (all reasons, or one). */
export async function unsuppress(deps: ServiceDeps, workspaceId: string, address: string, reason?: SuppressionReason): Promise<number> {
  let q = deps.store.db.deleteFrom('suppressions').where('workspace_id', '=', workspaceId).where('address', 'in', storedForms(address));
  if (reason) q = q.where('reason', '=', reason);
  const result = await q.executeTakeFirst();
  const n = Number(result.numDeletedRows);
  if (n === 0) throw new NotFoundError('suppression', address);
  return n;
}

function toSuppression(row: { address: string; reason: SuppressionReason; source: string | null; detail: string | null; created_at: number }): Suppression {
  return { address: row.address, reason: row.reason, source: row.source, detail: row.detail, createdAt: row.created_at };
}
