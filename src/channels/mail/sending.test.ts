/**
 * Direct mail on the send pipeline, end to end on both stores with the real renderer (Chromium), the
 * real HTTP API and a print-house directory: a journey's letter is recorded, printed and joins the
 * provider's day's batch; the worker drops the batch at the cut-off (on the injectable clock); the
 * piece lands on its expected date, `mail.delivered` is recorded and the journey goes on. Pieces that
 * cannot go are skipped with their reason, and a worker killed mid-drop leaves one batch, dropped once.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../../../test/backends.js';
import { runtimeFixture, type RuntimeFixture } from '../../journeys/runtime/runtime.testkit.js';
import { closeChannels } from '../registry.js';
import type { SendRequest } from '../channel.js';
import { pieceIdOf } from './day-batch.js';
import { startLobServer, type TestLobServer } from './lob/server.testkit.js';
import { testAddress } from './pieces.testkit.js';
import { createList } from '../../lists/lists.js';
import { addMembers } from '../../lists/memberships.js';
import { broadcastTask, createBroadcastRuntime } from '../../broadcasts/task.js';
import { mailBatchTask } from './task.js';
import { printToolsGuard } from './render/print.testkit.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

const letter = {
  id: 'welcome-letter',
  name: 'Welcome letter',
  channel: 'mail',
  kind: 'marketing',
  content: {
    paper: 'letter-a4',
    defaultLocale: 'ar',
    returnAddress: ['Qatra · ص.ب 1 · الرياض 11564'],
    body: '<h1>مرحبا {{ contact.first_name }}</h1><p>رمز الخصم {{ piece.promo_code }} على منتجات Qatra.</p><div style="width:25mm">{{ piece.qr_svg | raw }}</div>',
  },
};

const journey = {
  id: 'welcome-by-post',
  name: 'Welcome by post',
  trigger: { type: 'event', event: 'signed_up' },
  start: 'letter',
  nodes: [
    { id: 'letter', type: 'message', channel: 'mail', template: 'welcome-letter', config: { promoPrefix: 'HELLO', url: 'https://shop.example/welcome' } },
    { id: 'landed', type: 'wait_for_event', event: 'mail.delivered', timeout: '30d' },
    { id: 'after', type: 'message', channel: 'counting' },
    { id: 'done', type: 'exit' },
    { id: 'lost', type: 'exit' },
  ],
  edges: [
    { from: 'letter', to: 'landed' },
    { from: 'landed', output: 'event', to: 'after' },
    { from: 'landed', output: 'timeout', to: 'lost' },
    { from: 'after', to: 'done' },
  ],
};

const riyadh = { name: 'سارة العتيبي', lines: ['٤٥ شارع التحلية'], city: 'الرياض', postcode: '12643', country: 'SA' };

const missing = printToolsGuard('direct mail on the send pipeline');

describe.skipIf(missing !== null).each(backends())('direct mail on the send pipeline on %s', (kind) => {
  let f: RuntimeFixture;
  let dataDir: string;
  let printDir: string;
  let task: ReturnType<typeof mailBatchTask>;
  let providerId: string;
  let lob: TestLobServer;
  beforeAll(async () => {
    lob = await startLobServer();
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'qatra-mail-send-'));
    printDir = fs.mkdtempSync(path.join(os.tmpdir(), 'qatra-mail-print-'));
    f = await runtimeFixture(kind, { config: { dataDir, allowPrivateOutbound: true } });
    const { h, t } = f;
    await h.deps.store.db.updateTable('workspaces').set({ timezone: 'Asia/Riyadh' }).where('id', '=', t.workspaceId).execute();
    const res = await h.app.inject({
      method: 'POST',
      url: '/api/channels/mail/providers',
      headers: t.admin,
      payload: { kind: 'print_dir', name: 'Riyadh print', settings: { directory: printDir, costPerLetter: 1.25, deliveryDays: { SA: 2 }, cutoff: '16:00' } },
    });
    expect(res.statusCode, res.body).toBe(201);
    providerId = res.json().id;
    expect((await h.app.inject({ method: 'POST', url: '/api/templates', headers: t.admin, payload: letter })).statusCode).toBe(201);
    await f.live(journey);
    task = mailBatchTask({ ...h.deps, dataDir, log: pino({ level: 'silent' }) });
  }, 60_000);
  afterAll(async () => {
    await closeChannels(f?.rt.channels);
    await f?.close();
    await lob?.close();
    for (const d of [dataDir, printDir]) fs.rmSync(d, { recursive: true, force: true });
  });

  const batches = () => f.h.deps.store.db.selectFrom('mail_batches').selectAll().where('workspace_id', '=', f.t.workspaceId).orderBy('created_at').execute();
  const messageOf = (contactId: string) =>
    f.h.deps.store.db.selectFrom('messages').select(['status', 'reason', 'cost_micros', 'delivery_status']).where('contact_id', '=', contactId).where('channel', '=', 'mail').executeTakeFirst();

  it('journey → piece in the day’s batch → dropped at the cut-off → mail.delivered on the expected date → the journey goes on; skips say why', async () => {
    const { h, t } = f;
    const sara = await f.contact({ userId: 'sara', attributes: { first_name: 'سارة' }, address: riyadh } as never);
    const nowhere = await f.contact({ userId: 'no-address' });
    const broken = await f.contact({ userId: 'broken' });
    // Written by hand (a row from before the rules tightened): the API would refuse it.
    await h.deps.store.db
      .updateTable('contacts')
      .set({ postal_address: JSON.stringify({ ...riyadh, postcode: undefined }) })
      .where('id', '=', broken.id)
      .execute();
    const blocked = await f.contact({ userId: 'blocked', address: { ...riyadh, name: 'Someone Else' } } as never);
    // A do-not-mail list opts this contact out of postal marketing (consent `mail`).
    const dnm = await h.app.inject({
      method: 'POST',
      url: '/api/channels/mail/do-not-mail',
      headers: { ...t.admin, 'content-type': 'text/csv' },
      payload: `contact_id\n${blocked.id}\n`,
    });
    expect(dnm.statusCode, dnm.body).toBe(200);
    for (const u of ['sara', 'no-address', 'broken', 'blocked']) await f.track(u, 'signed_up');
    await f.worker.drain();

    expect(await messageOf(sara.id)).toMatchObject({ status: 'sent' });
    expect(Number((await messageOf(sara.id))!.cost_micros)).toBe(1_250_000);
    expect(await messageOf(nowhere.id)).toMatchObject({ status: 'skipped', reason: 'contact has no postal address' });
    expect((await messageOf(broken.id))?.reason).toMatch(/^the postal address is incomplete or invalid: postcode/);
    // Opted out of postal marketing: the step's consent guard stops it before anything is recorded.
    const [blockedRun] = (await f.runs('welcome-by-post')).filter((r) => r.contactId === blocked.id);
    expect((await f.steps(blockedRun!.id))[0]).toMatchObject({ node: 'letter', outcome: 'skipped', detail: { reason: 'unsubscribed from mail' } });
    expect(await messageOf(blocked.id)).toBeUndefined();

    const [open] = await batches();
    // 12:00 UTC is 15:00 in Riyadh: today's batch, closing at 16:00 Riyadh (13:00 UTC).
    expect(open).toMatchObject({ status: 'building', day: '2026-01-05', send_key: `day:${providerId}:2026-01-05`, piece_count: 1 });
    expect(Number(open!.cutoff_at)).toBe(Date.UTC(2026, 0, 5, 13, 0));
    const piece = await h.deps.store.db.selectFrom('mail_pieces').selectAll().where('contact_id', '=', sara.id).executeTakeFirstOrThrow();
    expect(piece).toMatchObject({ batch_id: open!.id, status: 'created', kind: 'letter', sheet_format: 'a4' });
    expect(piece.promo_code).toMatch(/^HELLO-[0-9A-Z]{8}$/);

    // Before the cut-off nothing leaves.
    expect(await task.tick()).toBe(0);
    expect(fs.readdirSync(printDir)).toEqual([]);

    f.h.clock.advance(HOUR + 1);
    expect(await task.tick()).toBe(1);
    const [dropped] = await batches();
    expect(dropped).toMatchObject({ status: 'delivered', delivered_to: path.join(printDir, open!.id), piece_count: 1, page_count: 1 });
    expect(fs.readdirSync(printDir).sort()).toEqual([open!.id, `${open!.id}.done`]);
    const manifest = JSON.parse(fs.readFileSync(path.join(printDir, open!.id, 'manifest.json'), 'utf8')) as { pieces: { pieceId: string; postcode: string }[] };
    expect(manifest.pieces).toMatchObject([{ pieceId: piece.id, postcode: '12643' }]);
    const landedAt = await h.deps.store.db.selectFrom('mail_pieces').select(['status', 'expected_delivery_date']).where('id', '=', piece.id).executeTakeFirstOrThrow();
    // Cut-off (2026-01-05) + 2 transit days for SA.
    expect(landedAt).toEqual({ status: 'submitted', expected_delivery_date: '2026-01-07' });

    // The day after: not landed yet; the journey still waits.
    await f.advance(DAY);
    expect(await task.tick()).toBe(0);
    await f.advance(DAY);
    expect(await task.tick()).toBe(1);
    await f.worker.drain();
    const [run] = (await f.runs('welcome-by-post')).filter((r) => r.contactId === sara.id);
    expect((await f.steps(run!.id)).map((s) => `${s.node}:${s.outcome}`)).toEqual(['letter:sent', 'landed:waiting', 'landed:event', 'after:sent', 'done:completed']);
    expect(run!.event).toMatchObject({ channel: 'mail', pieceId: piece.id });
    expect(await messageOf(sara.id)).toMatchObject({ delivery_status: 'delivered' });
    // Landed once: a later tick records nothing more.
    expect(await task.tick()).toBe(0);
  }, 120_000);

  it('Lob: one API call per piece with the message id as Idempotency-Key; an answer lost on the way is retried into the same Lob piece', async () => {
    const { h, t } = f;
    const res = await h.app.inject({
      method: 'POST',
      url: '/api/channels/mail/providers',
      headers: t.admin,
      payload: { kind: 'lob', name: 'Lob', priority: 5, settings: { baseUrl: lob.url, from: testAddress('94107', { name: 'Qatra Shop' }), costPerLetter: 0.9 }, secrets: { apiKey: lob.apiKey } },
    });
    expect(res.statusCode, res.body).toBe(201);
    const lobId = res.json().id as string;
    const contact = await f.contact({ userId: 'lob-reader', address: testAddress('10001', { name: 'Jane Reader' }) } as never);
    const request: SendRequest = { workspaceId: t.workspaceId, contact, idempotencyKey: 'bc:lob-test:1', config: { template: 'welcome-letter', provider: lobId }, context: {}, kind: 'marketing' };
    const mail = f.rt.channels.get('mail')!;

    lob.loseNextAnswer = true;
    const first = await mail.send(request);
    expect(first).toMatchObject({ status: 'retryable', reason: expect.stringMatching(/^Lob unreachable/) as string });
    expect(lob.created).toHaveLength(1);
    const again = await mail.send(request);
    expect(again).toEqual({ status: 'sent', providerMessageId: lob.created[0]!.id });
    expect(lob.created).toHaveLength(1);
    const message = await h.deps.store.db.selectFrom('messages').select(['id', 'status', 'provider_message_id']).where('idempotency_key', '=', 'bc:lob-test:1').executeTakeFirstOrThrow();
    expect(lob.created[0]!.idempotencyKey).toBe(message.id);
    expect(message).toMatchObject({ status: 'sent', provider_message_id: lob.created[0]!.id });
    const piece = await h.deps.store.db.selectFrom('mail_pieces').selectAll().where('id', '=', pieceIdOf(message.id)).executeTakeFirstOrThrow();
    expect(piece).toMatchObject({ status: 'submitted', provider_piece_id: lob.created[0]!.id, expected_delivery_date: '2026-01-12' });
    // A third call answers from the record: nothing is printed or posted again.
    expect(await mail.send(request)).toEqual({ status: 'sent', providerMessageId: lob.created[0]!.id });
    expect(lob.requests).toBe(2);
    // The piece is in Lob's day's batch, listed at the cut-off without another call.
    const batch = await h.deps.store.db.selectFrom('mail_batches').selectAll().where('id', '=', piece.batch_id).executeTakeFirstOrThrow();
    expect(batch).toMatchObject({ provider_id: lobId, status: 'building', piece_count: 1 });
    h.clock.set(Number(batch.cutoff_at) + 1);
    while ((await task.tick()) > 0);
    expect(await h.deps.store.db.selectFrom('mail_batches').select('status').where('id', '=', batch.id).executeTakeFirstOrThrow()).toEqual({ status: 'delivered' });
    expect(lob.requests).toBe(2);
  }, 120_000);

  it('a broadcast on channel mail: each recipient printed once into the provider’s day’s batch', async () => {
    const { h, t } = f;
    const a = await f.contact({ userId: 'bc-a', address: testAddress('20001', { name: 'Ann Broad' }) } as never);
    const b = await f.contact({ userId: 'bc-b', address: testAddress('30001', { name: 'Bob Cast' }) } as never);
    const list = await createList(h.deps, t.workspaceId, { name: 'postal' });
    await addMembers(h.deps, t.workspaceId, list.id, { contactIds: [a.id, b.id], status: 'subscribed' });
    const created = await h.app.inject({
      method: 'POST',
      url: '/api/broadcasts',
      headers: t.admin,
      payload: { name: 'Spring letter', channel: 'mail', template: 'welcome-letter', audience: { type: 'list', id: list.id }, config: { provider: providerId } },
    });
    expect(created.statusCode, created.body).toBe(201);
    expect((await h.app.inject({ method: 'POST', url: `/api/broadcasts/${created.json().id}/schedule`, headers: t.admin, payload: {} })).statusCode).toBe(200);
    const task = broadcastTask(createBroadcastRuntime(h.deps, { channels: f.rt.channels }));
    while ((await task.tick()) > 0);
    const pieces = await h.deps.store.db.selectFrom('mail_pieces').select(['contact_id', 'batch_id', 'status', 'message_id']).where('contact_id', 'in', [a.id, b.id]).execute();
    expect(pieces).toHaveLength(2);
    expect(new Set(pieces.map((p) => p.batch_id)).size).toBe(1);
    const batch = await h.deps.store.db.selectFrom('mail_batches').selectAll().where('id', '=', pieces[0]!.batch_id).executeTakeFirstOrThrow();
    expect(batch).toMatchObject({ provider_id: providerId, status: 'building', piece_count: 2 });
    const messages = await h.deps.store.db.selectFrom('messages').select(['status', 'channel']).where('contact_id', 'in', [a.id, b.id]).execute();
    expect(messages).toEqual([
      { status: 'sent', channel: 'mail' },
      { status: 'sent', channel: 'mail' },
    ]);
  }, 120_000);
});
