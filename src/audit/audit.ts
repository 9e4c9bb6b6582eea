/**
 * @module The audit log: one row per act on a person's data (an export, an erasure, the lifting of an
 * erased address's suppression by new consent), so a workspace can prove what it did and when
 * (docs/standards.md §17, GDPR Art. 5(2) accountability). Rows name the actor (API key id, or user id for the web app) and the subject
 * (a contact id) and carry only counts and flags: an audit log that kept the erased address would undo
 * the erasure. Written inside the acting transaction, so an act and its record commit together.
 */
import type { ServiceDeps } from '../core/deps.js';
import { fromJson, toJson, type JsonObject } from '../core/json.js';
import type { Db } from '../store/store.js';

export type AuditAction = 'contact.exported' | 'contact.erased' | 'suppression.erasure_lifted';

export interface AuditEntry {
  id: number;
  actor: string | null;
  action: string;
  subject: string;
  details: JsonObject;
  at: number;
}

export interface AuditRecord {
  workspaceId: string;
  actor: string | null;
  action: AuditAction;
  subject: string;
  details?: JsonObject;
  at: number;
}

export async function recordAudit(db: Db, r: AuditRecord): Promise<number> {
  const row = await db
    .insertInto('audit_log')
    .values({ workspace_id: r.workspaceId, actor: r.actor, action: r.action, subject: r.subject, details: toJson(r.details ?? {}), at: r.at })
    .returning('id')
    .executeTakeFirstOrThrow();
  return Number(row.id);
}

export interface AuditFilter {
  limit: number;
  /** Exclusive lower bound on id (from the cursor). */
  afterId?: number | undefined;
  action?: string | undefined;
  subject?: string | undefined;
}

/** One page of a workspace's audit log, oldest first (`limit + 1` rows to detect more). */
export async function listAudit(deps: ServiceDeps, workspaceId: string, f: AuditFilter): Promise<AuditEntry[]> {
  let q = deps.store.db.selectFrom('audit_log').selectAll().where('workspace_id', '=', workspaceId);
  if (f.afterId !== undefined) q = q.where('id', '>', f.afterId);
  if (f.action !== undefined) q = q.where('action', '=', f.action);
  if (f.subject !== undefined) q = q.where('subject', '=', f.subject);
  const rows = await q
    .orderBy('id')
    .limit(f.limit + 1)
    .execute();
  return rows.map((r) => ({ id: Number(r.id), actor: r.actor, action: r.action, subject: r.subject, details: fromJson<JsonObject>(r.details) ?? {}, at: Number(r.at) }));
}
