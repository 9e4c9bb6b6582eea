/**
 * @module Where a tracked click finally leads: the link the message contained, plus a signed click id
 * (`qatra_cid`, src/browser/click-id.ts) when the link's host is one the workspace listed in its
 * tracking settings (`clickIdDomains`, src/workspaces/tracking.ts). Links to any other host are left
 * exactly as written: a click id handed to a site that is not the workspace's own would give that
 * site a way to tell Qatra who is browsing.
 */
import type { Message } from '../messages/records.js';
import type { Store } from '../store/store.js';
import { CLICK_ID_TTL_MS, signClickId, withClickId } from '../browser/click-id.js';
import { hostListed, loadTrackingSettings } from '../workspaces/tracking.js';
import { workspaceSecret } from './tokens.js';

export async function clickDestination(store: Store, m: Message, target: string, now: number, secrets?: Map<string, string>): Promise<string> {
  const { clickIdDomains } = await loadTrackingSettings(store.db, m.workspaceId);
  if (!hostListed(target, clickIdDomains)) return target;
  const secret = await workspaceSecret(store, m.workspaceId, secrets);
  return withClickId(target, signClickId(secret, { workspaceId: m.workspaceId, messageId: m.id, contactId: m.contactId, expiresAt: now + CLICK_ID_TTL_MS }));
}
