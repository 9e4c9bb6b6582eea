/**
 * @module The day's batch (docs/mail.md "Sending: journeys, broadcasts and the day's batch"): a piece
 * sent by a journey step or a broadcast joins its provider's open batch (status `building`, send key
 * `day:<provider>:<YYYY-MM-DD>`), the one that closes at the next cut-off (the provider's `cutoff`,
 * `HH:MM` in the workspace's time zone, default 17:00). A piece sent after the cut-off goes into the
 * next day's batch.
 *
 * Adding a piece locks its batch row (FOR UPDATE; SQLite's one writer) and checks it is still
 * `building`: the worker closing the batch takes the same lock, so a piece never joins a batch whose
 * merged PDF is already being built. The piece's id is derived from its message's id, so a retried
 * message finds its piece instead of printing a second one.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fromLocal, localParts, nextTimeOfDay } from '../../core/local-time.js';
import { newId } from '../../core/ids.js';
import { toJson } from '../../core/json.js';
import type { PostalAddress } from '../../contacts/postal-address.js';
import type { Db, Store } from '../../store/store.js';
import { batchFiles } from './batch-files.js';
import type { PieceIdentity } from './piece-identity.js';
import type { MailPieceKind, MailPiecesTable, SheetFormat } from './tables.js';
import type { Selectable } from 'kysely';

export const DEFAULT_CUTOFF = '17:00';

export interface DaySlot {
  /** YYYY-MM-DD in the workspace's zone. */
  day: string;
  /** When that day's batch closes. */
  cutoffAt: number;
}

const pad = (n: number) => String(n).padStart(2, '0');

/** The batch a piece made at `now` joins: the one closing at the first cut-off after `now`. */
export function daySlot(now: number, timeZone: string, cutoff: string = DEFAULT_CUTOFF): DaySlot {
  const cutoffAt = nextTimeOfDay(now + 1, timeZone, cutoff);
  const p = localParts(cutoffAt, timeZone);
  return { day: `${p.year}-${pad(p.month)}-${pad(p.day)}`, cutoffAt };
}

/** The slot of the day after `slot` (same cut-off time of day). */
export function nextSlot(slot: DaySlot, timeZone: string): DaySlot {
  const p = localParts(slot.cutoffAt, timeZone);
  const cutoffAt = fromLocal(p.year, p.month, p.day + 1, p.hour, p.minute, timeZone);
  const q = localParts(cutoffAt, timeZone);
  return { day: `${q.year}-${pad(q.month)}-${pad(q.day)}`, cutoffAt };
}

/** A piece's id for a message: one message, one piece, however often it is retried. */
export function pieceIdOf(messageId: string): string {
  return `mp_${messageId.replace(/^[a-z]+_/, '')}`;
}

export interface NewDayPiece {
  workspaceId: string;
  providerId: string;
  identity: PieceIdentity;
  contactId: string;
  messageId: string;
  kind: MailPieceKind;
  sheetFormat: SheetFormat;
  address: PostalAddress;
  pdf: Uint8Array;
  pages: number;
  costMicros: number;
  targetUrl?: string | undefined;
}

export interface DayBatchDeps {
  store: Store;
  dataDir: string;
}

export type StoredPiece = Selectable<MailPiecesTable>;

export async function findPiece(db: Db, workspaceId: string, pieceId: string): Promise<StoredPiece | undefined> {
  return db.selectFrom('mail_pieces').selectAll().where('workspace_id', '=', workspaceId).where('id', '=', pieceId).executeTakeFirst();
}

/** The open batch of `slot` for the provider, created when missing and locked; null when it is closed already. */
async function openBatch(deps: DayBatchDeps, trx: Db, workspaceId: string, providerId: string, slot: DaySlot, now: number): Promise<string | null> {
  const sendKey = `day:${providerId}:${slot.day}`;
  await trx
    .insertInto('mail_batches')
    .values({
      workspace_id: workspaceId,
      id: newId('mb', now),
      send_key: sendKey,
      provider_id: providerId,
      status: 'building',
      piece_count: 0,
      page_count: 0,
      cost_micros: 0,
      created_at: now,
      day: slot.day,
      cutoff_at: slot.cutoffAt,
    })
    .onConflict((oc) => oc.columns(['workspace_id', 'send_key']).doNothing())
    .execute();
  const batch = await deps.store.adapter
    .lockRows(trx.selectFrom('mail_batches').select(['id', 'status']).where('workspace_id', '=', workspaceId).where('send_key', '=', sendKey))
    .executeTakeFirstOrThrow();
  return batch.status === 'building' ? batch.id : null;
}

/**
 * Adds the piece to the day's batch of `slot` (or the next day's, when that one closed already),
 * writing its PDF under the batch's directory. Returns the stored piece; a piece already stored
 * (a retried message) is returned as it is.
 */
export async function addToDayBatch(deps: DayBatchDeps, piece: NewDayPiece, slot: DaySlot, timeZone: string, now: number): Promise<{ piece: StoredPiece; created: boolean }> {
  return deps.store.transaction(async (trx) => {
    const before = await findPiece(trx, piece.workspaceId, piece.identity.id);
    if (before) return { piece: before, created: false };
    let at = slot;
    let batchId = await openBatch(deps, trx, piece.workspaceId, piece.providerId, at, now);
    for (let tries = 0; batchId === null && tries < 7; tries++) {
      at = nextSlot(at, timeZone);
      batchId = await openBatch(deps, trx, piece.workspaceId, piece.providerId, at, now);
    }
    if (batchId === null) throw new Error(`no open mail batch for provider ${piece.providerId} within a week of ${slot.day}`);
    // The file first: a rollback leaves an orphan file no manifest names, a failed write no row.
    const file = batchFiles(deps.dataDir, piece.workspaceId, batchId).piecePdf(piece.identity.id);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, piece.pdf);
    const row = {
      workspace_id: piece.workspaceId,
      id: piece.identity.id,
      batch_id: batchId,
      contact_id: piece.contactId,
      message_id: piece.messageId,
      kind: piece.kind,
      sheet_format: piece.sheetFormat,
      pages: piece.pages,
      address: toJson(piece.address),
      country: piece.address.country,
      postcode: piece.address.postcode ?? null,
      status: 'created' as const,
      cost_micros: piece.costMicros,
      token: piece.identity.token,
      target_url: piece.targetUrl ?? null,
      promo_code: piece.identity.promoCode,
      created_at: now,
      updated_at: now,
    };
    await trx.insertInto('mail_pieces').values(row).execute();
    await trx
      .updateTable('mail_batches')
      .set((eb) => ({ piece_count: eb('piece_count', '+', 1), page_count: eb('page_count', '+', piece.pages), cost_micros: eb('cost_micros', '+', piece.costMicros) }))
      .where('workspace_id', '=', piece.workspaceId)
      .where('id', '=', batchId)
      .execute();
    return { piece: (await findPiece(trx, piece.workspaceId, piece.identity.id))!, created: true };
  });
}
