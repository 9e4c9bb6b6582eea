/**
 * @module The email channel (`email`) on the send pipeline (../pipeline.ts), which records, claims,
 * checks suppression and consent and settles; this file brings what is email's own:
 *
 *   - a message names its template (`config.template`), and the address is one mailbox
 *     (src/core/email-address.ts);
 *   - per batch and workspace: the provider, email settings, tracking secret and workspace settings;
 *   - per message: render the template (renderEmail), add tracking, headers, Message-ID
 *     (./compose.ts), hand it to the workspace's provider; a hard bounce suppresses the address.
 */
import type { Logger } from 'pino';
import type { Channel } from '../channel.js';
import type { Clock } from '../../core/clock.js';
import { parseEmailAddress } from '../../core/email-address.js';
import { NotFoundError, ValidationError } from '../../core/errors.js';
import type { Store } from '../../store/store.js';
import { TemplateCache } from '../../templates/cache.js';
import { renderEmail, type RenderedEmail, type RenderInput } from '../../templates/render.js';
import type { SentContent } from '../../messages/records.js';
import { getWorkspaceSettings, type WorkspaceSettings } from '../../templates/workspace-settings.js';
import { workspaceSecret } from '../../tracking/tokens.js';
import { emailDescriptor } from '../descriptors.js';
import { pipelineChannel } from '../pipeline.js';
import type { ChannelSender, ClaimedDelivery, DeliveryOutcome } from '../pipeline-sender.js';
import { composeEmail, unsubscribeUrls } from './compose.js';
import { telegramLinks } from '../telegram/deep-link.js';
import { createProviderPool, type ProviderPool } from './providers/pool.js';
import type { EmailProvider, ProviderResult } from './provider.js';
import { domainOf, type ResolvedEmailSettings } from './settings.js';
import { createRoutedPool, type RoutedPool, type WorkspaceRoutes } from './routing/pool.js';
import type { SecretBox } from '../../secrets/secret-box.js';
import { nonEmptyString, templateOf } from '../request-config.js';

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
  /** The workspace's single-provider settings and provider (forms' confirmation mail, test sends). */
  readonly providers: ProviderPool;
  /** Every provider of each workspace, routed per message, per lane (./routing/). */
  readonly routed: RoutedPool;
  close(): Promise<void>;
}

/** What every send of a workspace needs, read once per batch. */
interface WorkspaceContext {
  resolved: ResolvedEmailSettings;
  routes: WorkspaceRoutes;
  secret: string;
  ws: WorkspaceSettings;
}

/** Email's part of the pipeline. */
function emailSender(deps: EmailChannelDeps, pool: RoutedPool): ChannelSender<WorkspaceContext> {
  const { store, clock } = deps;
  const secrets = new Map<string, string>();
  const templateCache = deps.templateCache ?? new TemplateCache();
  const render: EmailRenderer = (input) => renderEmail({ store, templateCache }, input);
  const telegramLink = telegramLinks(store.db, clock);

  async function deliver({ request, message, address }: ClaimedDelivery, context: WorkspaceContext): Promise<DeliveryOutcome> {
    const { resolved, routes, secret, ws } = context;
    const to = parseEmailAddress(address);
    if (!to.ok) return { result: { status: 'skipped', reason: `invalid email address: ${to.reason}` }, content: null };
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
        links: { unsubscribeUrl, preferencesUrl, telegramLink: await telegramLink(request.workspaceId, secret, request.contact.id) },
      } as RenderInput);
    } catch (err) {
      if (!(err instanceof NotFoundError || err instanceof ValidationError)) throw err;
      return { result: { status: 'permanent', reason: `template: ${err.message}` }, content: null };
    }
    const { email: outgoing, links } = composeEmail({
      workspaceId: request.workspaceId,
      workspaceName: ws.name,
      recordId: message.id,
      idempotencyKey: request.idempotencyKey,
      kind: request.kind,
      journeyId: request.context.journeyId,
      topic: nonEmptyString(request.config.topic),
      to: to.value,
      rendered,
      settings: resolved.settings,
      secret,
      publicUrl: deps.publicUrl,
      now: clock.now(),
    });
    const candidates = routes.candidates({ kind: request.kind, domain: domainOf(to.value.address), messageId: message.id });
    const content: SentContent = {
      provider: candidates[0]!.label,
      to: request.contact.email!,
      subject: rendered.subject,
      links,
      headerMessageId: outgoing.messageId,
      templateVersion: rendered.version,
      segments: 1,
    };
    const result = await sendRouted(routes, candidates, outgoing, content, request.kind);
    if (result.status === 'permanent' && 'hardBounce' in result) {
      return { result: { status: 'permanent', reason: result.reason }, content, suppressAddress: { source: content.provider, detail: result.reason, bounced: true } };
    }
    return { result, content };
  }

  /**
   * The one composed message (one record, one Message-ID) to its route's providers in turn: first
   * the gate (./limits/gate.ts: the recipient domain's 4xx backoff and throttle; per provider its
   * warm-up and throttle) may defer it; a retryable failure counts against the provider's circuit
   * and the next one is tried; an open circuit is skipped. A 4xx about the recipient backs its domain
   * off and ends the attempt (the provider is fine). When none took it, the last retryable answer
   * (or the deferral) stands and the pipeline keeps the message queued for a later attempt with the
   * same Message-ID.
   */
  async function sendRouted(
    routes: WorkspaceRoutes,
    candidates: ReturnType<WorkspaceRoutes['candidates']>,
    outgoing: Parameters<EmailProvider['send']>[0],
    content: SentContent,
    kind: 'marketing' | 'transactional',
  ): Promise<ProviderResult> {
    const { circuits, gate } = routes;
    const domain = domainOf(outgoing.to.address);
    const passed = await gate.domain(domain, outgoing.recordId);
    if (!passed.ok) return passed.deferral;
    let last: ProviderResult | null = null;
    let deferral: ProviderResult | null = null;
    let attempted = false;
    try {
      for (const candidate of candidates) {
        if (circuits && !(await circuits.allow(candidate.id))) continue;
        const pass = await gate.provider(candidate.id, kind, outgoing.recordId);
        if (!pass.ok) {
          deferral ??= pass.deferral;
          if (pass.spill) continue;
          break;
        }
        content.provider = candidate.label;
        attempted = true;
        let result: ProviderResult;
        try {
          result = await candidate.provider.send(outgoing);
        } finally {
          await pass.held.finish();
        }
        if (result.status !== 'retryable' || 'recipientDeferral' in result) await circuits?.succeeded(candidate.id);
        if ('recipientDeferral' in result) return await gate.deferred(domain, result.reason, outgoing.recordId);
        if (result.status === 'sent') await gate.accepted(domain);
        if (result.status !== 'retryable') return result;
        last = result;
        await circuits?.failed(candidate.id, result.reason);
      }
    } finally {
      // Nothing was attempted: the domain's token goes back; its connection slot is freed either way.
      await (attempted ? passed.held.finish() : passed.held.release());
    }
    return last ?? deferral ?? { status: 'retryable', reason: `the circuit of every provider for this message is open (${candidates.map((c) => c.id).join(', ')})` };
  }

  return {
    descriptor: emailDescriptor,
    plan(request) {
      const templateId = templateOf(request);
      return templateId ? { templateId } : { error: 'an email message needs a template (config.template)' };
    },
    address(raw) {
      const parsed = parseEmailAddress(raw);
      return parsed.ok ? { ok: true, value: raw } : { ok: false, reason: `invalid email address: ${parsed.reason}` };
    },
    async workspace(workspaceId) {
      const routes = await pool.routes(workspaceId);
      const secret = await workspaceSecret(store, workspaceId, secrets);
      const ws = await getWorkspaceSettings(store.db, workspaceId);
      return { resolved: routes.resolved, routes, secret, ws };
    },
    deliver,
  };
}

export function createEmailChannel(deps: EmailChannelDeps): EmailChannel {
  const providers = createProviderPool({ store: deps.store, clock: deps.clock, secretBox: deps.secretBox, allowPrivateOutbound: deps.allowPrivateOutbound }, deps.defaults);
  const routed = createRoutedPool({ store: deps.store, clock: deps.clock, secretBox: deps.secretBox, allowPrivateOutbound: deps.allowPrivateOutbound }, deps.defaults);
  const channel = pipelineChannel(deps, emailSender(deps, routed));
  return {
    ...channel,
    providers,
    routed,
    close: async () => {
      await Promise.all([providers.close(), routed.close()]);
    },
  };
}
