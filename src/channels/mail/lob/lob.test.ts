import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PDFDocument } from 'pdf-lib';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { backends } from '../../../../test/backends.js';
import { createHarness, type Harness, type Tenant } from '../../../../test/harness.js';
import { createContact } from '../../../contacts/contacts.js';
import { newId } from '../../../core/ids.js';
import { suppressionsOf } from '../../../suppression/suppressions.js';
import { createProvider, type ChannelProvider } from '../../providers/providers.js';
import { mailAddressKey } from '../address-key.js';
import { buildBatch } from '../batch.js';
import { deliverBatch, type DeliverDeps } from '../deliver.js';
import { testAddress, testPdf, testPiece } from '../pieces.testkit.js';
import { lobWebhookHeaders, startLobServer, type TestLobServer } from './server.testkit.js';

const WEBHOOK_SECRET = 'whsec-0123456789abcdef';

describe.each(backends())('Lob provider on %s', (kind) => {
  let h: Harness;
  let t: Tenant;
  let lob: TestLobServer;
  let provider: ChannelProvider;
  let deps: DeliverDeps;
  let dataDir: string;
  let contactId: string;
  let sends = 0;
  beforeAll(async () => {
    h = await createHarness(kind);
    t = await h.tenant();
    lob = await startLobServer();
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'qatra-lob-'));
    deps = { store: h.deps.store, clock: h.clock, dataDir, allowPrivateOutbound: true };
    contactId = (await createContact(h.deps, t.workspaceId, { userId: 'lob-1', email: 'lob1@example.com' })).id;
    provider = await createProvider({ ...h.deps, providerKinds: { mail: (await import('../provider-kinds.js')).mailProviderKinds } }, t.workspaceId, 'mail', {
      kind: 'lob',
      name: 'Lob',
      settings: { baseUrl: lob.url, from: testAddress('94107', { name: 'Qatra Shop' }), useType: 'marketing', deliveryDays: { '*': 5 } },
      secrets: { apiKey: lob.apiKey, webhookSecret: WEBHOOK_SECRET },
    });
  });
  afterAll(async () => {
    await lob?.close();
    await h?.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });
  beforeEach(() => {
    lob.statuses = [];
  });

  const batchOf = async (pieces: Awaited<ReturnType<typeof testPiece>>[]) => buildBatch(deps, { workspaceId: t.workspaceId, sendKey: `broadcast:lob-${sends++}`, providerId: provider.id, pieces });
  const pieceRow = (id: string) =>
    h.deps.store.db
      .selectFrom('mail_pieces')
      .select(['status', 'provider_piece_id', 'expected_delivery_date', 'error', 'address'])
      .where('workspace_id', '=', t.workspaceId)
      .where('id', '=', id)
      .executeTakeFirstOrThrow();

  it('submits a letter as multipart with to/from, use_type, color and the PDF, keyed by the piece id', async () => {
    const piece = await testPiece({ contactId, postcode: '10001', now: h.clock.now() });
    const batch = await batchOf([piece]);
    const r = await deliverBatch(deps, t.workspaceId, batch.id, provider);
    expect(r).toMatchObject({ status: 'delivered', submitted: 1, failed: 0 });
    const sent = lob.created.at(-1)!;
    expect(sent.resource).toBe('letters');
    expect(sent.idempotencyKey).toBe(piece.identity.id);
    expect(sent.fields).toMatchObject({
      'to[name]': 'Resident 10001',
      'to[address_line1]': '10001 Main St',
      'to[address_city]': 'Springfield',
      'to[address_state]': 'IL',
      'to[address_zip]': '10001',
      'to[address_country]': 'US',
      'from[name]': 'Qatra Shop',
      use_type: 'marketing',
      color: 'true',
    });
    expect(Buffer.from(sent.files.file!.bytes).equals(Buffer.from(piece.pdf))).toBe(true);
    const row = await pieceRow(piece.identity.id);
    expect(row).toMatchObject({ status: 'submitted', provider_piece_id: sent.id, expected_delivery_date: '2026-01-12', error: null });
    const batchRow = await h.deps.store.db.selectFrom('mail_batches').select(['status']).where('id', '=', batch.id).executeTakeFirstOrThrow();
    expect(batchRow.status).toBe('delivered');
  });

  it('a postcard goes as front and back, one page each', async () => {
    const piece = { ...(await testPiece({ contactId, postcode: '10002', now: h.clock.now() })), kind: 'postcard' as const, sheetFormat: '6x4' as const };
    piece.pdf = await testPdf('postcard', 2);
    const batch = await batchOf([piece]);
    await deliverBatch(deps, t.workspaceId, batch.id, provider);
    const sent = lob.created.at(-1)!;
    expect(sent.resource).toBe('postcards');
    for (const side of ['front', 'back']) expect((await PDFDocument.load(sent.files[side]!.bytes)).getPageCount()).toBe(1);
  });

  it('a 422 is permanent: the piece fails with Lob’s reason and the others still go', async () => {
    const bad = await testPiece({ contactId, postcode: '', now: h.clock.now(), address: { ...testAddress('x'), postcode: undefined } as never });
    const good = await testPiece({ contactId, postcode: '10003', now: h.clock.now() });
    const batch = await batchOf([bad, good]);
    const before = lob.created.length;
    const r = await deliverBatch(deps, t.workspaceId, batch.id, provider);
    expect(r).toMatchObject({ status: 'delivered', submitted: 1, failed: 1 });
    expect(lob.created.length).toBe(before + 1);
    expect(await pieceRow(bad.identity.id)).toMatchObject({ status: 'failed', error: 'Lob 422 invalid: to.address_zip is required' });
  });

  it('500 and 429 are retryable; the retry creates each piece once (Idempotency-Key)', async () => {
    const a = await testPiece({ contactId, postcode: '20001', now: h.clock.now() });
    const b = await testPiece({ contactId, postcode: '20002', now: h.clock.now() });
    const batch = await batchOf([a, b]);
    const before = lob.created.length;
    lob.statuses = [500, 429];
    const first = await deliverBatch(deps, t.workspaceId, batch.id, provider);
    expect(first).toMatchObject({ status: 'retryable', submitted: 0 });
    const rows = [await pieceRow(a.identity.id), await pieceRow(b.identity.id)];
    expect(rows.map((r) => r.status)).toEqual(['created', 'created']);
    expect(rows.map((r) => r.error?.slice(0, 7)).sort()).toEqual(['Lob 429', 'Lob 500']);
    expect(await deliverBatch(deps, t.workspaceId, batch.id, provider)).toMatchObject({ status: 'delivered', submitted: 2 });
    expect(await deliverBatch(deps, t.workspaceId, batch.id, provider)).toMatchObject({ status: 'delivered', submitted: 0 });
    expect(lob.created.length).toBe(before + 2);
  });

  it('an answer lost after Lob created the piece: the retry, with the same Idempotency-Key, gets the same piece', async () => {
    const piece = await testPiece({ contactId, postcode: '20003', now: h.clock.now() });
    const batch = await batchOf([piece]);
    const before = lob.created.length;
    lob.loseNextAnswer = true;
    expect(await deliverBatch(deps, t.workspaceId, batch.id, provider)).toMatchObject({ status: 'retryable' });
    expect(lob.created.length).toBe(before + 1);
    expect(await deliverBatch(deps, t.workspaceId, batch.id, provider)).toMatchObject({ status: 'delivered', submitted: 1 });
    expect(lob.created.length).toBe(before + 1);
    expect((await pieceRow(piece.identity.id)).provider_piece_id).toBe(lob.created.at(-1)!.id);
  });

  it('a loopback Lob URL is refused (permanent, nothing sent) unless private outbound connections are allowed', async () => {
    const piece = await testPiece({ contactId, postcode: '20004', now: h.clock.now() });
    const batch = await batchOf([piece]);
    const requests = lob.requests;
    expect(await deliverBatch({ ...deps, allowPrivateOutbound: false }, t.workspaceId, batch.id, provider)).toMatchObject({ status: 'delivered', submitted: 0, failed: 1 });
    expect(lob.requests).toBe(requests);
    expect((await pieceRow(piece.identity.id)).error).toMatch(/private, loopback/);
  });

  describe('webhooks', () => {
    let piece: Awaited<ReturnType<typeof testPiece>>;
    let lobId: string;
    const messageId = newId('msg');
    beforeAll(async () => {
      const now = h.clock.now();
      await h.deps.store.db
        .insertInto('messages')
        .values({
          id: messageId,
          workspace_id: t.workspaceId,
          contact_id: contactId,
          channel: 'mail',
          kind: 'marketing',
          idempotency_key: `k-${messageId}`,
          status: 'sent',
          links: '[]',
          created_at: now,
          sent_at: now,
          updated_at: now,
        })
        .execute();
      piece = await testPiece({ contactId, postcode: '30001', now, messageId });
      const batch = await batchOf([piece]);
      await deliverBatch(deps, t.workspaceId, batch.id, provider);
      lobId = (await pieceRow(piece.identity.id)).provider_piece_id!;
    });

    let evt = 0;
    const event = (type: string) =>
      JSON.stringify({
        id: `evt_${kind}${evt++}`,
        object: 'event',
        reference_id: lobId,
        event_type: { id: type, resource: 'letters', enabled_for_test: true, object: 'event_type' },
        body: { id: lobId },
        date_created: '2026-01-05T12:00:00Z',
      });
    const post = (body: string, headers: Record<string, string>) =>
      h.app.inject({ method: 'POST', url: `/hooks/mail/lob/${provider.id}`, headers: { 'content-type': 'application/json', ...headers }, payload: body });
    const signed = (body: string, secret = WEBHOOK_SECRET, at = h.clock.now()) => lobWebhookHeaders(secret, body, at);
    const mailEvents = () =>
      h.deps.store.db
        .selectFrom('events')
        .select(['name', 'properties'])
        .where('workspace_id', '=', t.workspaceId)
        .where('contact_id', '=', contactId)
        .where('name', 'like', 'mail.%')
        .orderBy('id')
        .execute();

    it('unsigned, wrongly signed, stale or replayed-with-another-body events are 403 and change nothing', async () => {
      const body = event('letter.returned_to_sender');
      const before = await mailEvents();
      for (const headers of [{}, signed(body, 'another-secret-0123'), signed(body, WEBHOOK_SECRET, h.clock.now() - 10 * 60_000), signed(event('letter.mailed'))]) {
        const res = await post(body, headers);
        expect(res.statusCode).toBe(403);
      }
      // Only the properly signed one is applied.
      expect((await post(body, signed(body))).statusCode).toBe(200);
      expect((await mailEvents()).length).toBe(before.length + 1);
    });
  });

  it('signed tracking events move the piece forward once; delivered marks the message; returned suppresses the address', async () => {
    const now = h.clock.now();
    const messageId = newId('msg');
    await h.deps.store.db
      .insertInto('messages')
      .values({
        id: messageId,
        workspace_id: t.workspaceId,
        contact_id: contactId,
        channel: 'mail',
        kind: 'marketing',
        idempotency_key: `k-${messageId}`,
        status: 'sent',
        links: '[]',
        created_at: now,
        sent_at: now,
        updated_at: now,
      })
      .execute();
    const piece = await testPiece({ contactId, postcode: '40001', now, messageId });
    await deliverBatch(deps, t.workspaceId, (await batchOf([piece])).id, provider);
    const lobId = (await pieceRow(piece.identity.id)).provider_piece_id!;
    let n = 0;
    const send = async (type: string, id = `evt_${kind}_t${n++}`) => {
      const body = JSON.stringify({ id, object: 'event', reference_id: lobId, event_type: { id: type, resource: 'letters' }, body: { id: lobId } });
      return h.app.inject({ method: 'POST', url: `/hooks/mail/lob/${provider.id}`, headers: lobWebhookHeaders(WEBHOOK_SECRET, body, h.clock.now()), payload: body });
    };
    expect((await send('letter.mailed', 'evt_dup')).json()).toEqual({ ok: true, result: 'applied' });
    expect((await send('letter.mailed', 'evt_dup')).json()).toEqual({ ok: true, result: 'stale' });
    expect((await pieceRow(piece.identity.id)).status).toBe('mailed');
    await send('letter.in_transit');
    await send('letter.delivered');
    expect((await send('letter.in_local_area')).json().result).toBe('stale');
    expect((await pieceRow(piece.identity.id)).status).toBe('delivered');
    const message = await h.deps.store.db.selectFrom('messages').select(['delivery_status']).where('id', '=', messageId).executeTakeFirstOrThrow();
    expect(message.delivery_status).toBe('delivered');
    const events = await h.deps.store.db
      .selectFrom('events')
      .select(['name', 'properties'])
      .where('workspace_id', '=', t.workspaceId)
      .where('message_id', 'like', 'lob:evt_%')
      .where('contact_id', '=', contactId)
      .orderBy('id')
      .execute();
    expect(events.filter((e) => e.name === 'mail.mailed')).toHaveLength(1);
    const delivered = events.find((e) => e.name === 'mail.delivered')!;
    expect(typeof delivered.properties === 'string' ? JSON.parse(delivered.properties) : delivered.properties).toMatchObject({
      channel: 'mail',
      pieceId: piece.identity.id,
      messageId,
      provider: 'lob',
    });

    const key = mailAddressKey(piece.address);
    expect(await suppressionsOf(h.deps.store.db, t.workspaceId, key)).toEqual([]);
    await send('letter.returned_to_sender');
    expect((await pieceRow(piece.identity.id)).status).toBe('returned');
    expect(await suppressionsOf(h.deps.store.db, t.workspaceId, key)).toMatchObject([{ reason: 'hard_bounce', source: 'lob' }]);
    // The same address written differently is the same key.
    expect(mailAddressKey({ ...piece.address, lines: ['40001  MAIN ST.'], postcode: ' 40001 ' })).toBe(key);
  });

  it('an event for an unknown provider is 403', async () => {
    const body = JSON.stringify({ id: 'evt_x', event_type: { id: 'letter.mailed' }, reference_id: 'ltr_x' });
    const res = await h.app.inject({ method: 'POST', url: '/hooks/mail/lob/prv_nope', headers: lobWebhookHeaders(WEBHOOK_SECRET, body, h.clock.now()), payload: body });
    expect(res.statusCode).toBe(403);
  });
});
