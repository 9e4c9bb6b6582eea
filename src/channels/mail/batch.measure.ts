/**
 * @module What building a print batch costs, on both backends (the machine is shared: the load
 * average is printed with the figures):
 *   QATRA_TEST_DATABASE_URL=postgres://… node --import tsx src/channels/mail/batch.measure.ts [pieces]
 * Makes `pieces` one-page letters with pdf-lib (text and a vector QR-sized block: the size of a
 * real piece is the renderer's business, h14), then times buildBatch (load, presort, merge, write
 * the files, insert the rows) and prints pieces per second, disk MB per piece (piece PDFs + merged
 * batch) and the process's peak RSS.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import { freshDatabase } from '../../../test/backends.js';
import { ManualClock } from '../../core/clock.js';
import { defaultSignals } from '../../server/signal-sinks.js';
import { createWorkspace } from '../../workspaces/workspaces.js';
import type { DialectName } from '../../store/store.js';
import { buildBatch, type PieceInput } from './batch.js';
import { newPieceIdentity } from './piece-identity.js';

const count = Number(process.argv[2] ?? 2000);
const kinds: DialectName[] = process.env.QATRA_TEST_DATABASE_URL ? ['sqlite', 'postgres'] : ['sqlite'];

async function letter(i: number): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  const page = doc.addPage([595.28, 841.89]);
  page.drawText(`Dear customer ${i},`, { x: 60, y: 700, size: 12, font });
  for (let l = 0; l < 20; l++) page.drawText(`Line ${l} of a personalised letter for ${i}: spring offer, visit your personal link.`, { x: 60, y: 670 - l * 16, size: 10, font });
  page.drawRectangle({ x: 450, y: 80, width: 80, height: 80 });
  return doc.save();
}

function du(dir: string): number {
  let n = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) n += e.isDirectory() ? du(path.join(dir, e.name)) : fs.statSync(path.join(dir, e.name)).size;
  return n;
}

for (const kind of kinds) {
  const db = await freshDatabase(kind);
  const clock = new ManualClock();
  const deps = { store: db.store, clock, signals: defaultSignals(db.store) };
  const ws = await createWorkspace(deps, { name: 'measure', postalAddress: '1 Main St' });
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'qatra-mail-measure-'));
  const pieces: PieceInput[] = [];
  for (let i = 0; i < count; i++) {
    const postcode = String(10000 + ((i * 7919) % 90000));
    pieces.push({
      identity: newPieceIdentity({ trackingSecret: 's', promoPrefix: 'M', now: clock.now() }),
      contactId: `ct_${i}`,
      kind: 'letter',
      sheetFormat: 'a4',
      address: { name: `Customer ${i}`, lines: [`${i} Main St`], city: 'Springfield', region: 'IL', postcode, country: 'US' },
      pdf: await letter(i),
      costMicros: 850_000,
    });
  }
  const t0 = performance.now();
  const batch = await buildBatch({ store: db.store, clock, dataDir }, { workspaceId: ws.id, sendKey: 'broadcast:measure', pieces });
  const ms = performance.now() - t0;
  const bytes = du(dataDir);
  console.log(
    `${kind}: ${batch.pieces.length} pieces in ${(ms / 1000).toFixed(1)} s = ${((batch.pieces.length * 1000) / ms).toFixed(0)} pieces/s; ${(bytes / batch.pieces.length / 1e6).toFixed(4)} MB/piece on disk (piece + its share of batch.pdf); peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB; load ${os
      .loadavg()
      .map((n) => n.toFixed(2))
      .join(' ')}`,
  );
  fs.rmSync(dataDir, { recursive: true, force: true });
  await db.drop();
}
