/**
 * @module The postal address every marketing email must show (CAN-SPAM, docs/standards.md §14), and the
 * rule that guards it: a journey with a marketing email node cannot go live, and a marketing email
 * broadcast cannot be scheduled or resumed, while the workspace has none (409 saying how to set it).
 *
 * One place sets it: `PATCH /api/workspace` (`workspaces.settings.postalAddress`, see
 * src/templates/workspace-settings.ts). `PUT /api/email/provider` used to carry one too; it now
 * forwards it there (deprecated). Provider settings stored before that may still hold one, which the
 * email channel falls back to, so it counts here too.
 */
import { ConflictError } from '../core/errors.js';
import { fromJson, type JsonObject } from '../core/json.js';
import type { Db } from '../store/store.js';

export const SET_POSTAL_ADDRESS = 'set it with PATCH /api/workspace {"postalAddress": "…"} (in the app: Settings → Workspace → Postal address)';

/** The address marketing email of the workspace shows; '' when there is none. */
export async function postalAddressOf(db: Db, workspaceId: string): Promise<string> {
  const ws = await db.selectFrom('workspaces').select('settings').where('id', '=', workspaceId).executeTakeFirst();
  const own = (fromJson<JsonObject | null>(ws?.settings) ?? {}).postalAddress;
  if (typeof own === 'string' && own.trim()) return own;
  const provider = await db.selectFrom('email_providers').select('settings').where('workspace_id', '=', workspaceId).executeTakeFirst();
  const legacy = (fromJson<JsonObject | null>(provider?.settings) ?? {}).postalAddress;
  return typeof legacy === 'string' ? legacy.trim() : '';
}

/** Throws a ConflictError (409) naming `what` and how to set the address when the workspace has none. */
export async function requirePostalAddress(db: Db, workspaceId: string, what: string): Promise<void> {
  if (await postalAddressOf(db, workspaceId)) return;
  throw new ConflictError(`${what}: marketing email must show the workspace's postal address (CAN-SPAM) and this workspace has none; ${SET_POSTAL_ADDRESS}`, 'postalAddress');
}

/** True when a journey document has a message node sending marketing email. */
export function sendsMarketingEmail(doc: { nodes: readonly { type: string; channel?: string; kind?: string }[] }): boolean {
  return doc.nodes.some((n) => n.type === 'message' && n.channel === 'email' && (n.kind ?? 'marketing') === 'marketing');
}
