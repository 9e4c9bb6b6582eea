/**
 * @module Building a closed day's batch from the pieces on disk (docs/mail.md "Sending"): the pieces
 * still to print, in postal presort order (./manifest.ts), merged into `batch.pdf` one piece at a time
 * (./pdf-stream-merge.ts: never the whole batch in memory), and both manifests. Each file is written
 * under a temporary name and renamed when whole, `manifest.json` last, so a worker killed midway
 * leaves no file that looks finished and the next attempt builds again from the start; a batch whose
 * `manifest.json` exists is built already and is not built twice.
 *
 * A piece whose PDF is missing or does not load fails with the reason and the batch goes on.
 */
import fs from 'node:fs';
import type { Clock } from '../../core/clock.js';
import { fromJson } from '../../core/json.js';
import type { PostalAddress } from '../../contacts/postal-address.js';
import type { Store } from '../../store/store.js';
import { batchFiles } from './batch-files.js';
import { manifestCsv, manifestJson, presortCompare, type ManifestRow } from './manifest.js';
import { mergeWriter } from './pdf-stream-merge.js';

export interface CloseDeps {
  store: Store;
  clock: Clock;
  dataDir: string;
}

export interface ClosedBatch {
  pieces: number;
  pages: number;
  failed: number;
  /** False when the files were there already (an earlier attempt built them). */
  built: boolean;
}

function writeWhole(file: string, data: string): void {
  fs.writeFileSync(`${file}.part`, data);
  fs.renameSync(`${file}.part`, file);
}

export async function buildDayBatchFiles(deps: CloseDeps, workspaceId: string, batchId: string): Promise<ClosedBatch> {
  const files = batchFiles(deps.dataDir, workspaceId, batchId);
  const { db } = deps.store;
  if (fs.existsSync(files.manifestJson) && fs.existsSync(files.batchPdf)) {
    const b = await db.selectFrom('mail_batches').select(['piece_count', 'page_count']).where('workspace_id', '=', workspaceId).where('id', '=', batchId).executeTakeFirstOrThrow();
    return { pieces: Number(b.piece_count), pages: Number(b.page_count), failed: 0, built: false };
  }
  fs.mkdirSync(`${files.dir}/pieces`, { recursive: true });
  // Pieces a Lob batch submitted on their own are listed too: the manifest is the day's record.
  const rows = await db
    .selectFrom('mail_pieces')
    .select(['id', 'contact_id', 'kind', 'sheet_format', 'address', 'cost_micros'])
    .where('workspace_id', '=', workspaceId)
    .where('batch_id', '=', batchId)
    .where('status', '!=', 'failed')
    .execute();
  const pieces = rows.map((r) => ({ ...r, address: fromJson<PostalAddress>(r.address), pieceId: r.id }));
  pieces.sort(presortCompare);

  const writer = mergeWriter(`${files.batchPdf}.part`);
  const manifest: ManifestRow[] = [];
  const failed: { id: string; reason: string }[] = [];
  try {
    for (const p of pieces) {
      let pdf: Uint8Array;
      try {
        pdf = fs.readFileSync(files.piecePdf(p.id));
      } catch {
        failed.push({ id: p.id, reason: 'the piece PDF is missing' });
        continue;
      }
      let placed: { firstPage: number; pages: number };
      try {
        placed = await writer.add(pdf);
      } catch (err) {
        failed.push({ id: p.id, reason: `the PDF does not load: ${(err as Error).message.slice(0, 200)}` });
        continue;
      }
      manifest.push({
        pieceId: p.id,
        contactId: p.contact_id,
        kind: p.kind,
        address: p.address,
        pages: placed.pages,
        sheetFormat: p.sheet_format,
        costMicros: Number(p.cost_micros),
        firstPage: placed.firstPage,
      });
    }
  } catch (err) {
    writer.abort();
    throw err;
  }
  const { pages } = writer.finish();
  fs.renameSync(`${files.batchPdf}.part`, files.batchPdf);
  writeWhole(files.manifestCsv, manifestCsv(manifest));

  const now = deps.clock.now();
  const cost = manifest.reduce((sum, r) => sum + r.costMicros, 0);
  await deps.store.transaction(async (trx) => {
    for (const f of failed) {
      await trx.updateTable('mail_pieces').set({ status: 'failed', error: f.reason, cost_micros: 0, updated_at: now }).where('workspace_id', '=', workspaceId).where('id', '=', f.id).execute();
    }
    await trx.updateTable('mail_batches').set({ piece_count: manifest.length, page_count: pages, cost_micros: cost }).where('workspace_id', '=', workspaceId).where('id', '=', batchId).execute();
  });
  // Last: its presence says the batch's files are complete.
  writeWhole(files.manifestJson, manifestJson(batchId, manifest));
  return { pieces: manifest.length, pages, failed: failed.length, built: true };
}
