/**
 * @module The email channel (`email`): SendRequests in (one, or a batch), one SendResult each out.
 *
 *   1. record the deliveries (queued) under their idempotency keys BEFORE anything leaves (one
 *      statement for the batch); a record that was already sent, skipped or failed for good answers
 *      the retry without sending again;
 *   2. claim the attempt with a lease (so two workers holding the same record cannot both send; a
 *      new record is created already claimed);
 *   3. suppression and consent, read at send time (docs/standards.md §7), after step 1 committed, for the
 *      whole batch at once: skipped with the reason;
 *   4. render the template (renderEmail), add tracking, headers, Message-ID (./compose.ts); the
 *      provider, email settings and workspace settings are read once per batch and workspace;
 *   5. hand it to the workspace's provider, then record the outcome together with what left
 *      (../../messages/batch.ts: outcomes that finish together share one statement). A hard bounce
 *      also suppresses the address, in the same transaction as the outcome.
 */
import type { Logger } from 'pino';
import type { Channel, SendRequest, SendResult } from '../channel.js';
import type { Clock } from '../../core/clock.js';
import { parseEmailAddress } from '../../core/email-address.js';
import { NotFoundError, ValidationError, assertNever } from '../../core/errors.js';
import type { Store } from '../../store/store.js';
import { TemplateCache } from '../../templates/cache.js';
import { renderEmail, type RenderedEmail, type RenderInput } from '../../templates/render.js';
import { claimAttempt, recordContent, recordOutcome, type Message, type NewMessage } from '../../messages/records.js';
import { outcomeWriter, reserveMessages, type SentContent } from '../../messages/batch.js';
import { suppressionReasons } from '../../suppression/check.js';
import { getWorkspaceSettings, type WorkspaceSettings } from '../../templates/workspace-settings.js';
import { suppress } from '../../suppression/suppressions.js';
import { workspaceSecret } from '../../tracking/tokens.js';
import { composeEmail, unsubscribeUrls } from './compose.js';
import { createProviderPool, type ProviderPool } from './providers/pool.js';
import type { EmailProvider } from './provider.js';
import type { ResolvedEmailSettings } from './settings.js';
import type { SecretBox } from '../../secrets/secret-box.js';

export type EmailRenderer = (input: RenderInput) => Promise<RenderedEmail>;

export interface EmailChannelDeps {
  store: Store;
  clock: Clock;
  /** Opens the stored provider secrets (src/secrets/). */
  secretBox: SecretBox;
  log?: Logger | undefined;
  /** Base of tracking and unsubscribe links (config.publicUrl). */
  publicUrl: string;
  /** Settings for workspaces that stored none (QATRA_SMTP_URL, else the outbox). */
  defaults: ResolvedEmailSettings;
  templateCache?: TemplateCache;
  /** Providers may connect to private addresses (config.allowPrivateOutbound; default: refused). */
  allowPrivateOutbound?: boolean | undefined;
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

/** A delivery this attempt holds: its request (and place in the batch) and its record. */
interface Claimed {
  i: number;
  request: SendRequest;
  message: Message;
}

/** What every send of a workspace needs, read once per batch. */
interface WorkspaceContext {
  resolved: ResolvedEmailSettings;
  provider: EmailProvider;
  secret: string;
  ws: WorkspaceSettings;
}

export function createEmailChannel(deps: EmailChannelDeps): EmailChannel {
  const { store, clock } = deps;
  const { db } = store;
  const providers = createProviderPool({ store, clock, secretBox: deps.secretBox, allowPrivateOutbound: deps.allowPrivateOutbound }, deps.defaults);
  const secrets = new Map<string, string>();
  const templateCache = deps.templateCache ?? new TemplateCache();
  const render: EmailRenderer = (input) => renderEmail({ store, templateCache }, input);
  const writeOutcome = outcomeWriter(store);

  async function workspaceContext(workspaceId: string): Promise<WorkspaceContext> {
    const { resolved, provider } = await providers.get(workspaceId);
    const secret = await workspaceSecret(store, workspaceId, secrets);
    const ws = await getWorkspaceSettings(db, workspaceId);
    return { resolved, provider, secret, ws };
  }

  /** One claimed delivery, steps 4 and 5; `suppressed` and `context` are the batch's shared reads. */
  async function deliver(c: Claimed, suppressed: Promise<string | null>, context: () => Promise<WorkspaceContext>): Promise<SendResult> {
    const { request, message } = c;
    const skip = async (reason: string): Promise<SendResult> => {
      await writeOutcome(message.id, { status: 'skipped', reason }, null, clock.now());
      return { status: 'skipped', reason };
    };
    const email = request.contact.email;
    if (!email) return skip('contact has no email address');
    // A stored value that is not one mailbox (a row from before addresses were parsed) is never sent.
    const to = parseEmailAddress(email);
    if (!to.ok) return skip(`invalid email address: ${to.reason}`);
    const reason = await suppressed;
    if (reason) return skip(reason);
    const topic = str(request.config.topic);

    const { resolved, provider, secret, ws } = await context();
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
      await writeOutcome(message.id, { status: 'failed', reason }, null, clock.now());
      return { status: 'permanent', reason };
    }
    const { email: outgoing, links } = composeEmail({
      workspaceId: request.workspaceId,
      workspaceName: ws.name,
      recordId: message.id,
      idempotencyKey: request.idempotencyKey,
      kind: request.kind,
      journeyId: request.context.journeyId,
      topic,
      to: to.value,
      rendered,
      settings: resolved.settings,
      secret,
      publicUrl: deps.publicUrl,
      now: clock.now(),
    });
    const content: SentContent = { provider: provider.name, to: email, subject: rendered.subject, links, headerMessageId: outgoing.messageId, templateVersion: rendered.version };

    const result = await provider.send(outgoing);
    const at = clock.now();
    switch (result.status) {
      case 'sent':
        await writeOutcome(message.id, { status: 'sent', providerMessageId: result.providerMessageId ?? null }, content, at);
        return result;
      case 'retryable':
        // Stays queued: the next attempt with the same key sends it, with the same Message-ID.
        await writeOutcome(message.id, { status: 'queued', reason: result.reason }, content, at);
        return result;
      case 'skipped':
        await writeOutcome(message.id, { status: 'skipped', reason: result.reason }, content, at);
        return result;
      case 'permanent':
        if ('hardBounce' in result) {
          await store.transaction(async (trx) => {
            await recordContent(trx, message.id, content, at);
            await recordOutcome(trx, message.id, { status: 'bounced', reason: result.reason }, at);
            await suppress(trx, { workspaceId: request.workspaceId, address: email, reason: 'hard_bounce', source: provider.name, detail: result.reason, now: at });
          });
          // Recorded in its own transaction: one outcome fewer for the writer to wait for.
          writeOutcome.expect(-1);
          return { status: 'permanent', reason: result.reason };
        }
        await writeOutcome(message.id, { status: 'failed', reason: result.reason }, content, at);
        return result;
      default:
        return assertNever(result, 'provider result');
    }
  }

  /** Steps 3 to 5 for the claimed deliveries of a batch; one answer each, never a throw. */
  function deliverAll(claimed: readonly Claimed[]): Promise<SendResult[]> {
    // Each delivery below writes one outcome: let them share UPDATEs.
    writeOutcome.expect(claimed.length);
    const addressed = claimed.filter((c) => c.request.contact.email);
    const reasons =
      addressed.length === 0
        ? Promise.resolve([])
        : suppressionReasons(
            db,
            addressed.map(({ request }) => ({
              workspaceId: request.workspaceId,
              contactId: request.contact.id,
              address: request.contact.email!,
              kind: request.kind,
              topic: str(request.config.topic),
            })),
          );
    const reasonOf = new Map(addressed.map((c, k) => [c, reasons.then((r) => r[k] ?? null)]));
    const contexts = new Map<string, Promise<WorkspaceContext>>();
    const contextOf = (workspaceId: string) => {
      if (!contexts.has(workspaceId)) contexts.set(workspaceId, workspaceContext(workspaceId));
      return contexts.get(workspaceId)!;
    };
    return Promise.all(
      claimed.map(async (c) => {
        try {
          return await deliver(c, reasonOf.get(c) ?? Promise.resolve(null), () => contextOf(c.request.workspaceId));
        } catch (err) {
          // Not a delivery problem (database or bug): the record stays queued and the caller retries.
          deps.log?.error({ err, messageId: c.message.id }, 'email delivery attempt failed');
          const reason = `internal: ${(err as Error).message}`;
          // Release the attempt's lease so the retry need not wait for it (best effort: the database may be the problem).
          await writeOutcome(c.message.id, { status: 'queued', reason }, null, clock.now()).catch(() => {});
          return { status: 'retryable', reason } satisfies SendResult;
        }
      }),
    );
  }

  async function sendBatch(requests: readonly SendRequest[]): Promise<SendResult[]> {
    const results: SendResult[] = new Array(requests.length);
    const reserving: { i: number; input: NewMessage }[] = [];
    requests.forEach((request, i) => {
      const templateId = str(request.config.template) ?? str(request.config.templateId);
      if (!templateId) {
        results[i] = { status: 'permanent', reason: 'an email message needs a template (config.template)' };
        return;
      }
      reserving.push({
        i,
        input: {
          workspaceId: request.workspaceId,
          contactId: request.contact.id,
          channel: 'email',
          kind: request.kind,
          idempotencyKey: request.idempotencyKey,
          journeyId: request.context.journeyId,
          journeyVersion: request.context.journeyVersion,
          runId: request.context.runId,
          nodeId: request.context.nodeId,
          templateId,
          topic: str(request.config.topic),
          to: request.contact.email,
        },
      });
    });
    const now = clock.now();
    const reserved = await reserveMessages(
      db,
      reserving.map((r) => r.input),
      now,
      deps.attemptLeaseMs,
    );
    const claimed: Claimed[] = [];
    await Promise.all(
      reserved.map(async ({ message, created }, k) => {
        const { i } = reserving[k]!;
        if (!created) {
          const previous = previousOutcome(message);
          if (previous) return void (results[i] = previous);
          const held = await claimAttempt(db, message, now, deps.attemptLeaseMs).catch((err: Error) => err);
          if (held instanceof Error) return void (results[i] = { status: 'retryable', reason: `internal: ${held.message}` });
          if (!held) return void (results[i] = { status: 'retryable', reason: 'another attempt of this delivery is in progress' });
        }
        claimed.push({ i, request: requests[i]!, message });
      }),
    );
    claimed.sort((a, b) => a.i - b.i);
    const delivered = await deliverAll(claimed);
    claimed.forEach((c, k) => (results[c.i] = delivered[k]!));
    return results;
  }

  return {
    name: 'email',
    providers,
    async send(request: SendRequest): Promise<SendResult> {
      return (await sendBatch([request]))[0]!;
    },
    sendBatch,
    close: () => providers.close(),
  };
}
