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

/** One piece to add: the piece, the slot it was made for, and the workspace's zone. */
export interface DayPieceInput {
  piece: NewDayPiece;
  slot: DaySlot;
  timeZone: string;
}

/** Rows per INSERT: 18 parameters a row stays far below SQLite's 32,766 and PostgreSQL's 65,535. */
const INSERT_ROWS = 200;

/**
 * Adds the pieces to their day's batches (each to the batch of its slot, or the next day's when that
 * one closed already) in ONE transaction: the pieces already stored (retried messages) are read at
 * once and returned as they are; each batch row is created if missing, locked once (in send key
 * order, so two writers never wait on each other crosswise) and updated once with the sums of the
 * pieces it gained; the new rows go in one INSERT per 200. Measured with `npm run bench -- mail
 * --part send` (docs/benchmarks.md): a transaction per piece serialised every piece of a send batch
 * on the batch row's lock. Either every piece of the call is stored and counted, or none (a worker
 * killed mid-call leaves its messages queued and the retry stores them).
 */
export async function addToDayBatches(deps: DayBatchDeps, inputs: readonly DayPieceInput[], now: number): Promise<{ piece: StoredPiece; created: boolean }[]> {
  if (inputs.length === 0) return [];
  return deps.store.transaction(async (trx) => {
    const stored = new Map<string, StoredPiece>();
    const byWorkspace = groupBy(inputs, (x) => x.piece.workspaceId);
    for (const [workspaceId, list] of byWorkspace) {
      for (const row of await findPieces(trx, workspaceId, unique(list.map((x) => x.piece.identity.id)))) stored.set(`${workspaceId}\u0000${row.id}`, row);
    }
    const keyOf = (p: NewDayPiece) => `${p.workspaceId}\u0000${p.identity.id}`;
    const fresh = new Map<string, DayPieceInput>();
    for (const x of inputs) if (!stored.has(keyOf(x.piece)) && !fresh.has(keyOf(x.piece))) fresh.set(keyOf(x.piece), x);

    // The batch each new piece joins, opened and locked once per (workspace, provider, day).
    const groups = [...groupBy([...fresh.values()], (x) => `${x.piece.workspaceId}\u0000${x.piece.providerId}\u0000${x.slot.day}`)].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    const inserted: { batchId: string; input: DayPieceInput }[] = [];
    for (const [, group] of groups) {
      const first = group[0]!;
      let at = first.slot;
      let batchId = await openBatch(deps, trx, first.piece.workspaceId, first.piece.providerId, at, now);
      for (let tries = 0; batchId === null && tries < 7; tries++) {
        at = nextSlot(at, first.timeZone);
        batchId = await openBatch(deps, trx, first.piece.workspaceId, first.piece.providerId, at, now);
      }
      if (batchId === null) throw new Error(`no open mail batch for provider ${first.piece.providerId} within a week of ${first.slot.day}`);
      for (const input of group) inserted.push({ batchId, input });
    }
    // The files first: a rollback leaves orphan files no manifest names, a failed write no row.
    for (const { batchId, input } of inserted) {
      const file = batchFiles(deps.dataDir, input.piece.workspaceId, batchId).piecePdf(input.piece.identity.id);
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, input.piece.pdf);
    }
    for (let at = 0; at < inserted.length; at += INSERT_ROWS) {
      await trx
        .insertInto('mail_pieces')
        .values(inserted.slice(at, at + INSERT_ROWS).map(({ batchId, input }) => pieceRow(input.piece, batchId, now)))
        .execute();
    }
    for (const [batchKey, list] of groupBy(inserted, (x) => `${x.input.piece.workspaceId}\u0000${x.batchId}`)) {
      const [workspaceId, batchId] = batchKey.split('\u0000') as [string, string];
      const pages = list.reduce((s, x) => s + x.input.piece.pages, 0);
      const cost = list.reduce((s, x) => s + x.input.piece.costMicros, 0);
      await trx
        .updateTable('mail_batches')
        .set((eb) => ({ piece_count: eb('piece_count', '+', list.length), page_count: eb('page_count', '+', pages), cost_micros: eb('cost_micros', '+', cost) }))
        .where('workspace_id', '=', workspaceId)
        .where('id', '=', batchId)
        .execute();
    }
    for (const [workspaceId, list] of groupBy(inserted, (x) => x.input.piece.workspaceId)) {
      for (const row of await findPieces(
        trx,
        workspaceId,
        list.map((x) => x.input.piece.identity.id),
      ))
        stored.set(`${workspaceId}\u0000${row.id}`, row);
    }
    const createdKeys = new Set(inserted.map((x) => keyOf(x.input.piece)));
    const seen = new Set<string>();
    return inputs.map((x) => {
      const key = keyOf(x.piece);
      // The same piece twice in one call: the second is the piece as stored, not a second creation.
      const created = createdKeys.has(key) && !seen.has(key);
      seen.add(key);
      return { piece: stored.get(key)!, created };
    });
  });
}

/** Adds one piece (see addToDayBatches). */
export async function addToDayBatch(deps: DayBatchDeps, piece: NewDayPiece, slot: DaySlot, timeZone: string, now: number): Promise<{ piece: StoredPiece; created: boolean }> {
  return (await addToDayBatches(deps, [{ piece, slot, timeZone }], now))[0]!;
}

function pieceRow(piece: NewDayPiece, batchId: string, now: number) {
  return {
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
}

async function findPieces(db: Db, workspaceId: string, ids: readonly string[]): Promise<StoredPiece[]> {
  const out: StoredPiece[] = [];
  for (let at = 0; at < ids.length; at += 500) {
    out.push(
      ...(await db
        .selectFrom('mail_pieces')
        .selectAll()
        .where('workspace_id', '=', workspaceId)
        .where('id', 'in', ids.slice(at, at + 500))
        .execute()),
    );
  }
  return out;
}

function groupBy<T>(items: readonly T[], key: (t: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = out.get(k);
    if (list) list.push(item);
    else out.set(k, [item]);
  }
  return out;
}

const unique = <T>(xs: readonly T[]) => [...new Set(xs)];
