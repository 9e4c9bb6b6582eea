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

export const CHECKLIST_PROBLEMS = ['no_from_address', 'outbox', 'dns', 'draft_journey'] as const;
export type ChecklistProblemCode = (typeof CHECKLIST_PROBLEMS)[number];
export const DNS_RECORDS = ['spf', 'dkim', 'dmarc'] as const;
export type DnsRecord = (typeof DNS_RECORDS)[number];

/** What stands in the way, as a code the web app words in the reader's language. */
export interface ChecklistProblem {
  code: ChecklistProblemCode;
  /** `dns`: the first From domain that does not pass, and which of its records need attention. */
  domain?: string;
  records?: DnsRecord[];
}

export interface ChecklistItem {
  id: ChecklistItemId;
  done: boolean;
  /** What stands in the way, in English words for API readers (a domain's DNS summary, "a draft journey exists"…); absent when done or obvious. */
  detail?: string;
  problem?: ChecklistProblem;
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
  if (!email) domain = { id: 'sending_domain', done: false, detail: 'no From address of your own yet', problem: { code: 'no_from_address' }, link: '/settings#email-title' };
  else {
    const report = await checkWorkspaceDomains(deps, workspaceId, resolver);
    const failing = report.domains.find((d) => !d.ok);
    domain = failing
      ? {
          id: 'sending_domain',
          done: false,
          detail: `${failing.domain}: ${failing.summary}`,
          problem: { code: 'dns', domain: failing.domain, records: DNS_RECORDS.filter((r) => failing[r].status !== 'ok' || ('aligned' in failing[r] && !failing[r].aligned)) },
          link: '/settings#email-title',
        }
      : { id: 'sending_domain', done: report.domains.length > 0, link: '/settings#email-title' };
  }
  const live = journeys.some((j) => j.status === 'live' || j.status === 'paused');
  const items: ChecklistItem[] = [
    { id: 'postal_address', done: settings.postalAddress.trim() !== '', link: '/settings#ws-title' },
    {
      id: 'email_provider',
      done: ownProvider,
      ...(email?.provider === 'outbox' ? { detail: 'the outbox keeps messages instead of sending them', problem: { code: 'outbox' } } : {}),
      link: '/settings#email-title',
    },
    domain,
    { id: 'first_contact', done: contact !== undefined, link: '/contacts' },
    {
      id: 'first_journey',
      done: live,
      ...(!live && journeys.length > 0 ? { detail: 'a draft journey exists: publish it', problem: { code: 'draft_journey' } } : {}),
      link: live || journeys.length > 0 ? '/journeys' : '/gallery',
    },
  ];
  return { items, complete: items.every((i) => i.done) };
}
