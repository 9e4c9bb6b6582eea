/**
 * The day's batch and the worker task that drops it, on both stores, with a real print-house
 * directory: pieces join the open batch until the cut-off and the next day's after it; the merged PDF
 * is built piece by piece in presort order; a failed drop is retried with backoff; a worker killed
 * mid-drop (its lease left behind, a half-written file in the drop) is taken over after the lease and
 * the batch arrives complete, once, with no second batch.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { PDFDocument } from 'pdf-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../../../test/backends.js';
import { createHarness, type Harness, type Tenant } from '../../../test/harness.js';
import { newId } from '../../core/ids.js';
import { batchFiles } from './batch-files.js';
import { addToDayBatch, daySlot, pieceIdOf } from './day-batch.js';
import { newPieceIdentity } from './piece-identity.js';
import { testAddress, testPdf } from './pieces.testkit.js';
import { mailBatchTask } from './task.js';
import { permissionFor } from '../../users/roles.js';

const HOUR = 3_600_000;

describe.each(backends())('the day’s mail batch and its worker task on %s', (kind) => {
  let h: Harness;
  let t: Tenant;
  let dataDir: string;
  let printDir: string;
  let providerId: string;
  let task: ReturnType<typeof mailBatchTask>;
  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'qatra-mail-task-'));
    printDir = fs.mkdtempSync(path.join(os.tmpdir(), 'qatra-mail-task-print-'));
    h = await createHarness(kind, { dataDir });
    t = await h.tenant();
    const res = await h.app.inject({
      method: 'POST',
      url: '/api/channels/mail/providers',
      headers: t.admin,
      payload: { kind: 'print_dir', name: 'Print', settings: { directory: printDir, costPerLetter: 0.5, cutoff: '14:00' } },
    });
    expect(res.statusCode, res.body).toBe(201);
    providerId = res.json().id;
    task = mailBatchTask({ ...h.deps, dataDir, log: pino({ level: 'silent' }), leaseMs: 10 * 60_000, retry: { maxAttempts: 3, baseBackoffMs: 60_000, maxBackoffMs: 3_600_000 } });
  });
  afterAll(async () => {
    await h?.close();
    for (const d of [dataDir, printDir]) fs.rmSync(d, { recursive: true, force: true });
  });

  const add = async (postcode: string, contactId = `c-${postcode}`, provider = providerId) => {
    const now = h.clock.now();
    const messageId = newId('msg', now);
    const identity = { ...newPieceIdentity({ trackingSecret: 's', now }), id: pieceIdOf(messageId) };
    const { piece } = await addToDayBatch(
      { store: h.deps.store, dataDir },
      {
        workspaceId: t.workspaceId,
        providerId: provider,
        identity,
        contactId,
        messageId,
        kind: 'letter',
        sheetFormat: 'a4',
        address: testAddress(postcode),
        pdf: await testPdf(`piece ${postcode}`),
        pages: 1,
        costMicros: 500_000,
      },
      daySlot(now, 'UTC', '14:00'),
      'UTC',
      now,
    );
    return piece;
  };
  const batchRow = (id: string) => h.deps.store.db.selectFrom('mail_batches').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

  it('pieces join the open batch until the cut-off; it is merged in postcode order, dropped once; later pieces go to the next day', async () => {
    // 12:00 UTC, cut-off 14:00 UTC.
    const a = await add('90210');
    const b = await add('02134');
    const c = await add('10001');
    expect(new Set([a.batch_id, b.batch_id, c.batch_id]).size).toBe(1);
    expect(await task.tick()).toBe(0);

    h.clock.advance(2 * HOUR);
    expect(await task.tick()).toBe(1);
    const row = await batchRow(a.batch_id);
    expect(row).toMatchObject({ status: 'delivered', piece_count: 3, page_count: 3, day: '2026-01-05', attempts: 0 });
    expect(Number(row.cost_micros)).toBe(1_500_000);
    const merged = path.join(printDir, a.batch_id, 'batch.pdf');
    expect((await PDFDocument.load(fs.readFileSync(merged))).getPageCount()).toBe(3);
    // poppler reads the streamed file: pages in presort order.
    expect(
      execFileSync('pdftotext', [merged, '-'])
        .toString()
        .match(/piece \d+/g),
    ).toEqual(['piece 02134', 'piece 10001', 'piece 90210']);
    const done = JSON.parse(fs.readFileSync(path.join(printDir, `${a.batch_id}.done`), 'utf8')) as { files: { name: string; bytes: number }[] };
    expect(done.files.find((f) => f.name === 'batch.pdf')!.bytes).toBe(fs.statSync(merged).size);

    // The web app's batch list, pieces and downloads (admin key here; sessions need an editor for pieces and files).
    const list = await h.app.inject({ method: 'GET', url: '/api/mail/batches', headers: t.admin });
    expect(list.json().batches[0]).toMatchObject({ id: a.batch_id, day: '2026-01-05', providerName: 'Print', providerKind: 'print_dir', status: 'delivered', pieceCount: 3, cost: 1.5, files: true });
    const pieces = await h.app.inject({ method: 'GET', url: `/api/mail/batches/${a.batch_id}/pieces`, headers: t.admin });
    expect(pieces.json().pieces.map((p: { postcode: string; status: string }) => `${p.postcode}:${p.status}`)).toEqual(['02134:submitted', '10001:submitted', '90210:submitted']);
    const pdf = await h.app.inject({ method: 'GET', url: `/api/mail/batches/${a.batch_id}/batch.pdf`, headers: t.admin });
    expect(pdf.headers['content-type']).toBe('application/pdf');
    expect(pdf.rawPayload.equals(fs.readFileSync(merged))).toBe(true);
    const csv = await h.app.inject({ method: 'GET', url: `/api/mail/batches/${a.batch_id}/manifest.csv`, headers: t.admin });
    expect(csv.body.split('\r\n')[1]).toMatch(/,02134,US,1,a4,0\.5,1$/);
    expect((await h.app.inject({ method: 'GET', url: `/api/mail/batches/${a.batch_id}/batch.pdf` })).statusCode).toBe(401);
    expect((await h.app.inject({ method: 'GET', url: `/api/mail/batches/${a.batch_id}/secrets.txt`, headers: t.admin })).statusCode).toBe(400);
    expect((await h.app.inject({ method: 'GET', url: '/api/mail/batches/mb_nope/batch.pdf', headers: t.admin })).statusCode).toBe(404);
    expect(permissionFor('GET', '/api/mail/batches/:id/:file')).toBe('edit');
    expect(permissionFor('GET', '/api/mail/batches/:id/pieces')).toBe('edit');
    expect(permissionFor('GET', '/api/mail/batches')).toBe('read');

    // After the cut-off, a piece joins the next day's batch; today's is not touched again.
    const late = await add('33333');
    expect(late.batch_id).not.toBe(a.batch_id);
    expect(await batchRow(late.batch_id)).toMatchObject({ status: 'building', day: '2026-01-06' });
    expect(await task.tick()).toBe(0);
    // Not built yet: nothing to download.
    expect((await h.app.inject({ method: 'GET', url: `/api/mail/batches/${late.batch_id}/manifest.json`, headers: t.admin })).statusCode).toBe(404);
  });

  it('a failed drop is retried with backoff, then arrives', async () => {
    h.clock.set(Date.UTC(2026, 1, 2, 9));
    while ((await task.tick()) > 0); // yesterday's late batch goes first
    // The drop directory is, for now, a plain file: every drop fails (whoever runs the test, root included).
    const blocked = path.join(printDir, 'share');
    fs.writeFileSync(blocked, 'not a directory');
    const res = await h.app.inject({
      method: 'POST',
      url: '/api/channels/mail/providers',
      headers: t.admin,
      payload: { kind: 'print_dir', name: 'Share', settings: { directory: blocked, cutoff: '14:00' } },
    });
    const p = await add('44444', 'c-44444', res.json().id);
    h.clock.set(Date.UTC(2026, 1, 2, 14, 1));
    expect(await task.tick()).toBe(1);
    const failed = await batchRow(p.batch_id);
    expect(failed).toMatchObject({ status: 'ready', attempts: 1, lease_until: null });
    expect(failed.error).toMatch(/^print drop failed/);
    expect(Number(failed.next_attempt_at)).toBeGreaterThan(h.clock.now() + 40_000);
    // Not before its backoff (60 s ± 20%).
    h.clock.advance(40_000);
    expect(await task.tick()).toBe(0);
    h.clock.advance(40_000);
    expect(await task.tick()).toBe(1);
    expect(await batchRow(p.batch_id)).toMatchObject({ attempts: 2 });

    fs.rmSync(blocked);
    fs.mkdirSync(blocked);
    h.clock.advance(3 * 60_000);
    expect(await task.tick()).toBe(1);
    expect(await batchRow(p.batch_id)).toMatchObject({ status: 'delivered', error: null });
    expect(fs.existsSync(path.join(blocked, `${p.batch_id}.done`))).toBe(true);
  });

  it('a worker killed mid-drop: the batch is taken over after its lease and arrives complete, once, as one batch', async () => {
    h.clock.set(Date.UTC(2026, 2, 2, 9));
    const p = await add('55555');
    await add('66666');
    h.clock.set(Date.UTC(2026, 2, 2, 14, 1));
    // What a killed worker leaves: the batch claimed under its lease, half a PDF in the drop, no marker.
    await h.deps.store.db
      .updateTable('mail_batches')
      .set({ status: 'ready', lease_until: h.clock.now() + 10 * 60_000 })
      .where('id', '=', p.batch_id)
      .execute();
    fs.mkdirSync(path.join(printDir, p.batch_id), { recursive: true });
    fs.writeFileSync(path.join(printDir, p.batch_id, '.batch.pdf.part'), '%PDF-1.7 half');
    expect(await task.tick()).toBe(0);

    h.clock.advance(10 * 60_000 + 1);
    expect(await task.tick()).toBe(1);
    expect(await batchRow(p.batch_id)).toMatchObject({ status: 'delivered', piece_count: 2 });
    expect(fs.readdirSync(path.join(printDir, p.batch_id)).sort()).toEqual(['batch.pdf', 'manifest.csv', 'manifest.json']);
    const files = batchFiles(dataDir, t.workspaceId, p.batch_id);
    expect(fs.readFileSync(path.join(printDir, p.batch_id, 'batch.pdf')).equals(fs.readFileSync(files.batchPdf))).toBe(true);
    const days = await h.deps.store.db.selectFrom('mail_batches').select('id').where('workspace_id', '=', t.workspaceId).where('day', '=', '2026-03-02').execute();
    expect(days).toHaveLength(1);
    // Once: another worker's tick (or a late one) finds nothing, and the marker stays as written.
    const marker = fs.statSync(path.join(printDir, `${p.batch_id}.done`)).mtimeMs;
    h.clock.advance(HOUR);
    expect(await task.tick()).toBe(0);
    expect(fs.statSync(path.join(printDir, `${p.batch_id}.done`)).mtimeMs).toBe(marker);
  });
});
