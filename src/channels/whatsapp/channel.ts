/**
 * @module The WhatsApp channel (`whatsapp`) on the send pipeline (../pipeline.ts), which records,
 * claims, checks suppression and the contact's `whatsapp` opt-in, and settles; this file brings what
 * is WhatsApp's own (docs/whatsapp.md):
 *
 *   - a message names its template (`config.template`, a WhatsApp template); the address is the
 *     contact's phone in E.164 (src/core/phone.ts);
 *   - per batch and workspace: the provider (the first `whatsapp_cloud` by priority), its Cloud API
 *     client (kept while the provider row is unchanged), the tracking secret, the workspace;
 *   - per message: render (./render.ts); links in the text or the parameters become short tracked
 *     links (../sms/short-links.ts; a click records `whatsapp.clicked`); a free-form message is
 *     refused before the provider is called unless the contact wrote within 24 hours (./window.ts);
 *     a template message starts a conversation, so it takes a place of the number's messaging tier
 *     for the day (./tier.ts) and waits for the next day when there is none; then the Cloud API
 *     (./cloud-api.ts) answers sent (with the wamid that status webhooks name), retryable or
 *     permanent with WhatsApp's reason.
 */
import type { Clock } from '../../core/clock.js';
import { NotFoundError, ValidationError } from '../../core/errors.js';
import { normalizePhone } from '../../core/phone.js';
import type { SentContent } from '../../messages/records.js';
import type { SecretBox } from '../../secrets/secret-box.js';
import type { Store } from '../../store/store.js';
import { TemplateCache } from '../../templates/cache.js';
import { getWorkspaceSettings, type WorkspaceSettings } from '../../templates/workspace-settings.js';
import { workspaceSecret } from '../../tracking/tokens.js';
import { whatsappDescriptor } from '../descriptors.js';
import type { ChannelSender, ClaimedDelivery, DeliveryOutcome } from '../pipeline-sender.js';
import { listProviders, type ChannelProvider } from '../providers/providers.js';
import { templateOf } from '../request-config.js';
import { renderContextOf } from '../render-context.js';
import { shortenLinks } from '../sms/short-links.js';
import { createCloudApi, type CloudApi, type WhatsappPayload } from './cloud-api.js';
import { WHATSAPP_CLOUD } from './provider-kinds.js';
import { renderWhatsapp } from './render.js';
import { MESSAGING_TIERS, releaseRecipient, takeRecipient, type MessagingTier } from './tier.js';
import { windowOpenUntil } from './window.js';

export interface WhatsappSenderDeps {
  store: Store;
  clock: Clock;
  secretBox: SecretBox;
  /** Base of short links (config.publicUrl). */
  publicUrl: string;
  allowPrivateOutbound?: boolean | undefined;
  templateCache?: TemplateCache | undefined;
}

interface ActiveProvider {
  id: string;
  updatedAt: number;
  api: CloudApi;
  cap: number | null;
}

interface WhatsappContext {
  provider: ActiveProvider | null;
  secret: string;
  ws: WorkspaceSettings;
}

/** Parameters may hold no newline, tab or more than four spaces in a row (Cloud API error 132018). */
const cleanParameter = (p: string) => p.replace(/[\r\n\t]+/g, ' ').replace(/ {5,}/g, '    ');

export interface WhatsappSender extends ChannelSender<WhatsappContext> {
  close(): void;
}

export function whatsappSender(deps: WhatsappSenderDeps): WhatsappSender {
  const { store, clock } = deps;
  const secrets = new Map<string, string>();
  const templateCache = deps.templateCache ?? new TemplateCache();
  const apis = new Map<string, ActiveProvider>();

  function active(p: ChannelProvider): ActiveProvider {
    const known = apis.get(p.id);
    if (known && known.updatedAt === p.updatedAt) return known;
    known?.api.close();
    const s = p.settings;
    const tier = (typeof s.messagingTier === 'string' && s.messagingTier in MESSAGING_TIERS ? s.messagingTier : '1k') as MessagingTier;
    const made: ActiveProvider = {
      id: p.id,
      updatedAt: p.updatedAt,
      cap: MESSAGING_TIERS[tier],
      api: createCloudApi({
        accessToken: p.secrets.accessToken ?? '',
        phoneNumberId: String(s.phoneNumberId),
        apiRoot: typeof s.apiRoot === 'string' ? s.apiRoot : undefined,
        version: typeof s.apiVersion === 'string' ? s.apiVersion : undefined,
        allowPrivateOutbound: deps.allowPrivateOutbound,
        clock,
      }),
    };
    apis.set(p.id, made);
    return made;
  }

  /** Links of the text (or of the parameters, one per line) made short and tracked. */
  async function track(payload: WhatsappPayload, d: ClaimedDelivery, secret: string): Promise<{ payload: WhatsappPayload; links: string[] }> {
    const input = { workspaceId: d.request.workspaceId, messageId: d.message.id, publicUrl: deps.publicUrl, secret, now: clock.now() };
    if (payload.type === 'text') {
      const short = await shortenLinks(store.db, { ...input, text: payload.text });
      return { payload: { type: 'text', text: short.text }, links: short.links };
    }
    const params = payload.parameters.map(cleanParameter);
    const short = await shortenLinks(store.db, { ...input, text: params.join('\n') });
    return { payload: { ...payload, parameters: params.length === 0 ? [] : short.text.split('\n') }, links: short.links };
  }

  async function deliver(d: ClaimedDelivery, context: WhatsappContext): Promise<DeliveryOutcome> {
    const { request, message, address } = d;
    const fail = (reason: string): DeliveryOutcome => ({ result: { status: 'permanent', reason }, content: null });
    const { provider, ws, secret } = context;
    if (!provider) return fail('the workspace has no WhatsApp provider (add one at /api/channels/whatsapp/providers)');

    let rendered;
    try {
      rendered = await renderWhatsapp(
        { store, templateCache },
        {
          ...renderContextOf(request, ws),
          templateId: message.templateId!,
        },
      );
    } catch (err) {
      if (!(err instanceof NotFoundError || err instanceof ValidationError)) throw err;
      return fail(`template: ${err.message}`);
    }

    const now = clock.now();
    if (rendered.payload.type === 'text') {
      // WhatsApp would refuse it (131047) and may count it against the number's quality: never ask.
      const until = await windowOpenUntil(store.db, request.workspaceId, address);
      if (until === null || now >= until) {
        const since = until === null ? 'the contact has never written to this number' : `the contact last wrote on ${new Date(until - 86_400_000).toISOString()}`;
        return fail(`outside the 24-hour customer-service window (${since}): WhatsApp takes only an approved template message, not free-form text`);
      }
    }
    const { payload, links } = await track(rendered.payload, d, secret);
    const content: SentContent = {
      provider: WHATSAPP_CLOUD,
      to: address,
      subject: payload.type === 'template' ? `${payload.name} (${payload.language})` : '',
      links,
      headerMessageId: null,
      templateVersion: rendered.version,
      segments: null,
      costMicros: null,
    };

    let taken = false;
    if (payload.type === 'template') {
      const tier = await takeRecipient(store, { workspaceId: request.workspaceId, providerId: provider.id, phone: address, cap: provider.cap, now });
      if (!tier.ok) return { result: { status: 'retryable', reason: `the number's messaging tier (${tier.cap} customers a day) is used up today`, retryAfterMs: tier.retryAfterMs }, content };
      taken = tier.taken;
    }
    const answer = await provider.api.send(address, payload);
    if (answer.status !== 'sent' && taken) await releaseRecipient(store, { workspaceId: request.workspaceId, providerId: provider.id, phone: address, now });
    switch (answer.status) {
      case 'sent':
        return { result: { status: 'sent', providerMessageId: answer.providerMessageId }, content };
      case 'retryable':
        return { result: { status: 'retryable', reason: answer.reason, ...(answer.retryAfterMs !== undefined ? { retryAfterMs: answer.retryAfterMs } : {}) }, content };
      case 'permanent':
        return { result: { status: 'permanent', reason: answer.reason }, content };
    }
  }

  return {
    descriptor: whatsappDescriptor,
    plan(request) {
      const templateId = templateOf(request);
      return templateId ? { templateId } : { error: 'a WhatsApp message needs a template (config.template)' };
    },
    address(raw) {
      const phone = normalizePhone(raw);
      return phone.ok ? { ok: true, value: phone.e164 } : { ok: false, reason: `invalid phone number: ${phone.reason}` };
    },
    async workspace(workspaceId) {
      const [providers, secret, ws] = await Promise.all([
        listProviders(store.db, deps.secretBox, workspaceId, 'whatsapp'),
        workspaceSecret(store, workspaceId, secrets),
        getWorkspaceSettings(store.db, workspaceId),
      ]);
      const first = providers.find((p) => p.kind === WHATSAPP_CLOUD);
      return { provider: first ? active(first) : null, secret, ws };
    },
    deliver,
    close() {
      for (const a of apis.values()) a.api.close();
      apis.clear();
    },
  };
}
