/**
 * @module The setup checklist: what a fresh workspace still lacks before its first journey can
 * send, computed from the real state in one call: the postal address marketing email must show,
 * an email provider of its own (not the outbox), its sending domain's DNS (SPF, DKIM and DMARC of
 * every From domain all pass, src/deliverability/domains.ts), a first contact and a first live
 * journey. Each item names the web app's screen where it is done (`link`). The DNS is looked up
 * only once a workspace has its own email settings; before that the item is simply not done.
 */
import type { AppDeps } from '../core/app-deps.js';
import { storedEmailSettings } from '../channels/email/settings.js';
import { checkWorkspaceDomains } from '../deliverability/domains.js';
import type { TxtResolver } from '../deliverability/domain-check.js';
import { getWorkspaceSettings } from '../templates/workspace-settings.js';

export const CHECKLIST_ITEMS = ['postal_address', 'email_provider', 'sending_domain', 'first_contact', 'first_journey'] as const;
export type ChecklistItemId = (typeof CHECKLIST_ITEMS)[number];

export interface ChecklistItem {
  id: ChecklistItemId;
  done: boolean;
  /** What stands in the way, in words (a domain's DNS summary, "a draft journey exists"…); absent when done or obvious. */
  detail?: string;
  /** Where in the web app (path under /app) this is done. */
  link: string;
}

export async function setupChecklist(deps: Pick<AppDeps, 'store' | 'secretBox' | 'config'>, workspaceId: string, resolver?: TxtResolver): Promise<{ items: ChecklistItem[]; complete: boolean }> {
  const { db } = deps.store;
  const [settings, email, contact, journeys] = await Promise.all([
    getWorkspaceSettings(db, workspaceId),
    storedEmailSettings(db, workspaceId),
    db.selectFrom('contacts').select('id').where('workspace_id', '=', workspaceId).where('erased_at', 'is', null).limit(1).executeTakeFirst(),
    db.selectFrom('journeys').select(['status']).where('workspace_id', '=', workspaceId).where('status', 'in', ['live', 'paused', 'draft']).execute(),
  ]);
  const ownProvider = email !== null && email.provider !== 'outbox';
  let domain: ChecklistItem;
  if (!email) domain = { id: 'sending_domain', done: false, detail: 'no From address of your own yet', link: '/settings#email-title' };
  else {
    const report = await checkWorkspaceDomains(deps, workspaceId, resolver);
    const failing = report.domains.find((d) => !d.ok);
    domain = failing
      ? { id: 'sending_domain', done: false, detail: `${failing.domain}: ${failing.summary}`, link: '/settings#email-title' }
      : { id: 'sending_domain', done: report.domains.length > 0, link: '/settings#email-title' };
  }
  const live = journeys.some((j) => j.status === 'live' || j.status === 'paused');
  const items: ChecklistItem[] = [
    { id: 'postal_address', done: settings.postalAddress.trim() !== '', link: '/settings#ws-title' },
    { id: 'email_provider', done: ownProvider, ...(email?.provider === 'outbox' ? { detail: 'the outbox keeps messages instead of sending them' } : {}), link: '/settings#email-title' },
    domain,
    { id: 'first_contact', done: contact !== undefined, link: '/contacts' },
    { id: 'first_journey', done: live, ...(!live && journeys.length > 0 ? { detail: 'a draft journey exists: publish it' } : {}), link: live || journeys.length > 0 ? '/journeys' : '/gallery' },
  ];
  return { items, complete: items.every((i) => i.done) };
}
