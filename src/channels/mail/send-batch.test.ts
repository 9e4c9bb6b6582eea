/**
 * The mail sender's writes for a send batch, on both stores: the pieces of a batch of messages are
 * stored in one transaction (one INSERT of the pieces, one UPDATE of the day's batch row) instead of
 * one transaction per piece; and exactly-once holds when a sender dies mid-batch, either after its
 * pieces were stored and before its outcomes were (the retry finds every piece and prints none
 * again), or before the write committed (nothing of it is stored; the retry stores each piece once).
 *
 * The printer here is a stand-in that hands back a real one-page PDF (pdf-lib) per piece: what is
 * under test is the store side, and Chromium's share is proven in sending.test.ts.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { KyselyPlugin } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../../../test/backends.js';
import { createHarness, type Harness, type Tenant } from '../../../test/harness.js';
import { toContact } from '../../contacts/contact.js';
import { toJson } from '../../core/json.js';
import type { Store } from '../../store/store.js';
import { saveTemplates } from '../../templates/service.js';
import type { SendRequest } from '../channel.js';
import { pipelineChannel } from '../pipeline.js';
import { batchFiles } from './batch-files.js';
import { mailSender } from './channel.js';
import { testPdf } from './pieces.testkit.js';
import type { PieceSource } from './render/renderer.js';

/** `real` with its `db` counting the INSERTs into mail_pieces and UPDATEs of mail_batches. */
function countingStore(real: Store): { store: Store; counts: { pieceInserts: number; batchUpdates: number } } {
  const counts = { pieceInserts: 0, batchUpdates: 0 };
  const plugin: KyselyPlugin = {
    transformQuery(args) {
      const node = args.node as { kind: string; into?: { table: { identifier: { name: string } } }; table?: { table: { identifier: { name: string } } } };
      if (node.kind === 'InsertQueryNode' && node.into?.table.identifier.name === 'mail_pieces') counts.pieceInserts++;
      if (node.kind === 'UpdateQueryNode' && node.table?.table?.identifier?.name === 'mail_batches') counts.batchUpdates++;
      return args.node;
    },
    transformResult: async (args) => args.result,
  };
  const store = Object.create(real, {
    db: { value: real.db.withPlugin(plugin) },
    transaction: { value: <T>(fn: (trx: Store['db']) => Promise<T>) => real.transaction((trx) => fn(trx.withPlugin(plugin))) },
  }) as Store;
  return { store, counts };
}

describe.each(backends())('the mail sender’s writes for a send batch on %s', (kind) => {
  let h: Harness;
  let t: Tenant;
  let dataDir: string;
  let printDir: string;
  let providerId: string;
  let printed = 0;
  const counted = () => countingStore(h.deps.store);

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'qatra-mail-sendbatch-'));
    printDir = fs.mkdtempSync(path.join(os.tmpdir(), 'qatra-mail-sendbatch-print-'));
    h = await createHarness(kind, { dataDir });
    t = await h.tenant();
    const res = await h.app.inject({
      method: 'POST',
      url: '/api/channels/mail/providers',
      headers: t.admin,
      payload: { kind: 'print_dir', name: 'Print', settings: { directory: printDir, costPerLetter: 0.5 } },
    });
    expect(res.statusCode, res.body).toBe(201);
    providerId = res.json().id;
    await saveTemplates(
      h.deps,
      t.workspaceId,
      [{ id: 'letter', name: 'Letter', channel: 'mail', kind: 'marketing', content: { paper: 'letter-a4', body: '<p>مرحبا {{ contact.first_name }}</p>' } }],
      'create',
    );
  });
  afterAll(async () => {
    await h?.close();
    for (const d of [dataDir, printDir]) fs.rmSync(d, { recursive: true, force: true });
  });

  const channelOn = (store: Store) =>
    pipelineChannel(
      { store, clock: h.clock, attemptLeaseMs: 60_000 },
      mailSender({
        store,
        clock: h.clock,
        secretBox: h.deps.secretBox,
        dataDir,
        publicUrl: 'https://q.example.com',
        print: async (source: PieceSource) => (printed++, { id: source.id, ok: true, pdf: await testPdf(source.id), pages: 1, warnings: [] }),
        // The stand-in printer hands pieces back one by one; on a loaded machine more than the default
        // 5 ms may pass between two, and the write would be split in two (a CI run saw 2 and 2).
        batchQuietMs: 500,
      }),
    );

  async function recipients(prefix: string, n: number): Promise<SendRequest[]> {
    const now = h.clock.now();
    const rows = Array.from({ length: n }, (_, i) => ({
      id: `ct_${prefix}${String(i).padStart(4, '0')}`,
      workspace_id: t.workspaceId,
      user_id: `${prefix}${i}`,
      attributes: toJson({ first_name: 'سارة' }),
      postal_address: toJson({ name: `Resident ${i}`, lines: [`${i} Main St`], city: 'Springfield', region: 'IL', postcode: String(62701 + i), country: 'US' }),
      created_at: now,
      updated_at: now,
    }));
    await h.deps.store.db.insertInto('contacts').values(rows).execute();
    const stored = await h.deps.store.db.selectFrom('contacts').selectAll().where('workspace_id', '=', t.workspaceId).where('id', 'like', `ct_${prefix}%`).orderBy('id').execute();
    return stored.map((row) => ({ workspaceId: t.workspaceId, contact: toContact(row), idempotencyKey: `bc:test:${row.id}`, config: { template: 'letter' }, context: {}, kind: 'marketing' }));
  }

  const dayBatch = () => h.deps.store.db.selectFrom('mail_batches').selectAll().where('workspace_id', '=', t.workspaceId).where('provider_id', '=', providerId).executeTakeFirstOrThrow();
  const piecesOf = (batchId: string) => h.deps.store.db.selectFrom('mail_pieces').selectAll().where('workspace_id', '=', t.workspaceId).where('batch_id', '=', batchId).execute();
  /** What a sender killed after its pieces were stored leaves: its messages queued, their leases run out. */
  const killedBeforeOutcomes = (requests: SendRequest[]) =>
    h.deps.store.db
      .updateTable('messages')
      .set({ status: 'queued', provider_message_id: null, lease_until: h.clock.now() - 1 })
      .where('workspace_id', '=', t.workspaceId)
      .where(
        'idempotency_key',
        'in',
        requests.map((r) => r.idempotencyKey),
      )
      .execute();

  it('40 pieces of a send batch are stored with one INSERT and one UPDATE of the day’s batch row; the row’s counts agree with its pieces', async () => {
    const requests = await recipients('a', 40);
    const { store, counts } = counted();
    const results = await channelOn(store).sendBatch!(requests);
    expect(results.map((r) => r.status)).toEqual(requests.map(() => 'sent'));
    // One transaction per piece, before: 40 INSERTs and 40 UPDATEs serialised on the batch row's lock.
    expect(counts).toEqual({ pieceInserts: 1, batchUpdates: 1 });
    const batch = await dayBatch();
    const pieces = await piecesOf(batch.id);
    expect(pieces).toHaveLength(40);
    expect([Number(batch.piece_count), Number(batch.page_count), Number(batch.cost_micros)]).toEqual([40, 40, 40 * 500_000]);
    for (const p of pieces) expect(fs.existsSync(batchFiles(dataDir, t.workspaceId, batch.id).piecePdf(p.id))).toBe(true);
  });

  it('a sender killed after its pieces were stored, before its outcomes: the retry finds every piece, prints none again, counts none twice', async () => {
    const requests = await recipients('b', 30);
    const channel = channelOn(h.deps.store);
    expect((await channel.sendBatch!(requests)).every((r) => r.status === 'sent')).toBe(true);
    const before = await dayBatch();
    await killedBeforeOutcomes(requests);
    const printedBefore = printed;
    const { store, counts } = counted();
    const again = await channelOn(store).sendBatch!(requests);
    expect(again.map((r) => r.status)).toEqual(requests.map(() => 'sent'));
    expect(printed).toBe(printedBefore);
    expect(counts).toEqual({ pieceInserts: 0, batchUpdates: 0 });
    const after = await dayBatch();
    expect(Number(after.piece_count)).toBe(Number(before.piece_count));
    expect((await piecesOf(after.id)).length).toBe(Number(after.piece_count));
  });

  it('a write that fails before it commits stores nothing of the batch; the retry stores each piece once', async () => {
    const requests = await recipients('c', 20);
    const batch = await dayBatch();
    // The batch's pieces directory replaced by a file: the first piece's PDF cannot be written.
    const pieceDir = path.dirname(batchFiles(dataDir, t.workspaceId, batch.id).piecePdf('x'));
    fs.renameSync(pieceDir, `${pieceDir}.aside`);
    fs.writeFileSync(pieceDir, 'in the way');
    const failed = await channelOn(h.deps.store).sendBatch!(requests);
    expect(failed.map((r) => r.status)).toEqual(requests.map(() => 'retryable'));
    const during = await dayBatch();
    expect(Number(during.piece_count)).toBe(Number(batch.piece_count));
    expect((await piecesOf(batch.id)).length).toBe(Number(batch.piece_count));

    fs.rmSync(pieceDir);
    fs.renameSync(`${pieceDir}.aside`, pieceDir);
    const retried = await channelOn(h.deps.store).sendBatch!(requests);
    expect(retried.map((r) => r.status)).toEqual(requests.map(() => 'sent'));
    const after = await dayBatch();
    expect(Number(after.piece_count)).toBe(Number(batch.piece_count) + 20);
    const pieces = await piecesOf(batch.id);
    expect(pieces.length).toBe(Number(after.piece_count));
    expect(new Set(pieces.map((p) => p.message_id)).size).toBe(pieces.length);
  });
});
