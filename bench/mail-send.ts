/**
 * @module The send half of the direct mail benchmark (`npm run bench -- mail [--size large] [--part
 * send]`, bench/mail.ts): N letters sent as a broadcast sends them, through the one send pipeline,
 * to a print-directory provider's day's batch, which the worker task then closes and drops.
 *
 * Per backend: a workspace with a `print_dir` provider and the bench's Arabic letter saved as a mail
 * template; N contacts with Saudi addresses; the mail channel (src/channels/mail/index.ts, with the
 * bench's renderer) is handed the recipients a worker batch at a time (QATRA_WORKER_BATCH, 100), as
 * the broadcast task hands them,
 * under broadcast-shaped idempotency keys (`bc:bench:<contact>`): each is recorded, its address and
 * consent checked, the template rendered (parsed once), printed and added to the day's batch. Then
 * the clock passes the cut-off and one task tick builds the merged PDF (streamed) and both manifests
 * and drops them in the directory.
 *
 * Figures: `send_pieces_per_s` (sending through the pipeline, against the renderer alone printing
 * the same page, `baseline`), `close_s` (build and drop of the batch), `end_to_end_pieces_per_s`,
 * `batch_mb`, `close_peak_rss_mb` (this process while the batch is built and dropped: sampled every
 * 100 ms) and `node_peak_rss_mb` (getrusage, the whole run). Fails if a piece is not sent, or if
 * this process goes over 500 MB.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { ManualClock } from '../src/core/clock.js';
import { parseConfig } from '../src/config/config.js';
import { createMetrics } from '../src/metrics/metrics.js';
import type { DialectName } from '../src/store/store.js';
import { toJson } from '../src/core/json.js';
import { createWorkspace } from '../src/workspaces/workspaces.js';
import { defaultSignals } from '../src/server/signal-sinks.js';
import { freshDatabase } from '../test/backends.js';
import { testSecretBox } from '../test/secret-key.js';
import { toContact } from '../src/contacts/contact.js';
import { createProvider } from '../src/channels/providers/providers.js';
import { providerKinds } from '../src/channels/providers/kinds.js';
import { saveTemplates } from '../src/templates/service.js';
import type { TemplateContent } from '../src/templates/template.js';
import { createMailChannel } from '../src/channels/mail/index.js';
import { mailBatchTask } from '../src/channels/mail/task.js';
import type { MailRenderer } from '../src/channels/mail/render/renderer.js';
import type { SendRequest } from '../src/channels/channel.js';
import { figure, type BenchContext } from './run.js';

const MB = 1024 * 1024;
const PAGE = 500;

export async function benchSend(kind: DialectName, ctx: BenchContext, n: number, renderer: MailRenderer, template: TemplateContent, baseline: () => Promise<number>): Promise<void> {
  const database = await freshDatabase(kind, { pgPoolMax: 5 });
  const store = database.store;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'qatra-bench-mail-'));
  const printDir = fs.mkdtempSync(path.join(os.tmpdir(), 'qatra-bench-print-'));
  try {
    const clock = new ManualClock(Date.now());
    // The broadcast task hands the channel a worker's claim: QATRA_WORKER_BATCH recipients (100).
    const config = parseConfig({ QATRA_WORKER_BATCH: process.env.QATRA_WORKER_BATCH }, { dataDir });
    const BATCH = config.worker.batchSize;
    const deps = { store, signals: defaultSignals(store), secretBox: testSecretBox(), clock, log: pino({ level: 'silent' }), config, metrics: createMetrics() };
    const ws = (await createWorkspace(deps, { name: 'bench', postalAddress: 'Qatra, PO Box 1, Riyadh 11564' })).id;
    await store.db.updateTable('workspaces').set({ timezone: 'Asia/Riyadh' }).where('id', '=', ws).execute();
    await createProvider({ ...deps, providerKinds }, ws, 'mail', { kind: 'print_dir', name: 'bench print', settings: { directory: printDir, costPerLetter: 0.6, deliveryDays: { SA: 2 } } });
    await saveTemplates(deps, ws, [{ id: 'bench-letter', name: 'Bench letter', channel: 'mail', kind: 'marketing', content: template }], 'create');
    const now = clock.now();
    for (let at = 0; at < n; at += PAGE) {
      const rows = Array.from({ length: Math.min(PAGE, n - at) }, (_, k) => {
        const i = at + k;
        return {
          id: `ct_send${String(i).padStart(7, '0')}`,
          workspace_id: ws,
          user_id: `u${i}`,
          locale: 'ar-SA',
          attributes: toJson({ first_name: ['أحمد', 'فاطمة', 'محمد', 'نورة'][i % 4], order: String(100000 + i) }),
          postal_address: toJson({ name: `عميل ${i} الحربي`, lines: [`${1000 + (i % 9000)} طريق الملك فهد`, 'حي العليا'], city: 'الرياض', postcode: String(11000 + (i % 900)), country: 'SA' }),
          created_at: now,
          updated_at: now,
        };
      });
      await store.db.insertInto('contacts').values(rows).execute();
    }

    const channel = createMailChannel({ ...deps, renderer });
    const started = process.hrtime.bigint();
    let after = '';
    let sent = 0;
    for (;;) {
      const rows = await store.db.selectFrom('contacts').selectAll().where('workspace_id', '=', ws).where('id', '>', after).orderBy('id').limit(PAGE).execute();
      if (rows.length === 0) break;
      after = rows.at(-1)!.id;
      for (let at = 0; at < rows.length; at += BATCH) {
        const requests: SendRequest[] = rows.slice(at, at + BATCH).map((row) => ({
          workspaceId: ws,
          contact: toContact(row),
          idempotencyKey: `bc:bench:${row.id}`,
          config: { template: 'bench-letter', promoPrefix: 'QATRA' },
          context: {},
          kind: 'marketing',
        }));
        const results = await channel.sendBatch!(requests);
        const bad = results.find((r) => r.status !== 'sent');
        if (bad) throw new Error(`a piece was not sent: ${JSON.stringify(bad)}`);
        sent += results.length;
      }
    }
    const sendSeconds = Number(process.hrtime.bigint() - started) / 1e9;

    // Past the cut-off: one tick builds the merged PDF and manifests and drops them.
    clock.advance(25 * 3_600_000);
    let peak = process.memoryUsage.rss();
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 100);
    const closing = process.hrtime.bigint();
    const handled = await mailBatchTask({ ...deps, dataDir }).tick();
    const closeSeconds = Number(process.hrtime.bigint() - closing) / 1e9;
    clearInterval(sampler);
    peak = Math.max(peak, process.memoryUsage.rss());
    const batch = await store.db.selectFrom('mail_batches').selectAll().where('workspace_id', '=', ws).executeTakeFirstOrThrow();
    if (handled < 1 || batch.status !== 'delivered' || Number(batch.piece_count) !== n)
      throw new Error(`the batch was not dropped whole: ${JSON.stringify({ handled, status: batch.status, pieces: batch.piece_count, error: batch.error })}`);
    const batchBytes = fs.statSync(path.join(printDir, batch.id, 'batch.pdf')).size;
    const nodePeak = process.resourceUsage().maxRSS * 1024;
    const base = await baseline();
    const emit = (name: string, value: number, unit: string, b?: number) => ctx.emit(figure({ bench: 'mail', backend: kind, figure: name, value, unit, ...(b !== undefined ? { baseline: b } : {}) }));
    emit('send_pieces_per_s', sent / sendSeconds, 'pieces/s', base);
    emit('close_s', closeSeconds, 's');
    emit('end_to_end_pieces_per_s', sent / (sendSeconds + closeSeconds), 'pieces/s', base);
    emit('batch_mb', batchBytes / MB, 'MB');
    emit('close_peak_rss_mb', peak / MB, 'MB');
    emit('node_peak_rss_mb', nodePeak / MB, 'MB');
    await channel.close();
    if (nodePeak > 500 * MB) throw new Error(`peak RSS ${Math.round(nodePeak / MB)} MB is over 500 MB`);
  } finally {
    await database.drop();
    for (const d of [dataDir, printDir]) fs.rmSync(d, { recursive: true, force: true });
  }
}
