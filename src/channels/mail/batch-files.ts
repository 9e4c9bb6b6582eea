/**
 * @module Where a print batch's files live on disk: `<dataDir>/mail/<workspace>/<batch>/` holds
 * `batch.pdf` (every piece merged, in presort order), `manifest.csv`, `manifest.json` and
 * `pieces/<piece>.pdf`. PDFs are not kept in the database (a 10,000-piece run is gigabytes).
 * Workspace and batch ids are our own, but are still checked to be one plain path segment.
 */
import path from 'node:path';

const SEGMENT = /^[A-Za-z0-9_-]{1,64}$/;

export interface BatchFiles {
  dir: string;
  batchPdf: string;
  manifestCsv: string;
  manifestJson: string;
  piecePdf(pieceId: string): string;
}

export function batchFiles(dataDir: string, workspaceId: string, batchId: string): BatchFiles {
  if (!SEGMENT.test(workspaceId) || !SEGMENT.test(batchId)) throw new Error(`unsafe batch path ${workspaceId}/${batchId}`);
  const dir = path.join(dataDir, 'mail', workspaceId, batchId);
  return {
    dir,
    batchPdf: path.join(dir, 'batch.pdf'),
    manifestCsv: path.join(dir, 'manifest.csv'),
    manifestJson: path.join(dir, 'manifest.json'),
    piecePdf(pieceId) {
      if (!SEGMENT.test(pieceId)) throw new Error(`unsafe piece id ${pieceId}`);
      return path.join(dir, 'pieces', `${pieceId}.pdf`);
    },
  };
}
