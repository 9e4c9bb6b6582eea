/**
 * @module What closing a day's batch of N letters costs in memory and time (docs/benchmarks.md):
 *   QATRA_TEST_DATABASE_URL=postgres://… node --import tsx src/channels/mail/close-batch.measure.ts [pieces=10000] [--in-memory]
 * One Arabic letter is printed by the real renderer (Chromium; Vazirmatn subsets embedded, a QR
 * code) and written N times as the pieces of one batch (its rows inserted directly), then
 * `buildDayBatchFiles` builds the merged PDF and manifests from disk, streamed. Prints the time, the
 * merged file's size and the process's peak RSS (sampled every 100 ms while building; RSS before
 * the build is printed too). `--in-memory` merges the same files the way ./batch.ts does (pdf-lib,
 * the whole merged document held until `save()`), for comparison.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PDFDocument } from 'pdf-lib';
import { freshDatabase } from '../../../test/backends.js';
import { ManualClock } from '../../core/clock.js';
import { toJson } from '../../core/json.js';
import { defaultSignals } from '../../server/signal-sinks.js';
import { createWorkspace } from '../../workspaces/workspaces.js';
import type { DialectName } from '../../store/store.js';
import { batchFiles } from './batch-files.js';
import { buildDayBatchFiles } from './close-batch.js';
import { createMailRenderer } from './render/renderer.js';

const count = Number(process.argv.slice(2).find((a) => /^\d+$/.test(a)) ?? 10_000);
const inMemory = process.argv.includes('--in-memory');
const kinds: DialectName[] = process.env.QATRA_TEST_DATABASE_URL ? ['sqlite', 'postgres'] : ['sqlite'];
const MB = 1024 * 1024;

const renderer = createMailRenderer();
const [printed] = await renderer.render([
  {
    id: 'one',
    format: 'letter-a4',
    lang: 'ar',
    dir: 'rtl',
    html: '<h1>مرحبا أحمد،</h1><p>شكرا لتسوقك من متجر Qatra. طلبك رقم 100123 جاهز، وخصمك القادم ١٥٪ على منتجات Apple وSamsung حتى ٣١ ديسمبر.</p><div style="width:28mm;height:28mm;background:#000"></div>',
    address: ['أحمد الحربي', '1000 طريق الملك فهد', 'حي العليا', 'الرياض 11000'],
    returnAddress: ['متجر Qatra · ص.ب 1 · الرياض 11564'],
  },
]);
await renderer.close();
if (!printed?.ok) throw new Error(`render failed: ${printed && !printed.ok ? printed.reason : ''}`);

for (const kind of kinds) {
  const db = await freshDatabase(kind);
  const clock = new ManualClock();
  const deps = { store: db.store, clock, signals: defaultSignals(db.store) };
  const ws = await createWorkspace(deps, { name: 'measure', postalAddress: '1 Main St' });
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'qatra-mail-close-'));
  const batchId = 'mb_measure';
  const files = batchFiles(dataDir, ws.id, batchId);
  fs.mkdirSync(path.join(files.dir, 'pieces'), { recursive: true });
  await db.store.db
    .insertInto('mail_batches')
    .values({
      workspace_id: ws.id,
      id: batchId,
      send_key: 'day:measure',
      provider_id: null,
      status: 'ready',
      piece_count: count,
      page_count: count,
      cost_micros: 0,
      created_at: clock.now(),
      day: '2026-01-05',
      cutoff_at: clock.now(),
    })
    .execute();
  for (let at = 0; at < count; at += 500) {
    const rows = Array.from({ length: Math.min(500, count - at) }, (_, k) => {
      const i = at + k;
      const id = `mp_${String(i).padStart(7, '0')}`;
      fs.writeFileSync(files.piecePdf(id), printed.pdf);
      const address = { name: `عميل ${i}`, lines: [`${i} طريق الملك فهد`], city: 'الرياض', postcode: String(11000 + ((i * 7919) % 900)), country: 'SA' };
      return {
        workspace_id: ws.id,
        id,
        batch_id: batchId,
        contact_id: `ct_${i}`,
        kind: 'letter' as const,
        sheet_format: 'a4' as const,
        pages: 1,
        address: toJson(address),
        country: 'SA',
        postcode: address.postcode,
        status: 'created' as const,
        cost_micros: 600_000,
        token: `tok${i}`,
        created_at: clock.now(),
        updated_at: clock.now(),
      };
    });
    await db.store.db.insertInto('mail_pieces').values(rows).execute();
  }
  global.gc?.();
  const before = process.memoryUsage.rss();
  let peak = before;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 100);
  const t0 = performance.now();
  let pages: number;
  if (inMemory) {
    const merged = await PDFDocument.create();
    for (let i = 0; i < count; i++) {
      const doc = await PDFDocument.load(fs.readFileSync(files.piecePdf(`mp_${String(i).padStart(7, '0')}`)), { updateMetadata: false });
      for (const p of await merged.copyPages(doc, doc.getPageIndices())) merged.addPage(p);
    }
    fs.writeFileSync(files.batchPdf, await merged.save());
    pages = merged.getPageCount();
  } else {
    pages = (await buildDayBatchFiles({ store: db.store, clock, dataDir }, ws.id, batchId)).pages;
  }
  const ms = performance.now() - t0;
  clearInterval(sampler);
  peak = Math.max(peak, process.memoryUsage.rss());
  console.log(
    `${kind}${inMemory ? ' (in memory, pdf-lib)' : ' (streamed)'}: ${count} letters of ${(printed.pdf.byteLength / 1024).toFixed(0)} KB → ${pages} pages, batch.pdf ${(fs.statSync(files.batchPdf).size / MB).toFixed(0)} MB in ${(ms / 1000).toFixed(1)} s (${((count * 1000) / ms).toFixed(0)} pieces/s); RSS before ${(before / MB).toFixed(0)} MB, peak while building ${(peak / MB).toFixed(0)} MB; load ${os
      .loadavg()
      .map((n) => n.toFixed(2))
      .join(' ')}`,
  );
  fs.rmSync(dataDir, { recursive: true, force: true });
  await db.drop();
}
