/**
 * @module The direct mail channel (`mail`) on the send pipeline (../pipeline.ts), which records the
 * message, claims it, and checks suppression of the address's key (returned mail, a do-not-mail list)
 * and `mail` consent at send time; this file brings what is direct mail's own (docs/mail.md
 * "Sending: journeys, broadcasts and the day's batch"):
 *
 *   - a message names its template (`config.template`, a mail template); the address is the
 *     contact's postal address, checked again by `checkSendable` (skipped with the reason) and
 *     handed to the pipeline as its key (./address-key.ts), which is what suppressions name;
 *   - per batch and workspace: the provider (the first mail provider by priority, or
 *     `config.provider`), the workspace's time zone and settings, the tracking secret;
 *   - per message: the piece's identity (its id derived from the message id, so a retry finds it; a
 *     personal URL; an optional promo code, `config.promoPrefix`), the template rendered (parsed once
 *     per version, ./piece-render.ts), printed (the renderer, pieces arriving together printed
 *     together), and added to the provider's day's batch (./day-batch.ts; the pieces made together
 *     stored together, ./day-batch-writer.ts) that the worker drops at the cut-off (./task.ts).
 *     Lob takes each piece at once, one API call with the message id as its Idempotency-Key.
 */
import fs from 'node:fs';
import { NotFoundError, ValidationError } from '../../core/errors.js';
import type { Clock } from '../../core/clock.js';
import { formatPostalAddress } from '../../contacts/postal-address-format.js';
import type { PostalAddress } from '../../contacts/postal-address.js';
import { checkSendable } from '../../contacts/postal-address-validate.js';
import type { SentContent } from '../../messages/records.js';
import type { Store } from '../../store/store.js';
import type { SecretBox } from '../../secrets/secret-box.js';
import { TemplateCache } from '../../templates/cache.js';
import { toPieceSource } from '../../templates/render-mail.js';
import { getWorkspaceSettings, type WorkspaceSettings } from '../../templates/workspace-settings.js';
import { workspaceSecret } from '../../tracking/tokens.js';
import { mailDescriptor } from '../descriptors.js';
import type { ChannelSender, ClaimedDelivery, DeliveryOutcome } from '../pipeline-sender.js';
import { listProviders, type ChannelProvider } from '../providers/providers.js';
import { nonEmptyString, templateOf } from '../request-config.js';
import { newShortToken } from '../sms/short-links.js';
import { mailAddressKey } from './address-key.js';
import { batchFiles } from './batch-files.js';
import { daySlot, DEFAULT_CUTOFF, findPiece, pieceIdOf, type StoredPiece } from './day-batch.js';
import { dayBatchWriter } from './day-batch-writer.js';
import { lobSettings } from './deliver.js';
import { submitToLob } from './lob/client.js';
import { newPromoCode, pieceUrl, PROMO_PREFIX } from './piece-identity.js';
import { renderMailPiece } from './piece-render.js';
import type { PieceResult, PieceSource } from './render/renderer.js';
import type { MailPieceKind, SheetFormat } from './tables.js';

export interface MailSenderDeps {
  store: Store;
  clock: Clock;
  secretBox: SecretBox;
  dataDir: string;
  /** Base of the personal URLs (config.publicUrl). */
  publicUrl: string;
  /** Prints one piece (pieces asked for together are printed in one batch: ./render-queue.ts). */
  print: (source: PieceSource) => Promise<PieceResult>;
  allowPrivateOutbound?: boolean | undefined;
  templateCache?: TemplateCache | undefined;
  /** How long the day-batch writer waits for more pieces before writing (default 5 ms; ./day-batch-writer.ts). */
  batchQuietMs?: number | undefined;
}

interface MailContext {
  providers: ChannelProvider[];
  timeZone: string;
  secret: string;
  ws: WorkspaceSettings;
}

const SHEETS: Record<string, SheetFormat> = { 'letter-a4': 'a4', 'letter-us': 'us_letter', 'postcard-a6': 'a6', 'postcard-6x4': '6x4' };

const micros = (amount: unknown) => (typeof amount === 'number' ? Math.round(amount * 1_000_000) : 0);

export function mailSender(deps: MailSenderDeps): ChannelSender<MailContext> {
  const { store, clock } = deps;
  const secrets = new Map<string, string>();
  const templateCache = deps.templateCache ?? new TemplateCache();
  // The pieces of a send batch are stored in one transaction, not one each (./day-batch-writer.ts).
  const addToBatch = dayBatchWriter({ store, clock, dataDir: deps.dataDir }, { quietMs: deps.batchQuietMs });

  /** Renders, prints and stores the piece in the day's batch; a string is why it cannot be made. */
  async function makePiece({ request, message }: ClaimedDelivery, ctx: MailContext, provider: ChannelProvider, address: PostalAddress): Promise<{ piece: StoredPiece; version: number } | string> {
    const id = pieceIdOf(message.id);
    const promoPrefix = nonEmptyString(request.config.promoPrefix);
    const identity = { id, token: newShortToken(ctx.secret), promoCode: promoPrefix && PROMO_PREFIX.test(promoPrefix) ? newPromoCode(promoPrefix) : null };
    const senderCountry = typeof provider.settings.senderCountry === 'string' ? provider.settings.senderCountry : address.country;
    let rendered;
    try {
      rendered = await renderMailPiece(
        { store, templateCache },
        {
          workspaceId: request.workspaceId,
          templateId: message.templateId!,
          contact: request.contact,
          context: { trigger: request.context.trigger, event: request.context.event, data: request.context.data },
          workspace: { name: ctx.ws.name, postalAddress: ctx.ws.postalAddress ?? '' },
          piece: { url: pieceUrl(deps.publicUrl, identity.token), promoCode: identity.promoCode ?? undefined, addressLines: formatPostalAddress(address, { senderCountry }) },
        },
      );
    } catch (err) {
      if (!(err instanceof NotFoundError || err instanceof ValidationError)) throw err;
      return `template: ${err.message}`;
    }
    const addressLines = formatPostalAddress(address, { senderCountry, senderLanguage: rendered.locale.split('-')[0] });
    const printed = await deps.print(toPieceSource(id, rendered, addressLines));
    if (!printed.ok) return printed.reason;
    const kind: MailPieceKind = rendered.paper.startsWith('postcard') ? 'postcard' : 'letter';
    const cost = micros(kind === 'letter' ? provider.settings.costPerLetter : provider.settings.costPerPostcard);
    const cutoff = typeof provider.settings.cutoff === 'string' ? provider.settings.cutoff : DEFAULT_CUTOFF;
    const now = clock.now();
    const piece = await addToBatch({
      piece: {
        workspaceId: request.workspaceId,
        providerId: provider.id,
        identity,
        contactId: request.contact.id,
        messageId: message.id,
        kind,
        sheetFormat: SHEETS[rendered.paper] ?? 'a4',
        address,
        pdf: printed.pdf,
        pages: printed.pages,
        costMicros: cost,
        targetUrl: nonEmptyString(request.config.url) ?? undefined,
      },
      slot: daySlot(now, ctx.timeZone, cutoff),
      timeZone: ctx.timeZone,
    });
    return { piece, version: rendered.version };
  }

  /** Lob: the piece goes at once, under the message id as Idempotency-Key. */
  async function submitLob(piece: StoredPiece, provider: ChannelProvider, address: PostalAddress, messageId: string): Promise<DeliveryOutcome['result']> {
    const now = clock.now();
    const pdf = fs.readFileSync(batchFiles(deps.dataDir, piece.workspace_id, piece.batch_id).piecePdf(piece.id));
    const r = await submitToLob(lobSettings(provider, deps.allowPrivateOutbound), { id: piece.id, kind: piece.kind, to: address, pdf, idempotencyKey: messageId, metadata: { qatra_piece: piece.id } });
    const row = store.db.updateTable('mail_pieces').where('workspace_id', '=', piece.workspace_id).where('id', '=', piece.id).where('status', '=', 'created');
    switch (r.status) {
      case 'sent':
        await row
          .set({ status: 'submitted', provider_piece_id: r.providerId, tracking_number: r.trackingNumber, expected_delivery_date: r.expectedDeliveryDate, error: null, updated_at: now })
          .execute();
        return { status: 'sent', providerMessageId: r.providerId };
      case 'permanent':
        await row.set({ status: 'failed', error: r.error, cost_micros: 0, updated_at: now }).execute();
        return { status: 'permanent', reason: r.error };
      case 'retryable':
        await row.set({ error: r.error, updated_at: now }).execute();
        return { status: 'retryable', reason: r.error, ...(r.retryAfterMs !== undefined ? { retryAfterMs: r.retryAfterMs } : {}) };
    }
  }

  async function deliver(claimed: ClaimedDelivery, ctx: MailContext): Promise<DeliveryOutcome> {
    const { request, message } = claimed;
    const fail = (reason: string): DeliveryOutcome => ({ result: { status: 'permanent', reason }, content: null });
    const wanted = nonEmptyString(request.config.provider);
    const provider = wanted ? ctx.providers.find((p) => p.id === wanted) : ctx.providers[0];
    if (!provider) return fail(wanted ? `no mail provider ${wanted}` : 'the workspace has no mail provider (/api/channels/mail/providers)');
    const sendable = checkSendable(request.contact.address);
    if (!sendable.ok) return { result: { status: 'skipped', reason: sendable.reason }, content: null };
    const address = sendable.address;

    let piece = await findPiece(store.db, request.workspaceId, pieceIdOf(message.id));
    let version: number | null = null;
    if (!piece) {
      const made = await makePiece(claimed, ctx, provider, address);
      if (typeof made === 'string') return fail(made);
      ({ piece, version } = made);
    }
    const content: SentContent = {
      provider: provider.kind,
      to: formatPostalAddress(address, { senderCountry: address.country }).join(', '),
      subject: '',
      links: [],
      headerMessageId: null,
      templateVersion: version,
      segments: Number(piece.pages),
      costMicros: Number(piece.cost_micros),
    };
    if (piece.status === 'failed') return { result: { status: 'permanent', reason: piece.error ?? 'the piece failed' }, content };
    if (provider.kind === 'lob' && piece.status === 'created') return { result: await submitLob(piece, provider, address, message.id), content };
    return { result: { status: 'sent', providerMessageId: piece.provider_piece_id ?? piece.id }, content };
  }

  return {
    descriptor: mailDescriptor,
    plan(request) {
      const templateId = templateOf(request);
      return templateId ? { templateId } : { error: 'a direct mail message needs a template (config.template)' };
    },
    address(raw) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(raw);
      } catch {
        return { ok: false, reason: 'the postal address is not readable' };
      }
      const sendable = checkSendable(parsed);
      // Suppressions (returned mail, do-not-mail lists) name the address by its key.
      return sendable.ok ? { ok: true, value: mailAddressKey(sendable.address) } : { ok: false, reason: sendable.reason };
    },
    async workspace(workspaceId) {
      const [providers, secret, ws, row] = await Promise.all([
        listProviders(store.db, deps.secretBox, workspaceId, 'mail'),
        workspaceSecret(store, workspaceId, secrets),
        getWorkspaceSettings(store.db, workspaceId),
        store.db.selectFrom('workspaces').select('timezone').where('id', '=', workspaceId).executeTakeFirst(),
      ]);
      return { providers, secret, ws, timeZone: row?.timezone ?? 'UTC' };
    },
    deliver,
  };
}
