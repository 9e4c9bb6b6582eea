import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PDFDocument } from 'pdf-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../../../test/backends.js';
import { createHarness, type Harness, type Tenant } from '../../../test/harness.js';
import { buildBatch, type BatchDeps } from './batch.js';
import { batchFiles } from './batch-files.js';
import { testAddress, testPiece } from './pieces.testkit.js';

describe.each(backends())('mail print batches on %s', (kind) => {
  let h: Harness;
  let t: Tenant;
  let deps: BatchDeps;
  let dataDir: string;
  beforeAll(async () => {
    h = await createHarness(kind);
    t = await h.tenant();
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'qatra-mail-'));
    deps = { store: h.deps.store, clock: h.clock, dataDir };
  });
  afterAll(async () => {
    await h?.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('merges the pieces in postcode order, with CSV and JSON manifests in the same order, one PDF per piece on disk', async () => {
    const now = h.clock.now();
    const pieces = [
      await testPiece({ contactId: 'c1', postcode: '90210', pages: 2, now }),
      await testPiece({ contactId: 'c2', postcode: '02134', now }),
      await testPiece({ contactId: 'c3', postcode: '10001', now, address: testAddress('10001', { name: '=HYPERLINK("http://evil")' }) }),
      await testPiece({ contactId: 'c4', postcode: '9999', now }),
    ];
    const batch = await buildBatch(deps, { workspaceId: t.workspaceId, sendKey: 'broadcast:bc_1', pieces });
    expect(batch.created).toBe(true);
    expect(batch.pieces.map((p) => p.address.postcode)).toEqual(['02134', '9999', '10001', '90210']);
    expect(batch.pieces.map((p) => p.firstPage)).toEqual([1, 2, 3, 4]);
    expect(batch.pageCount).toBe(5);
    expect(batch.costMicros).toBe(4 * 850_000);

    const files = batchFiles(dataDir, t.workspaceId, batch.id);
    const merged = await PDFDocument.load(fs.readFileSync(files.batchPdf));
    expect(merged.getPageCount()).toBe(5);
    for (const p of pieces) expect((await PDFDocument.load(fs.readFileSync(files.piecePdf(p.identity.id)))).getPageCount()).toBe(p === pieces[0] ? 2 : 1);

    const csv = fs.readFileSync(files.manifestCsv, 'utf8').trim().split('\r\n');
    expect(csv[0]).toBe('piece_id,contact_id,kind,name,line1,line2,line3,city,region,postcode,country,pages,sheet_format,cost,first_page');
    expect(csv.slice(1).map((l) => l.split(',')[1])).toEqual(['c2', 'c4', 'c3', 'c1']);
    // A name a spreadsheet would run as a formula is escaped.
    expect(csv[3]).toContain(`"'=HYPERLINK(""http://evil"")"`);
    const json = JSON.parse(fs.readFileSync(files.manifestJson, 'utf8')) as { pieces: { contactId: string; postcode: string; pages: number; cost: string }[] };
    expect(json.pieces.map((p) => [p.contactId, p.postcode, p.pages, p.cost])).toEqual([
      ['c2', '02134', 1, '0.85'],
      ['c4', '9999', 1, '0.85'],
      ['c3', '10001', 1, '0.85'],
      ['c1', '90210', 2, '0.85'],
    ]);

    const rows = await h.deps.store.db
      .selectFrom('mail_pieces')
      .select(['id', 'status', 'pages', 'postcode', 'token', 'promo_code'])
      .where('workspace_id', '=', t.workspaceId)
      .where('batch_id', '=', batch.id)
      .execute();
    expect(rows).toHaveLength(4);
    expect(rows.every((r) => r.status === 'created' && /^SPRING-[0-9A-Z]{8}$/.test(r.promo_code ?? ''))).toBe(true);
  });

  it('a piece whose PDF does not load fails with the reason and the batch goes on', async () => {
    const now = h.clock.now();
    const good = await testPiece({ contactId: 'g', postcode: '11111', now });
    const bad = { ...(await testPiece({ contactId: 'b', postcode: '22222', now })), pdf: new TextEncoder().encode('<html>not a pdf</html>') };
    const batch = await buildBatch(deps, { workspaceId: t.workspaceId, sendKey: 'broadcast:bc_bad', pieces: [bad, good] });
    expect(batch.pieces.map((p) => p.contactId)).toEqual(['g']);
    expect(batch.failed).toEqual([{ pieceId: bad.identity.id, contactId: 'b', reason: expect.stringMatching(/^the PDF does not load/) as string }]);
    const row = await h.deps.store.db
      .selectFrom('mail_pieces')
      .select(['status', 'error', 'cost_micros'])
      .where('workspace_id', '=', t.workspaceId)
      .where('id', '=', bad.identity.id)
      .executeTakeFirstOrThrow();
    expect(row.status).toBe('failed');
    expect(Number(row.cost_micros)).toBe(0);
    expect(fs.existsSync(batchFiles(dataDir, t.workspaceId, batch.id).piecePdf(bad.identity.id))).toBe(false);
  });

  it('the same send builds one batch: a second build returns the first and writes nothing', async () => {
    const now = h.clock.now();
    const first = await buildBatch(deps, { workspaceId: t.workspaceId, sendKey: 'journey:jr_1:n1:2026-01-05', pieces: [await testPiece({ contactId: 'x', postcode: '33333', now })] });
    const dirs = fs.readdirSync(path.join(dataDir, 'mail', t.workspaceId)).length;
    const again = await buildBatch(deps, { workspaceId: t.workspaceId, sendKey: 'journey:jr_1:n1:2026-01-05', pieces: [await testPiece({ contactId: 'y', postcode: '44444', now })] });
    expect(again.created).toBe(false);
    expect(again.id).toBe(first.id);
    expect(again.pieces.map((p) => p.contactId)).toEqual(['x']);
    expect(fs.readdirSync(path.join(dataDir, 'mail', t.workspaceId)).length).toBe(dirs);
    const count = await h.deps.store.db
      .selectFrom('mail_batches')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('workspace_id', '=', t.workspaceId)
      .where('send_key', '=', 'journey:jr_1:n1:2026-01-05')
      .executeTakeFirstOrThrow();
    expect(Number(count.n)).toBe(1);
  });

  it('a refused insert leaves no files behind', async () => {
    const now = h.clock.now();
    const piece = await testPiece({ contactId: 'z', postcode: '55555', now });
    // The piece's id is taken already: the pieces insert fails, the batch row rolls back, its directory goes.
    await buildBatch(deps, { workspaceId: t.workspaceId, sendKey: 'broadcast:first', pieces: [piece] });
    const before = fs.readdirSync(path.join(dataDir, 'mail', t.workspaceId)).sort();
    await expect(buildBatch(deps, { workspaceId: t.workspaceId, sendKey: 'broadcast:dup', pieces: [piece] })).rejects.toThrow();
    expect(fs.readdirSync(path.join(dataDir, 'mail', t.workspaceId)).sort()).toEqual(before);
    expect(await h.deps.store.db.selectFrom('mail_batches').select('id').where('workspace_id', '=', t.workspaceId).where('send_key', '=', 'broadcast:dup').executeTakeFirst()).toBeUndefined();
  });
});
