/**
 * @module Pending invitations: setup links made for a named address that are neither spent nor
 * expired, listed so admins see who has not joined yet, and withdrawn by id. An invitation's id is
 * the first 16 hex digits of its token's SHA-256 (the token itself is never stored), enough to name
 * one among a workspace's few and useless for signing in.
 */
import type { ServiceDeps } from '../core/deps.js';
import { NotFoundError } from '../core/errors.js';
import type { Role } from './tables.js';

export const INVITE_ID_LENGTH = 16;

export interface PendingInvite {
  id: string;
  email: string | null;
  role: Role;
  createdAt: number;
  expiresAt: number;
}

export function inviteIdOf(tokenHash: string): string {
  return tokenHash.slice(0, INVITE_ID_LENGTH);
}

/** Unspent, unexpired invitations of the workspace, newest first. */
export async function listPendingInvites(deps: ServiceDeps, workspaceId: string): Promise<PendingInvite[]> {
  const rows = await deps.store.db
    .selectFrom('user_invites')
    .select(['token_hash', 'email', 'role', 'created_at', 'expires_at'])
    .where('workspace_id', '=', workspaceId)
    .where('used_at', 'is', null)
    .where('expires_at', '>', deps.clock.now())
    .orderBy('created_at', 'desc')
    .execute();
  return rows.map((r) => ({ id: inviteIdOf(r.token_hash), email: r.email, role: r.role, createdAt: Number(r.created_at), expiresAt: Number(r.expires_at) }));
}

/** Withdraws a pending invitation: its link stops working at once. */
export async function withdrawInvite(deps: ServiceDeps, workspaceId: string, id: string): Promise<void> {
  const pending = (await listPendingInvites(deps, workspaceId)).find((i) => i.id === id);
  if (!pending || !/^[0-9a-f]+$/.test(id) || id.length !== INVITE_ID_LENGTH) throw new NotFoundError('invitation', id);
  // The prefix is matched against this workspace's unspent rows only; 64 bits leave no room for two.
  await deps.store.db.deleteFrom('user_invites').where('workspace_id', '=', workspaceId).where('used_at', 'is', null).where('token_hash', 'like', `${id}%`).execute();
}
