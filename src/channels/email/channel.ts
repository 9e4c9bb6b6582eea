/**
 * @module The email channel (`email`): one SendRequest in, one SendResult out.
 *
 *   1. record the delivery (queued) under its idempotency key BEFORE anything leaves; a record that
 *      was already sent, skipped or failed for good answers the retry without sending again;
 *   2. claim the attempt with a lease (so two workers holding the same record cannot both send; a
 *      new record is created already claimed);
 *   3. suppression and consent, read at send time (STANDARDS.md 7): skipped with the reason;
 *   4. render the template (renderEmail), add tracking, headers, Message-ID (./compose.ts);
 *   5. record what leaves, hand it to the workspace's provider, record the outcome. A hard bounce
 *      also suppresses the address, in the same transaction as the outcome.
 */
import type { Logger } from 'pino';
import type { Channel, SendRequest, SendResult } from '../channel.js';
import type { Clock } from '../../core/clock.js';
import { NotFoundError, ValidationError, assertNever } from '../../core/errors.js';
import type { Store } from '../../store/store.js';
import { TemplateCache } from '../../templates/cache.js';
import { renderEmail, type RenderedEmail, type RenderInput } from '../../templates/render.js';
import { ERASED_CONTACT, claimAttempt, recordContent, recordOutcome, reserveMessage, type Message } from '../../messages/records.js';
import { groupCommit } from '../../messages/group-commit.js';
import { suppressionReason } from '../../suppression/check.js';
import { getWorkspaceSettings } from '../../templates/workspace-settings.js';
import { suppress } from '../../suppression/suppressions.js';
import { workspaceSecret } from '../../tracking/tokens.js';
import { composeEmail, unsubscribeUrls } from './compose.js';
import { createProviderPool, type ProviderPool } from './providers/pool.js';
import type { ResolvedEmailSettings } from './settings.js';

export type EmailRenderer = (input: RenderInput) => Promise<RenderedEmail>;

export interface EmailChannelDeps {
  store: Store;
  clock: Clock;
  log?: Logger | undefined;
  /** Base of tracking and unsubscribe links (config.publicUrl). */
  publicUrl: string;
  /** Settings for workspaces that stored none (QATRA_SMTP_URL, else the outbox). */
  defaults: ResolvedEmailSettings;
  templateCache?: TemplateCache;
  /** How long one attempt holds a message (default ATTEMPT_LEASE_MS); a crashed sender's message is retried after it. */
  attemptLeaseMs?: number | undefined;
}

export interface EmailChannel extends Channel {
  readonly providers: ProviderPool;
  close(): Promise<void>;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

function previousOutcome(m: Message): SendResult | null {
  switch (m.status) {
    case 'queued':
      return null;
    case 'sent':
      return m.providerMessageId ? { status: 'sent', providerMessageId: m.providerMessageId } : { status: 'sent' };
    case 'skipped':
      return { status: 'skipped', reason: m.reason ?? 'skipped' };
    case 'failed':
    case 'bounced':
      return { status: 'permanent', reason: m.reason ?? m.status };
    default:
      return assertNever(m.status, 'message status');
  }
}

export function createEmailChannel(deps: EmailChannelDeps): EmailChannel {
  const { store, clock } = deps;
  const providers = createProviderPool({ store, clock }, deps.defaults);
  const secrets = new Map<string, string>();
  const templateCache = deps.templateCache ?? new TemplateCache();
  const render: EmailRenderer = (input) => renderEmail({ store, templateCache }, input);
  // The message record's writes of concurrent sends share commits (../../messages/group-commit.ts).
  const write = groupCommit(store);

  async function deliver(request: SendRequest, message: Message): Promise<SendResult> {
    const { db } = store;
    const skip = async (reason: string): Promise<SendResult> => {
      await write((trx) => recordOutcome(trx, message.id, { status: 'skipped', reason }, clock.now()));
      return { status: 'skipped', reason };
    };
    const email = request.contact.email;
    if (!email) return skip('contact has no email address');
    const topic = str(request.config.topic);
    const suppressed = await suppressionReason(db, { workspaceId: request.workspaceId, contactId: request.contact.id, address: email, kind: request.kind, topic });
    if (suppressed) return skip(suppressed);

    const { resolved, provider } = await providers.get(request.workspaceId);
    const secret = await workspaceSecret(store, request.workspaceId, secrets);
    const ws = await getWorkspaceSettings(db, request.workspaceId);
    // The workspace's postal address (PATCH /api/workspace, also what previews show) wins; the
    // provider settings' older `postalAddress` is the fallback.
    const postalAddress = ws.postalAddress || resolved.settings.postalAddress || '';
    const { unsubscribeUrl, preferencesUrl } = unsubscribeUrls(deps.publicUrl, secret, message.id);
    let rendered: RenderedEmail;
    try {
      rendered = await render({
        workspaceId: request.workspaceId,
        templateId: message.templateId!,
        contact: request.contact,
        context: { trigger: request.context.trigger, event: request.context.event, data: request.context.data },
        workspace: { name: ws.name, postalAddress },
        links: { unsubscribeUrl, preferencesUrl },
      } as RenderInput);
    } catch (err) {
      if (!(err instanceof NotFoundError || err instanceof ValidationError)) throw err;
      const reason = `template: ${err.message}`;
      await recordOutcome(db, message.id, { status: 'failed', reason }, clock.now());
      return { status: 'permanent', reason };
    }
    const now = clock.now();
    const { email: outgoing, links } = composeEmail({
      workspaceId: request.workspaceId,
      workspaceName: ws.name,
      recordId: message.id,
      idempotencyKey: request.idempotencyKey,
      kind: request.kind,
      journeyId: request.context.journeyId,
      topic,
      to: email,
      rendered,
      settings: resolved.settings,
      secret,
      publicUrl: deps.publicUrl,
      now,
    });
    const recorded = await write((trx) => recordContent(trx, message.id, { provider: provider.name, to: email, subject: rendered.subject, links, headerMessageId: outgoing.messageId, templateVersion: rendered.version }, now));
    if (!recorded) {
      // Erased after the send-time checks: nothing of it is written, and nothing leaves.
      await recordOutcome(db, message.id, { status: 'skipped', reason: ERASED_CONTACT }, clock.now());
      return { status: 'skipped', reason: ERASED_CONTACT };
    }

    const result = await provider.send(outgoing);
    const at = clock.now();
    switch (result.status) {
      case 'sent':
        await write((trx) => recordOutcome(trx, message.id, { status: 'sent', providerMessageId: result.providerMessageId ?? null }, at));
        return result;
      case 'retryable':
        // Stays queued: the next attempt with the same key sends it, with the same Message-ID.
        await write((trx) => recordOutcome(trx, message.id, { status: 'queued', reason: result.reason }, at));
        return result;
      case 'skipped':
        await recordOutcome(db, message.id, { status: 'skipped', reason: result.reason }, at);
        return result;
      case 'permanent':
        if ('hardBounce' in result) {
          await store.transaction(async (trx) => {
            await recordOutcome(trx, message.id, { status: 'bounced', reason: result.reason }, at);
            await suppress(trx, { workspaceId: request.workspaceId, address: email, reason: 'hard_bounce', source: provider.name, detail: result.reason, now: at });
          });
          return { status: 'permanent', reason: result.reason };
        }
        await recordOutcome(db, message.id, { status: 'failed', reason: result.reason }, at);
        return result;
      default:
        return assertNever(result, 'provider result');
    }
  }

  return {
    name: 'email',
    providers,
    async send(request: SendRequest): Promise<SendResult> {
      const templateId = str(request.config.template) ?? str(request.config.templateId);
      if (!templateId) return { status: 'permanent', reason: 'an email message needs a template (config.template)' };
      const now = clock.now();
      const reservation = {
        workspaceId: request.workspaceId,
        contactId: request.contact.id,
        channel: 'email' as const,
        kind: request.kind,
        idempotencyKey: request.idempotencyKey,
        journeyId: request.context.journeyId,
        journeyVersion: request.context.journeyVersion,
        runId: request.context.runId,
        nodeId: request.context.nodeId,
        templateId,
        topic: str(request.config.topic),
        to: request.contact.email,
      };
      const { message, created } = await write((trx) => reserveMessage(trx, reservation, now, deps.attemptLeaseMs));
      if (!created) {
        const previous = previousOutcome(message);
        if (previous) return previous;
        if (!(await claimAttempt(store.db, message, now, deps.attemptLeaseMs))) return { status: 'retryable', reason: 'another attempt of this delivery is in progress' };
      }
      try {
        return await deliver(request, message);
      } catch (err) {
        // Not a delivery problem (database or bug): the record stays queued and the caller retries.
        deps.log?.error({ err, messageId: message.id }, 'email delivery attempt failed');
        const reason = `internal: ${(err as Error).message}`;
        // Release the attempt's lease so the retry need not wait for it (best effort: the database may be the problem).
        await recordOutcome(store.db, message.id, { status: 'queued', reason }, clock.now()).catch(() => {});
        return { status: 'retryable', reason };
      }
    },
    close: () => providers.close(),
  };
}
