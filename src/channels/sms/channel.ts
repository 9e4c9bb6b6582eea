/**
 * @module The SMS channel (`sms`) on the send pipeline (../pipeline.ts), which records, claims,
 * checks the number's suppression and `sms` consent, and settles; this file brings what is SMS's own
 * (docs/sms.md, docs/standards.md SMS):
 *
 *   - a message names its template (`config.template`, an SMS template); the address is the
 *     contact's phone in E.164 (src/core/phone.ts);
 *   - per batch and workspace: SMS settings, the provider (./providers/pool.ts), the tracking secret;
 *   - per message: render the locale variant (renderSms); a marketing SMS gets the opt-out line in
 *     the contact's language unless it carries one, and waits for the destination country's
 *     promotional window; links become short tracked links (./short-links.ts); the encoding and
 *     segments are counted (./encoding.ts) and a message longer than the workspace allows is
 *     refused; the sender id is the country's or the default, marked for promotional SMS where the
 *     country requires it (./country-rules.ts); the provider's throughput limit is shared by every
 *     worker (../rate-limit.ts); an invalid or landline number is suppressed.
 */
import type { Clock } from '../../core/clock.js';
import { NotFoundError, ValidationError } from '../../core/errors.js';
import { normalizePhone } from '../../core/phone.js';
import { recipientZone } from '../../guards/recipient-zone.js';
import { checkQuietHours } from '../../guards/guards.js';
import type { Store } from '../../store/store.js';
import type { SentContent } from '../../messages/records.js';
import { TemplateCache } from '../../templates/cache.js';
import { renderSms } from '../../templates/render-sms.js';
import { getWorkspaceSettings, type WorkspaceSettings } from '../../templates/workspace-settings.js';
import { workspaceSecret } from '../../tracking/tokens.js';
import type { SendResult } from '../channel.js';
import { smsDescriptor } from '../descriptors.js';
import type { ChannelSender, ClaimedDelivery, DeliveryOutcome } from '../pipeline-sender.js';
import { inSendingWindow, markSenderId } from './country-rules.js';
import { analyzeSms } from './encoding.js';
import { appendOptOut } from './opt-out.js';
import type { SmsSendResult } from './provider.js';
import type { ActiveSmsProvider, SmsProviderPool } from './providers/pool.js';
import { CircuitBoard, DEFAULT_CIRCUIT_POLICY } from '../circuits.js';
import { getSmsSettings, type SmsSettings } from './settings.js';
import { renderContextOf } from '../render-context.js';
import { shortenLinks } from './short-links.js';
import { telegramLinks } from '../telegram/deep-link.js';
import { nonEmptyString, templateOf } from '../request-config.js';

/** Takes one message of a provider's per-second budget; answers how long to wait when there is none left. */
export type RateTaker = (providerKey: string, perSecond: number) => Promise<{ granted: boolean; retryAfterMs: number }>;

export interface SmsSenderDeps {
  store: Store;
  clock: Clock;
  /** Base of short links and of providers' status callbacks (config.publicUrl). */
  publicUrl: string;
  providers: SmsProviderPool;
  takeRate: RateTaker;
  templateCache?: TemplateCache | undefined;
  /** Longest a send waits for its provider's budget before answering retryable (default 2 s). */
  maxRateWaitMs?: number | undefined;
  /** Where a provider posts receipts for a message it took, when it posts them over HTTP. */
  statusCallbackUrl?: ((provider: ActiveSmsProvider) => string | undefined) | undefined;
}

interface SmsContext {
  settings: SmsSettings;
  /** In priority order: a retryable failure tries the next (failover), each behind its circuit. */
  providers: ActiveSmsProvider[];
  circuits: CircuitBoard;
  secret: string;
  ws: WorkspaceSettings;
}

/** An SMS provider's circuit among the workspace's circuits (email ones are list slugs, never with a colon). */
const circuitOf = (provider: ActiveSmsProvider) => `sms:${provider.id}`;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function fromProvider(result: SmsSendResult): { result: SendResult; invalidNumber: boolean } {
  switch (result.status) {
    case 'sent':
      return { result: { status: 'sent', providerMessageId: result.providerMessageId }, invalidNumber: false };
    case 'retryable':
      return { result: { status: 'retryable', reason: result.reason, ...(result.retryAfterMs !== undefined ? { retryAfterMs: result.retryAfterMs } : {}) }, invalidNumber: false };
    case 'permanent':
      return { result: { status: 'permanent', reason: result.reason }, invalidNumber: result.invalidNumber === true };
  }
}

export function smsSender(deps: SmsSenderDeps): ChannelSender<SmsContext> {
  const { store, clock } = deps;
  const secrets = new Map<string, string>();
  const templateCache = deps.templateCache ?? new TemplateCache();
  const maxRateWaitMs = deps.maxRateWaitMs ?? 2_000;
  const telegramLink = telegramLinks(store.db, clock);

  /** Waits for the provider's budget (shared by every worker) up to maxRateWaitMs; false when it stayed empty. */
  async function budget(provider: ActiveSmsProvider): Promise<{ ok: true } | { ok: false; retryAfterMs: number }> {
    if (provider.perSecond === undefined) return { ok: true };
    const until = Date.now() + maxRateWaitMs;
    for (;;) {
      const { granted, retryAfterMs } = await deps.takeRate(provider.id, provider.perSecond);
      if (granted) return { ok: true };
      if (Date.now() + retryAfterMs > until) return { ok: false, retryAfterMs };
      await sleep(Math.max(1, retryAfterMs));
    }
  }

  async function deliver({ request, message, address }: ClaimedDelivery, context: SmsContext): Promise<DeliveryOutcome> {
    const { settings, providers, circuits, secret, ws } = context;
    const marketing = request.kind === 'marketing';
    const phone = normalizePhone(address);
    const country = phone.ok ? phone.country : undefined;
    const overrides = settings.countryRules;
    const fail = (reason: string): DeliveryOutcome => ({ result: { status: 'permanent', reason }, content: null });

    if (marketing) {
      // The recipient's zone: the contact's own, else the one its number's country implies.
      const zone = recipientZone({ timezone: request.contact.timezone, phone: address }, 'sms', 'UTC');
      // The destination country's promotional window (Saudi Arabia: 08:00–21:00 Riyadh time); the
      // step waits for it, once, rather than sending at night.
      const window = inSendingWindow(country, clock.now(), zone, { kind: 'promotional', overrides });
      if (!window.allowed)
        return { result: { status: 'retryable', reason: `outside ${country}'s promotional window (${window.timeZone})`, retryAfterMs: window.nextAllowedAt - clock.now() }, content: null };
      // The workspace's SMS quiet hours (default 21:00–08:00) in the recipient's zone, for every country.
      const quiet = checkQuietHours({ ...settings.quietHours, outcome: 'defer' }, clock.now(), zone);
      if (!quiet.ok) return { result: { status: 'retryable', reason: quiet.reason, retryAfterMs: quiet.until - clock.now() }, content: null };
    }

    let rendered: { text: string; locale: string | null; version: number | null };
    try {
      rendered =
        message.templateId === null
          ? { text: String(request.config.text), locale: request.contact.locale, version: null }
          : await renderSms(
              { store, templateCache },
              {
                ...renderContextOf(request, ws),
                templateId: message.templateId!,
                links: { unsubscribeUrl: '', preferencesUrl: '', telegramLink: await telegramLink(request.workspaceId, secret, request.contact.id) },
              },
            );
    } catch (err) {
      if (!(err instanceof NotFoundError || err instanceof ValidationError)) throw err;
      return fail(`template: ${err.message}`);
    }
    const withOptOut = marketing ? appendOptOut(rendered.text, rendered.locale, country, overrides) : rendered.text;
    const short = await shortenLinks(store.db, { workspaceId: request.workspaceId, messageId: message.id, text: withOptOut, publicUrl: deps.publicUrl, secret, now: clock.now() });
    const analysis = analyzeSms(short.text, { replaceTypographic: settings.replaceTypographic });
    if (analysis.segments === 0) return fail('the rendered SMS is empty');
    if (analysis.segments > settings.maxSegments) return fail(`the SMS is ${analysis.segments} segments (${analysis.encoding}); the workspace allows ${settings.maxSegments}`);

    // The one record (its id and idempotency key) goes to the providers in turn: an open circuit is
    // skipped; a retryable answer counts against the provider's circuit (a rate limit with its
    // Retry-After does not: the provider is fine, only busy) and the next one is tried at once.
    let last: DeliveryOutcome | null = null;
    for (const provider of providers) {
      if (!(await circuits.allow(circuitOf(provider)))) continue;
      const chosen = (country && settings.senderIds[country]) || settings.senderIds.default || provider.from || 'Qatra';
      const sender = marketing ? markSenderId(chosen, country, 'promotional', overrides) : { ok: true as const, senderId: chosen };
      if (!sender.ok) return fail(sender.reason);
      const content: SentContent = {
        provider: provider.kind,
        to: address,
        subject: '',
        links: short.links,
        headerMessageId: null,
        templateVersion: rendered.version,
        segments: analysis.segments,
        costMicros: provider.costMicrosPerSegment === undefined ? null : provider.costMicrosPerSegment * analysis.segments,
      };
      // A provider's pace is shared by every worker; at its limit the message waits for it (a pace is
      // not a failure, and spilling onto the next provider would undo the priority order).
      const waited = await budget(provider);
      if (!waited.ok) return { result: { status: 'retryable', reason: `provider ${provider.id} is at its ${provider.perSecond}/s limit`, retryAfterMs: waited.retryAfterMs }, content };
      const answer = await provider.provider.send({
        recordId: message.id,
        idempotencyKey: request.idempotencyKey,
        to: address,
        from: sender.senderId,
        body: analysis.text,
        encoding: analysis.encoding,
        segments: analysis.segments,
        statusCallbackUrl: deps.statusCallbackUrl?.(provider),
      });
      const { result, invalidNumber } = fromProvider(answer);
      if (result.status !== 'retryable') {
        await circuits.succeeded(circuitOf(provider));
        if (invalidNumber) return { result, content, suppressAddress: { source: provider.kind, detail: result.status === 'permanent' ? result.reason : 'invalid number', bounced: false } };
        return { result, content };
      }
      last = { result, content };
      if (answer.status === 'retryable' && answer.retryAfterMs === undefined) await circuits.failed(circuitOf(provider), result.reason);
    }
    return last ?? { result: { status: 'retryable', reason: `the circuit of every SMS provider is open (${providers.map((p) => p.id).join(', ')})` }, content: null };
  }

  return {
    descriptor: smsDescriptor,
    plan(request) {
      const templateId = templateOf(request);
      if (templateId) return { templateId };
      // A transactional answer written by Qatra itself (a STOP confirmation, the HELP text) has no template.
      if (request.kind === 'transactional' && nonEmptyString(request.config.text)) return { templateId: null };
      return { error: 'an SMS message needs a template (config.template)' };
    },
    address(raw) {
      // Stored numbers are E.164 already (normalised when they came in); anything else is refused here.
      const phone = normalizePhone(raw);
      return phone.ok ? { ok: true, value: phone.e164 } : { ok: false, reason: `invalid phone number: ${phone.reason}` };
    },
    async workspace(workspaceId) {
      const [settings, providers, circuits, secret, ws] = await Promise.all([
        getSmsSettings(store.db, workspaceId),
        deps.providers.list(workspaceId),
        CircuitBoard.load({ store, clock }, workspaceId, DEFAULT_CIRCUIT_POLICY),
        workspaceSecret(store, workspaceId, secrets),
        getWorkspaceSettings(store.db, workspaceId),
      ]);
      return { settings, providers, circuits, secret, ws };
    },
    deliver,
  };
}
