/**
 * Erasing a contact (the real `DELETE /api/contacts/:id?erase=true`) removes their address from the
 * batch files on disk too, on both stores: their piece PDF is gone, their manifest rows (CSV and JSON)
 * are redacted, and the merged batch PDF has blank pages in their place, so the other pieces keep
 * their pages and their `first_page`.
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
import { createContact } from '../../contacts/contacts.js';
import { newId } from '../../core/ids.js';
import { batchFiles } from './batch-files.js';
import { addToDayBatch, daySlot, pieceIdOf } from './day-batch.js';
import { newPieceIdentity } from './piece-identity.js';
import { testAddress, testPdf } from './pieces.testkit.js';
import { mailBatchTask } from './task.js';

describe.each(backends())('erasing a contact’s direct mail files on %s', (kind) => {
  let h: Harness;
  let t: Tenant;
  let dataDir: string;
  let printDir: string;
  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'qatra-mail-erase-'));
    printDir = fs.mkdtempSync(path.join(os.tmpdir(), 'qatra-mail-erase-print-'));
    h = await createHarness(kind, { dataDir });
    t = await h.tenant();
  });
  afterAll(async () => {
    await h?.close();
    for (const d of [dataDir, printDir]) fs.rmSync(d, { recursive: true, force: true });
  });

  it('the erased contact’s address is gone from the piece PDF, both manifests and the merged PDF; the others stay', async () => {
    const res = await h.app.inject({ method: 'POST', url: '/api/channels/mail/providers', headers: t.admin, payload: { kind: 'print_dir', name: 'P', settings: { directory: printDir } } });
    const providerId = res.json().id as string;
    const people = [
      { userId: 'erased', address: testAddress('60601', { name: 'Erin Erased', lines: ['77 Secret Lane'] }) },
      { userId: 'kept', address: testAddress('10001', { name: 'Kim Kept', lines: ['1 Open Road'] }) },
    ];
    const pieces = [];
    for (const p of people) {
      const contact = await createContact(h.deps, t.workspaceId, p);
      const now = h.clock.now();
      const messageId = newId('msg', now);
      const a = p.address;
      const { piece } = await addToDayBatch(
        { store: h.deps.store, dataDir },
        {
          workspaceId: t.workspaceId,
          providerId,
          identity: { ...newPieceIdentity({ trackingSecret: 's', now }), id: pieceIdOf(messageId) },
          contactId: contact.id,
          messageId,
          kind: 'letter',
          sheetFormat: 'a4',
          address: a,
          pdf: await testPdf(`${a.name} ${a.lines[0]} ${a.postcode}`),
          pages: 1,
          costMicros: 0,
        },
        daySlot(now, 'UTC'),
        'UTC',
        now,
      );
      pieces.push({ contact, piece });
    }
    h.clock.set(Date.UTC(2026, 0, 5, 17, 1));
    await mailBatchTask({ ...h.deps, dataDir, log: pino({ level: 'silent' }) }).tick();
    const [erased, kept] = pieces as [(typeof pieces)[0], (typeof pieces)[0]];
    const files = batchFiles(dataDir, t.workspaceId, erased.piece.batch_id);
    const text = () => execFileSync('pdftotext', [files.batchPdf, '-']).toString();
    expect(text()).toContain('Erin Erased');
    expect(fs.readFileSync(files.manifestCsv, 'utf8')).toContain('Secret Lane');

    const del = await h.app.inject({ method: 'DELETE', url: `/api/contacts/${erased.contact.id}?erase=true`, headers: t.admin });
    expect(del.statusCode, del.body).toBe(200);

    expect(fs.existsSync(files.piecePdf(erased.piece.id))).toBe(false);
    expect(fs.existsSync(files.piecePdf(kept.piece.id))).toBe(true);
    for (const manifest of [files.manifestCsv, files.manifestJson]) {
      const body = fs.readFileSync(manifest, 'utf8');
      for (const secret of ['Erin', 'Secret Lane', '60601']) expect(body).not.toContain(secret);
      expect(body).toContain('Kim Kept');
    }
    expect(text()).not.toMatch(/Erin|Secret Lane|60601/);
    expect(text()).toContain('Kim Kept 1 Open Road 10001');
    const json = JSON.parse(fs.readFileSync(files.manifestJson, 'utf8')) as { pieces: { pieceId: string; firstPage: number }[] };
    expect(json.pieces.map((p) => p.pieceId)).toEqual([kept.piece.id, erased.piece.id]);
    expect((await PDFDocument.load(fs.readFileSync(files.batchPdf))).getPageCount()).toBe(2);
  });
});
