/**
 * @module Emailing a workspace's owners and admins one transactional message each (the reputation
 * breaker's and the insights' alerts): through src/messages/send.ts, so each is recorded,
 * suppression-checked and retried by the message-retry task, under the key `<key>:<user id>` (a
 * repeated call sends nobody twice). One recipient's failure is logged and does not stop the others.
 */
import type { Channel } from '../channels/channel.js';
import type { LoggedDeps } from '../core/deps.js';
import type { JsonObject } from '../core/json.js';
import { sendTransactional } from '../messages/send.js';

export interface AdminEmail {
  templateId: string;
  data: JsonObject;
  /** Prefix of each message's idempotency key, e.g. `breaker:<trip>`. */
  key: string;
  /** Named in the log lines of failures, e.g. `{ trip: id }`. */
  logContext: Record<string, unknown>;
  /** What the log lines call the message, e.g. `reputation alert email`. */
  what: string;
}

/** Sends to each owner and admin of the workspace, in user id order; answers how many were sent. */
export async function emailAdmins(deps: LoggedDeps, email: Channel, workspaceId: string, message: AdminEmail): Promise<number> {
  const admins = await deps.store.db
    .selectFrom('workspace_members as wm')
    .innerJoin('users as u', 'u.id', 'wm.user_id')
    .select(['u.id', 'u.email'])
    .where('wm.workspace_id', '=', workspaceId)
    .where('wm.role', 'in', ['owner', 'admin'])
    .orderBy('u.id')
    .execute();
  let sent = 0;
  for (const admin of admins) {
    try {
      const { result } = await sendTransactional(deps, email, workspaceId, { templateId: message.templateId, email: admin.email, data: message.data, idempotencyKey: `${message.key}:${admin.id}` });
      if (result.status === 'sent') sent++;
      else deps.log.warn({ workspaceId, ...message.logContext, result }, `${message.what} not sent`);
    } catch (err) {
      deps.log.warn({ err, workspaceId, ...message.logContext }, `${message.what} failed`);
    }
  }
  return sent;
}
