/**
 * @module Handing a built batch (./batch.ts) to its provider (docs/mail.md "Batches and print houses",
 * "Lob"), by the provider's kind (./provider-kinds.ts):
 *
 *  - `print_dir` / `print_sftp`: the batch PDF and both manifests are dropped (./print-drop/drop.ts);
 *    the batch becomes `delivered` (with where it went) and its pieces `submitted`, with the expected
 *    delivery date from the provider's `deliveryDays`;
 *  - `lob`: every piece still `created` is submitted on its own (./lob/client.ts, the piece id as
 *    the idempotency key): `sent` → `submitted` with Lob's id, date and tracking number; `permanent`
 *    → `failed` with Lob's reason (the batch goes on); `retryable` → left `created` for the next
 *    attempt. The batch is `delivered` once no piece is left `created`.
 *
 * Returns what is left to do: `retryable` means "call again later" (the scheduler's retry policy
 * decides when); a repeated call never sends a piece or a drop twice.
 */
import fs from 'node:fs';
import type { Clock } from '../../core/clock.js';
import { fromJson } from '../../core/json.js';
import type { PostalAddress } from '../../contacts/postal-address.js';
import type { Store } from '../../store/store.js';
import type { ChannelProvider } from '../providers/providers.js';
import { batchFiles } from './batch-files.js';
import { submitToLob, type LobSettings } from './lob/client.js';
import { dirTarget } from './print-drop/dir-target.js';
import { dropBatch, type DropTarget } from './print-drop/drop.js';
import { sftpTarget } from './print-drop/sftp-target.js';

export interface DeliverDeps {
  store: Store;
  clock: Clock;
  dataDir: string;
  allowPrivateOutbound?: boolean | undefined;
}

export type DeliverResult = { status: 'delivered'; location: string | null; submitted: number; failed: number } | { status: 'retryable'; error: string; submitted: number; failed: number };

/** YYYY-MM-DD `days` after `now` (UTC). */
export function dateAfter(now: number, days: number): string {
  return new Date(now + days * 86_400_000).toISOString().slice(0, 10);
}

export function expectedDays(provider: Pick<ChannelProvider, 'settings'>, country: string): number | null {
  const days = provider.settings.deliveryDays as Record<string, number> | undefined;
  return days?.[country] ?? days?.['*'] ?? null;
}

async function dropTarget(deps: DeliverDeps, provider: ChannelProvider): Promise<DropTarget> {
  const s = provider.settings;
  if (provider.kind === 'print_dir') return dirTarget(String(s.directory));
  return sftpTarget({
    host: String(s.host),
    port: Number(s.port ?? 22),
    username: String(s.username),
    directory: String(s.directory ?? '.'),
    hostKeyFingerprint: String(s.hostKeyFingerprint),
    password: provider.secrets.password,
    privateKey: provider.secrets.privateKey,
    allowPrivateOutbound: deps.allowPrivateOutbound,
  });
}

async function deliverToPrintHouse(deps: DeliverDeps, workspaceId: string, batchId: string, provider: ChannelProvider): Promise<DeliverResult> {
  const files = batchFiles(deps.dataDir, workspaceId, batchId);
  let location: string;
  try {
    const target = await dropTarget(deps, provider);
    try {
      ({ location } = await dropBatch(target, batchId, [
        { name: 'batch.pdf', path: files.batchPdf },
        { name: 'manifest.csv', path: files.manifestCsv },
        { name: 'manifest.json', path: files.manifestJson },
      ]));
    } finally {
      await target.close();
    }
  } catch (err) {
    const error = `print drop failed: ${(err as Error).message.slice(0, 300)}`;
    await deps.store.db.updateTable('mail_batches').set({ error }).where('workspace_id', '=', workspaceId).where('id', '=', batchId).execute();
    return { status: 'retryable', error, submitted: 0, failed: 0 };
  }
  const now = deps.clock.now();
  // A day's batch leaves at its cut-off: the transit days count from there (a late retry does not move the date).
  const batch = await deps.store.db.selectFrom('mail_batches').select('cutoff_at').where('workspace_id', '=', workspaceId).where('id', '=', batchId).executeTakeFirst();
  const handedOver = batch?.cutoff_at === null || batch?.cutoff_at === undefined ? now : Math.min(now, Number(batch.cutoff_at));
  return deps.store.transaction(async (trx) => {
    const pieces = await trx.selectFrom('mail_pieces').select(['id', 'country']).where('workspace_id', '=', workspaceId).where('batch_id', '=', batchId).where('status', '=', 'created').execute();
    for (const p of pieces) {
      const days = expectedDays(provider, p.country);
      await trx
        .updateTable('mail_pieces')
        .set({ status: 'submitted', expected_delivery_date: days === null ? null : dateAfter(handedOver, days), updated_at: now })
        .where('workspace_id', '=', workspaceId)
        .where('id', '=', p.id)
        .execute();
    }
    await trx
      .updateTable('mail_batches')
      .set({ status: 'delivered', delivered_to: location, delivered_at: now, error: null })
      .where('workspace_id', '=', workspaceId)
      .where('id', '=', batchId)
      .execute();
    return { status: 'delivered' as const, location, submitted: pieces.length, failed: 0 };
  });
}

export function lobSettings(provider: ChannelProvider, allowPrivateOutbound?: boolean): LobSettings {
  const s = provider.settings;
  return {
    baseUrl: typeof s.baseUrl === 'string' ? s.baseUrl : 'https://api.lob.com',
    apiKey: provider.secrets.apiKey ?? '',
    from: s.from as PostalAddress,
    useType: s.useType === 'operational' ? 'operational' : 'marketing',
    color: s.color !== false,
    allowPrivateOutbound,
  };
}

async function deliverToLob(deps: DeliverDeps, workspaceId: string, batchId: string, provider: ChannelProvider): Promise<DeliverResult> {
  const files = batchFiles(deps.dataDir, workspaceId, batchId);
  const settings = lobSettings(provider, deps.allowPrivateOutbound);
  const pieces = await deps.store.db
    .selectFrom('mail_pieces')
    .select(['id', 'kind', 'address', 'country', 'message_id'])
    .where('workspace_id', '=', workspaceId)
    .where('batch_id', '=', batchId)
    .where('status', '=', 'created')
    .orderBy('id')
    .execute();
  let submitted = 0;
  let failed = 0;
  let retry: string | null = null;
  for (const p of pieces) {
    const result = await submitToLob(settings, {
      id: p.id,
      kind: p.kind,
      to: fromJson<PostalAddress>(p.address),
      pdf: fs.readFileSync(files.piecePdf(p.id)),
      idempotencyKey: p.message_id ?? p.id,
      metadata: { qatra_piece: p.id },
    });
    const now = deps.clock.now();
    const piece = deps.store.db.updateTable('mail_pieces').where('workspace_id', '=', workspaceId).where('id', '=', p.id).where('status', '=', 'created');
    if (result.status === 'sent') {
      const days = expectedDays(provider, p.country);
      await piece
        .set({
          status: 'submitted',
          provider_piece_id: result.providerId,
          tracking_number: result.trackingNumber,
          expected_delivery_date: result.expectedDeliveryDate ?? (days === null ? null : dateAfter(now, days)),
          error: null,
          updated_at: now,
        })
        .execute();
      submitted++;
    } else if (result.status === 'permanent') {
      await piece.set({ status: 'failed', error: result.error, updated_at: now }).execute();
      failed++;
    } else {
      await piece.set({ error: result.error, updated_at: now }).execute();
      retry ??= result.error;
    }
  }
  if (retry) return { status: 'retryable', error: retry, submitted, failed };
  const now = deps.clock.now();
  await deps.store.db
    .updateTable('mail_batches')
    .set({ status: 'delivered', delivered_to: settings.baseUrl, delivered_at: now, error: null })
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', batchId)
    .execute();
  return { status: 'delivered', location: settings.baseUrl, submitted, failed };
}

export async function deliverBatch(deps: DeliverDeps, workspaceId: string, batchId: string, provider: ChannelProvider): Promise<DeliverResult> {
  if (provider.channel !== 'mail') throw new Error(`provider ${provider.id} is not a mail provider`);
  const batch = await deps.store.db.selectFrom('mail_batches').select(['status']).where('workspace_id', '=', workspaceId).where('id', '=', batchId).executeTakeFirst();
  if (!batch) throw new Error(`no mail batch ${batchId}`);
  if (batch.status === 'delivered') return { status: 'delivered', location: null, submitted: 0, failed: 0 };
  switch (provider.kind) {
    case 'print_dir':
    case 'print_sftp':
      return deliverToPrintHouse(deps, workspaceId, batchId, provider);
    case 'lob':
      return deliverToLob(deps, workspaceId, batchId, provider);
    default:
      throw new Error(`unknown mail provider kind ${provider.kind}`);
  }
}
