import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../../../test/backends.js';
import { createHarness, type Harness, type Tenant } from '../../../test/harness.js';
import { createContact } from '../../contacts/contacts.js';
import { newId } from '../../core/ids.js';
import { workspaceSecret } from '../../tracking/tokens.js';
import { buildBatch } from './batch.js';
import { newPieceIdentity, pieceUrl } from './piece-identity.js';
import { pieceVariables } from '../../templates/render-mail.js';
import { testPiece } from './pieces.testkit.js';
import { renderMailPiece } from './piece-render.js';
import { saveTemplates } from '../../templates/service.js';
import { TemplateCache } from '../../templates/cache.js';

describe.each(backends())('mail response (pURL and QR) on %s', (kind) => {
  let h: Harness;
  let t: Tenant;
  let dataDir: string;
  let contactId: string;
  const messageId = newId('msg');
  beforeAll(async () => {
    h = await createHarness(kind);
    t = await h.tenant();
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'qatra-resp-'));
    contactId = (await createContact(h.deps, t.workspaceId, { userId: 'resp-1' })).id;
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
        journey_id: 'jr_spring',
        run_id: 'run_1',
        node_id: 'postcard',
        created_at: now,
        sent_at: now,
        updated_at: now,
      })
      .execute();
  });
  afterAll(async () => {
    await h?.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  /** A piece whose token is signed with the workspace's real tracking secret, in a built batch. */
  const builtPiece = async (o: { messageId?: string; targetUrl?: string | undefined } = {}) => {
    const secret = await workspaceSecret(h.deps.store, t.workspaceId);
    const piece = await testPiece({ contactId, postcode: '10001', now: h.clock.now(), costMicros: 1_250_000, messageId: o.messageId });
    piece.identity = newPieceIdentity({ trackingSecret: secret, promoPrefix: 'SPRING', now: h.clock.now() });
    if ('targetUrl' in o) piece.targetUrl = o.targetUrl;
    await buildBatch({ store: h.deps.store, clock: h.clock, dataDir }, { workspaceId: t.workspaceId, sendKey: `broadcast:${piece.identity.id}`, pieces: [piece] });
    return piece;
  };

  it('pieceVariables gives the personal URL, its QR code as SVG (none for a template that prints none), and the promo code', async () => {
    const url = pieceUrl('https://qatra.example/', 'AbCdEfGh123');
    expect(url).toBe('https://qatra.example/m/AbCdEfGh123');
    const v = await pieceVariables({ url, promoCode: 'SPRING-7K3M9QXZ', addressLines: [] });
    expect(v.url).toBe(url);
    expect(v.qr_svg).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"[^>]*viewBox="0 0 \d+ \d+"/);
    expect(v.qr_svg).toContain('<path');
    expect(v.qr_image).toMatch(/^data:image\/svg\+xml;base64,/);
    expect(v.promo_code).toBe('SPRING-7K3M9QXZ');
    expect((await pieceVariables({ url, addressLines: [] }, { qr: false })).qr_svg).toBe('');
  });

  it('a piece is rendered with its QR code when the template prints one, and with none when not', async () => {
    const letter = (id: string, body: string) => ({ id, name: id, channel: 'mail', kind: 'marketing' as const, content: { paper: 'letter-a4' as const, body } });
    await saveTemplates(h.deps, t.workspaceId, [letter('with-qr', '<p>{{ piece.url }}</p>{{ piece.qr_svg | raw }}'), letter('no-qr', '<p>{{ piece.url }}</p>')], 'upsert');
    const render = (templateId: string) =>
      renderMailPiece(
        { store: h.deps.store, templateCache: new TemplateCache() },
        {
          workspaceId: t.workspaceId,
          templateId,
          contact: { id: contactId, attributes: {}, locale: 'ar' },
          workspace: { name: 'Shop', postalAddress: 'PO Box 1' },
          piece: { url: pieceUrl('https://q.example', 'AbCdEfGh123'), addressLines: ['x'] },
        },
      );
    expect((await render('with-qr')).body).toMatch(/<svg xmlns="http:\/\/www.w3.org\/2000\/svg"[^>]*><path/);
    const without = await render('no-qr');
    expect(without.body).toContain('https://q.example/m/AbCdEfGh123');
    expect(without.body).not.toContain('<svg');
  });

  it('a visit redirects to the target and records mail.responded with the piece, message, journey and step; the message counts it', async () => {
    const piece = await builtPiece({ messageId });
    const res = await h.app.inject({ method: 'GET', url: `/m/${piece.identity.token}`, headers: { 'user-agent': 'phone camera' } });
    expect(res.statusCode).toBe(302);
    expect(res.headers.location).toBe('https://shop.example/spring');
    expect(res.headers['cache-control']).toBe('no-store');
    // A second scan in the same minute is the same response.
    await h.app.inject({ method: 'GET', url: `/m/${piece.identity.token}` });

    const events = await h.deps.store.db.selectFrom('events').select(['name', 'properties', 'contact_id']).where('workspace_id', '=', t.workspaceId).where('name', '=', 'mail.responded').execute();
    expect(events).toHaveLength(1);
    const props = typeof events[0]!.properties === 'string' ? JSON.parse(events[0]!.properties) : events[0]!.properties;
    expect(props).toEqual({
      channel: 'mail',
      pieceId: piece.identity.id,
      batchId: expect.any(String),
      kind: 'letter',
      messageId,
      journeyId: 'jr_spring',
      runId: 'run_1',
      nodeId: 'postcard',
      promoCode: piece.identity.promoCode,
    });
    expect(events[0]!.contact_id).toBe(contactId);
    const msg = await h.deps.store.db.selectFrom('messages').select(['click_count', 'first_clicked_at', 'cost_micros']).where('id', '=', messageId).executeTakeFirstOrThrow();
    expect({ clicks: Number(msg.click_count), at: Number(msg.first_clicked_at), cost: Number(msg.cost_micros) }).toEqual({ clicks: 1, at: h.clock.now(), cost: 1_250_000 });
    const row = await h.deps.store.db.selectFrom('mail_pieces').select('responded_at').where('id', '=', piece.identity.id).executeTakeFirstOrThrow();
    expect(Number(row.responded_at)).toBe(h.clock.now());

    h.clock.advance(120_000);
    await h.app.inject({ method: 'GET', url: `/m/${piece.identity.token}` });
    const again = await h.deps.store.db.selectFrom('mail_pieces').select('responded_at').where('id', '=', piece.identity.id).executeTakeFirstOrThrow();
    expect(Number(again.responded_at)).toBe(h.clock.now() - 120_000);
  });

  it('a malformed, unknown or altered token is 404 and records nothing', async () => {
    const piece = await builtPiece();
    const before = await h.deps.store.db.selectFrom('events').select('id').where('workspace_id', '=', t.workspaceId).execute();
    const token = piece.identity.token;
    const altered = token.slice(0, 10) + (token[10] === 'a' ? 'b' : 'a');
    for (const bad of [altered, 'short', `${token}x`, '../../etc', '%00%00%00%00%00%00']) {
      expect((await h.app.inject({ method: 'GET', url: `/m/${bad}` })).statusCode).toBe(404);
    }
    // A stored piece whose token is not signed under the workspace's secret is refused too.
    const foreign = await testPiece({ contactId, postcode: '10002', now: h.clock.now() });
    await buildBatch({ store: h.deps.store, clock: h.clock, dataDir }, { workspaceId: t.workspaceId, sendKey: `broadcast:${foreign.identity.id}`, pieces: [foreign] });
    expect((await h.app.inject({ method: 'GET', url: `/m/${foreign.identity.token}` })).statusCode).toBe(404);
    expect(await h.deps.store.db.selectFrom('events').select('id').where('workspace_id', '=', t.workspaceId).execute()).toHaveLength(before.length);
  });

  it('a piece without a target thanks the visitor and still records the response', async () => {
    const piece = await builtPiece({ targetUrl: undefined });
    const res = await h.app.inject({ method: 'GET', url: `/m/${piece.identity.token}` });
    expect(res.statusCode).toBe(200);
    expect(res.body).toBe('Thank you.');
    const n = await h.deps.store.db.selectFrom('events').select('id').where('workspace_id', '=', t.workspaceId).where('name', '=', 'mail.responded').execute();
    expect(n.length).toBeGreaterThanOrEqual(2);
  });
});
