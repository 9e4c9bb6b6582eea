/**
 * @module An erased contact's pieces on disk (docs/privacy.md, docs/mail.md "Sending"): the database
 * rows are scrubbed by src/privacy/erase.ts in its transaction; the files it cannot roll back are
 * handled here, after it commits. For each batch that holds one of the contact's pieces:
 *
 *  - the piece's own PDF (which prints the name and address) is deleted;
 *  - both manifests are rewritten with the piece's row redacted (the country stays, for postal
 *    statistics; name, lines, city, region and postcode are emptied);
 *  - `batch.pdf` is rebuilt (./pdf-stream-merge.ts, piece by piece) with the piece's pages replaced by
 *    blank pages of the same size, so every other piece keeps its `first_page`.
 *
 * Each file is replaced by rename when whole. A batch already handed to a print house is beyond our
 * reach: the print house's copy follows its own retention (docs/mail.md).
 */
import fs from 'node:fs';
import { PDFDocument } from 'pdf-lib';
import { batchFiles } from './batch-files.js';
import { manifestCsv, manifestJson, type ManifestRow } from './manifest.js';
import { mergeWriter } from './pdf-stream-merge.js';

export interface ErasedPiece {
  batchId: string;
  pieceId: string;
}

async function pageSizes(file: string): Promise<[number, number][] | null> {
  try {
    const doc = await PDFDocument.load(fs.readFileSync(file), { updateMetadata: false });
    return doc.getPages().map((p) => [p.getWidth(), p.getHeight()] as [number, number]);
  } catch {
    return null;
  }
}

async function redactBatch(dataDir: string, workspaceId: string, batchId: string, erased: Set<string>): Promise<void> {
  const files = batchFiles(dataDir, workspaceId, batchId);
  const sizes = new Map<string, [number, number][] | null>();
  for (const id of erased) sizes.set(id, await pageSizes(files.piecePdf(id)));
  for (const id of erased) fs.rmSync(files.piecePdf(id), { force: true });
  if (!fs.existsSync(files.manifestJson)) return; // still open: no merged file or manifest yet

  const json = JSON.parse(fs.readFileSync(files.manifestJson, 'utf8')) as { pieces: (ManifestRow & { cost: string })[] };
  const rows: ManifestRow[] = json.pieces.map(({ cost: _cost, ...r }) => (erased.has(r.pieceId) ? { ...r, address: { name: '', lines: [], city: '', country: r.address.country } } : r));
  if (fs.existsSync(files.batchPdf)) {
    const writer = mergeWriter(`${files.batchPdf}.part`);
    try {
      for (const r of rows) {
        const blank = erased.has(r.pieceId) || !fs.existsSync(files.piecePdf(r.pieceId));
        if (!blank) {
          await writer.add(fs.readFileSync(files.piecePdf(r.pieceId)));
          continue;
        }
        const s = sizes.get(r.pieceId);
        for (let i = 0; i < r.pages; i++) writer.addBlank(1, s?.[i] ?? s?.[0] ?? [595.28, 841.89]);
      }
    } catch (err) {
      writer.abort();
      fs.rmSync(`${files.batchPdf}.part`, { force: true });
      throw err;
    }
    writer.finish();
    fs.renameSync(`${files.batchPdf}.part`, files.batchPdf);
  }
  for (const [file, text] of [
    [files.manifestCsv, manifestCsv(rows)],
    [files.manifestJson, manifestJson(batchId, rows)],
  ] as const) {
    fs.writeFileSync(`${file}.part`, text);
    fs.renameSync(`${file}.part`, file);
  }
}

/** Removes the pieces' personal data from the batch files that hold them. */
export async function eraseMailFiles(dataDir: string, workspaceId: string, pieces: readonly ErasedPiece[]): Promise<void> {
  const byBatch = new Map<string, Set<string>>();
  for (const p of pieces) byBatch.set(p.batchId, (byBatch.get(p.batchId) ?? new Set()).add(p.pieceId));
  for (const [batchId, ids] of byBatch) await redactBatch(dataDir, workspaceId, batchId, ids);
}
