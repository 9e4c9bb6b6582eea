/**
 * @module The first owner. While a workspace has no members, each start makes a fresh one-time
 * owner setup link (older unused ones are withdrawn) so the person installing Qatra can claim it;
 * once someone has, starts print nothing.
 */
import type { ServiceDeps } from '../core/deps.js';
import { createInvite } from './users.js';
import { setupUrl } from './users.routes.js';

export async function ownerSetupLink(deps: ServiceDeps, workspaceId: string, publicUrl: string): Promise<string | null> {
  const member = await deps.store.db.selectFrom('workspace_members').select('user_id').where('workspace_id', '=', workspaceId).executeTakeFirst();
  if (member) return null;
  await deps.store.db.deleteFrom('user_invites').where('workspace_id', '=', workspaceId).where('role', '=', 'owner').where('used_at', 'is', null).execute();
  const invite = await createInvite(deps, { workspaceId, role: 'owner' });
  return setupUrl(publicUrl, invite.token);
}
