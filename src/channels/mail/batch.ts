/**
 * @module Building a print batch from rendered pieces (docs/mail.md "Batches and print houses").
 *
 * One batch per send (`sendKey`: a broadcast, or a journey step's run of the day). Its pieces come
 * in as PDF bytes (rendered by ./render/, h14) with the PostalAddress they go to; building:
 *
 *  1. reads each piece's PDF (pdf-lib); a piece whose PDF does not load fails with the reason and
 *     the batch goes on without it;
 *  2. sorts the pieces for postal presort (./manifest.ts) and merges them into one `batch.pdf`;
 *  3. writes the piece PDFs, the batch PDF and the manifests into a temporary directory, renamed to
 *     the batch's directory (./batch-files.ts) only when all are written;
 *  4. inserts the batch and its pieces in one transaction, and sets each piece's message's
 *     `cost_micros` (ROI counts what the piece cost).
 *
 * The same send key again returns the batch already built (nothing written twice); a failed insert
 * removes the files it wrote, so a refused batch leaves nothing behind.
 */
import fs from 'node:fs';
import { PDFDocument } from 'pdf-lib';
import type { Clock } from '../../core/clock.js';
import { newId } from '../../core/ids.js';
import { toJson } from '../../core/json.js';
import type { PostalAddress } from '../../contacts/postal-address.js';
import type { Store } from '../../store/store.js';
import { batchFiles } from './batch-files.js';
import { manifestCsv, manifestJson, presortCompare, type ManifestRow } from './manifest.js';
import type { PieceIdentity } from './piece-identity.js';
import type { MailPieceKind, SheetFormat } from './tables.js';

export interface PieceInput {
  identity: PieceIdentity;
  contactId: string;
  /** The message record of this piece (journey, step; ROI), when there is one. */
  messageId?: string | undefined;
  kind: MailPieceKind;
  sheetFormat: SheetFormat;
  address: PostalAddress;
  pdf: Uint8Array;
  costMicros: number;
  /** Where the personal URL leads. */
  targetUrl?: string | undefined;
}

export interface BatchInput {
  workspaceId: string;
  sendKey: string;
  providerId?: string | undefined;
  pieces: readonly PieceInput[];
}

export interface BuiltBatch {
  id: string;
  workspaceId: string;
  /** Pieces in the batch, in presort order. */
  pieces: ManifestRow[];
  /** Pieces left out, with why. */
  failed: { pieceId: string; contactId: string; reason: string }[];
  pageCount: number;
  costMicros: number;
  /** False when the send key had a batch already (this is it; nothing was written). */
  created: boolean;
}

export interface BatchDeps {
  store: Store;
  clock: Clock;
  dataDir: string;
}

async function pageCount(pdf: Uint8Array): Promise<{ doc: PDFDocument } | { error: string }> {
  try {
    const doc = await PDFDocument.load(pdf, { updateMetadata: false });
    if (doc.getPageCount() === 0) return { error: 'the PDF has no pages' };
    return { doc };
  } catch (err) {
    return { error: `the PDF does not load: ${(err as Error).message.slice(0, 200)}` };
  }
}

async function existing(deps: BatchDeps, workspaceId: string, sendKey: string): Promise<BuiltBatch | null> {
  const batch = await deps.store.db.selectFrom('mail_batches').selectAll().where('workspace_id', '=', workspaceId).where('send_key', '=', sendKey).executeTakeFirst();
  if (!batch) return null;
  const json = JSON.parse(fs.readFileSync(batchFiles(deps.dataDir, workspaceId, batch.id).manifestJson, 'utf8')) as { pieces: (ManifestRow & { cost: string })[] };
  const failed = await deps.store.db
    .selectFrom('mail_pieces')
    .select(['id', 'contact_id', 'error'])
    .where('workspace_id', '=', workspaceId)
    .where('batch_id', '=', batch.id)
    .where('status', '=', 'failed')
    .execute();
  return {
    id: batch.id,
    workspaceId,
    pieces: json.pieces.map(({ cost: _cost, ...r }) => r),
    failed: failed.map((f) => ({ pieceId: f.id, contactId: f.contact_id, reason: f.error ?? '' })),
    pageCount: Number(batch.page_count),
    costMicros: Number(batch.cost_micros),
    created: false,
  };
}

export async function buildBatch(deps: BatchDeps, input: BatchInput): Promise<BuiltBatch> {
  const before = await existing(deps, input.workspaceId, input.sendKey);
  if (before) return before;
  const now = deps.clock.now();
  const id = newId('mb', now);
  const files = batchFiles(deps.dataDir, input.workspaceId, id);

  const loaded: { piece: PieceInput; doc: PDFDocument }[] = [];
  const failed: BuiltBatch['failed'] = [];
  for (const piece of input.pieces) {
    const r = await pageCount(piece.pdf);
    if ('error' in r) failed.push({ pieceId: piece.identity.id, contactId: piece.contactId, reason: r.error });
    else loaded.push({ piece, doc: r.doc });
  }
  loaded.sort((a, b) => presortCompare({ address: a.piece.address, pieceId: a.piece.identity.id }, { address: b.piece.address, pieceId: b.piece.identity.id }));

  const merged = await PDFDocument.create();
  const rows: ManifestRow[] = [];
  for (const { piece, doc } of loaded) {
    const firstPage = merged.getPageCount() + 1;
    for (const page of await merged.copyPages(doc, doc.getPageIndices())) merged.addPage(page);
    rows.push({
      pieceId: piece.identity.id,
      contactId: piece.contactId,
      kind: piece.kind,
      address: piece.address,
      pages: doc.getPageCount(),
      sheetFormat: piece.sheetFormat,
      costMicros: piece.costMicros,
      firstPage,
    });
  }
  const pages = merged.getPageCount();
  const cost = rows.reduce((sum, r) => sum + r.costMicros, 0);

  // Every file into a temporary directory first: the batch's directory appears whole or not at all.
  const tmp = `${files.dir}.tmp-${process.pid}-${now}`;
  fs.mkdirSync(`${tmp}/pieces`, { recursive: true });
  try {
    for (const { piece } of loaded) fs.writeFileSync(`${tmp}/pieces/${piece.identity.id}.pdf`, piece.pdf);
    fs.writeFileSync(`${tmp}/batch.pdf`, await merged.save());
    fs.writeFileSync(`${tmp}/manifest.csv`, manifestCsv(rows));
    fs.writeFileSync(`${tmp}/manifest.json`, manifestJson(id, rows));
    fs.renameSync(tmp, files.dir);
  } catch (err) {
    fs.rmSync(tmp, { recursive: true, force: true });
    throw err;
  }

  try {
    const raced = await deps.store.transaction(async (trx) => {
      const inserted = await trx
        .insertInto('mail_batches')
        .values({
          workspace_id: input.workspaceId,
          id,
          send_key: input.sendKey,
          provider_id: input.providerId ?? null,
          status: 'ready',
          piece_count: rows.length,
          page_count: pages,
          cost_micros: cost,
          created_at: now,
        })
        .onConflict((oc) => oc.columns(['workspace_id', 'send_key']).doNothing())
        .returning('id')
        .executeTakeFirst();
      if (!inserted) return true;
      const byId = new Map(input.pieces.map((p) => [p.identity.id, p]));
      const reasons = new Map(failed.map((f) => [f.pieceId, f.reason]));
      const all = [...rows.map((r) => ({ piece: byId.get(r.pieceId)!, pages: r.pages })), ...failed.map((f) => ({ piece: byId.get(f.pieceId)!, pages: 0 }))];
      for (let start = 0; start < all.length; start += 200) {
        await trx
          .insertInto('mail_pieces')
          .values(
            all.slice(start, start + 200).map(({ piece, pages: n }) => ({
              workspace_id: input.workspaceId,
              id: piece.identity.id,
              batch_id: id,
              contact_id: piece.contactId,
              message_id: piece.messageId ?? null,
              kind: piece.kind,
              sheet_format: piece.sheetFormat,
              pages: n,
              address: toJson(piece.address),
              country: piece.address.country,
              postcode: piece.address.postcode ?? null,
              status: reasons.has(piece.identity.id) ? ('failed' as const) : ('created' as const),
              cost_micros: reasons.has(piece.identity.id) ? 0 : piece.costMicros,
              token: piece.identity.token,
              target_url: piece.targetUrl ?? null,
              promo_code: piece.identity.promoCode,
              error: reasons.get(piece.identity.id) ?? null,
              created_at: now,
              updated_at: now,
            })),
          )
          .execute();
      }
      for (const { piece } of loaded) {
        if (piece.messageId)
          await trx.updateTable('messages').set({ cost_micros: piece.costMicros, segments: 1 }).where('id', '=', piece.messageId).where('workspace_id', '=', input.workspaceId).execute();
      }
      return false;
    });
    if (raced) {
      // Another builder of the same send won: its batch stands, ours goes.
      fs.rmSync(files.dir, { recursive: true, force: true });
      return (await existing(deps, input.workspaceId, input.sendKey))!;
    }
  } catch (err) {
    fs.rmSync(files.dir, { recursive: true, force: true });
    throw err;
  }
  return { id, workspaceId: input.workspaceId, pieces: rows, failed, pageCount: pages, costMicros: cost, created: true };
}
