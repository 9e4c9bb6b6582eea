import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../../test/backends.js';
import { emailKit, PUBLIC_URL, type EmailKit } from '../channels/email/test-kit.js';
import { fromJson } from '../core/json.js';
import type { Tenant } from '../../test/harness.js';
import { CLICK_ID_TTL_MS, signClickId, verifyClickId, withClickId } from './click-id.js';

describe('click id tokens', () => {
  const claims = { workspaceId: 'ws_a', messageId: 'msg_01kb0000000000000000000000', contactId: 'ct_01kb0000000000000000000000', expiresAt: 1_000_000 + CLICK_ID_TTL_MS };
  const token = signClickId('secret-a', claims);

  it('verifies under its own workspace and secret until it expires, and under nothing else', () => {
    expect(verifyClickId('secret-a', 'ws_a', token, 1_000_000)).toEqual({ ok: true, messageId: claims.messageId, contactId: claims.contactId });
    expect(verifyClickId('secret-a', 'ws_a', token, claims.expiresAt)).toEqual({ ok: false, reason: 'expired' });
    expect(verifyClickId('secret-b', 'ws_a', token, 1_000_000)).toEqual({ ok: false, reason: 'forged' });
    expect(verifyClickId('secret-a', 'ws_b', token, 1_000_000)).toEqual({ ok: false, reason: 'forged' });
    // Another contact's id under this signature, or a later expiry: forged.
    expect(verifyClickId('secret-a', 'ws_a', token.replace(claims.contactId, 'ct_01kb0000000000000000000001'), 1_000_000)).toMatchObject({ reason: 'forged' });
    const [m, c, , sig] = token.split('.');
    expect(verifyClickId('secret-a', 'ws_a', `${m}.${c}.zzzzzz.${sig}`, 1_000_000)).toMatchObject({ reason: 'forged' });
    for (const bad of [null, 42, '', 'x'.repeat(500), `${token}.`, token.replace('msg_', 'evt_'), { token }]) {
      expect(verifyClickId('secret-a', 'ws_a', bad, 1_000_000)).toEqual({ ok: false, reason: 'malformed' });
    }
  });

  it('is added to a URL before its fragment, keeping the rest byte for byte', () => {
    expect(withClickId('https://a.example/p', 'T')).toBe('https://a.example/p?qatra_cid=T');
    expect(withClickId('https://a.example/p?x=%20y&z', 'T')).toBe('https://a.example/p?x=%20y&z&qatra_cid=T');
    expect(withClickId('https://a.example/p?#top', 'T')).toBe('https://a.example/p?qatra_cid=T#top');
  });
});

describe.each(backends())('from email click to browser on %s', (kind) => {
  let k: EmailKit;
  let other: Tenant;
  let contactId: string;
  let link: string;

  const page = (t: Tenant, anonymousId: string, cid?: unknown, extra: Record<string, unknown> = {}) =>
    k.h.app.inject({
      method: 'POST',
      url: '/v1/page',
      headers: t.write,
      payload: { anonymousId, messageId: `${anonymousId}:${++sent}`, properties: { path: '/pricing' }, ...(cid === undefined ? {} : { context: { qatra: { cid } } }), ...extra },
    });
  let sent = 0;
  /** The events of the calls a browser sent (messageIds `<anonymousId>:<n>`), in order. */
  const eventsOf = (anonymousId: string) => k.h.deps.store.db.selectFrom('events').select(['contact_id', 'name', 'context']).where('message_id', 'like', `${anonymousId}:%`).orderBy('id').execute();
  const counted = async () => Object.fromEntries((await k.h.deps.metrics.clickIds.get()).values.map((v) => [v.labels.outcome, v.value]));
  /** Clicks the message's tracked link and answers the click id its redirect carries (or null). */
  const click = async () => {
    const res = await k.h.app.inject({ method: 'GET', url: link.slice(PUBLIC_URL.length), headers: { 'user-agent': 'Mozilla/5.0 Chrome/120' } });
    expect(res.statusCode).toBe(302);
    return { location: String(res.headers.location), cid: new URL(String(res.headers.location)).searchParams.get('qatra_cid') };
  };

  beforeAll(async () => {
    k = await emailKit(kind);
    other = await k.h.tenant();
    const c = await k.contact('reader@example.org', { first_name: 'Rana' });
    contactId = c.id;
    expect((await k.send(c, { template: 'welcome-1', key: 'cid:1' })).status).toBe('sent');
    const [mail] = await k.sink.waitFor(1);
    link = [...String(mail!.parsed.html).matchAll(/href="([^"]+\/c\/[^"]+)"/g)].map((m) => m[1]!)[0]!;
  });
  afterAll(async () => k?.close());

  it('a link gets no click id until the workspace lists its host; then one bound to the click time', async () => {
    expect((await click()).cid).toBeNull();
    const put = await k.h.app.inject({ method: 'PUT', url: '/api/workspace/tracking', headers: k.t.admin, payload: { clickIdDomains: ['App.Example.com'] } });
    expect(put.statusCode).toBe(200);
    expect(put.json()).toEqual({ consentRequired: false, clickIdDomains: ['app.example.com'] });
    const { location, cid } = await click();
    expect(location.startsWith('https://app.example.com/')).toBe(true);
    expect(cid).toMatch(/^msg_\w+\.ct_\w+\.[0-9a-z]+\.[\w-]{22}$/);
    expect(cid!.split('.')[1]).toBe(contactId);
  });

  it('pages viewed anonymously, then one carrying a verified click id: the whole history is the contact’s', async () => {
    for (const path of ['/', '/shoes']) expect((await page(k.t, 'anon-a', undefined, { properties: { path } })).statusCode).toBe(200);
    const anonymous = await eventsOf('anon-a');
    expect(anonymous).toHaveLength(2);
    expect(anonymous[0]!.contact_id).not.toBe(contactId);
    const before = await counted();

    const { cid } = await click();
    expect((await page(k.t, 'anon-a', cid)).statusCode).toBe(200);
    const after = await eventsOf('anon-a');
    expect(after.map((e) => e.contact_id)).toEqual([contactId, contactId, contactId]);
    // The anonymous contact was merged away, and the token itself is not kept: only what it proved.
    expect(await k.h.deps.store.db.selectFrom('contacts').select('id').where('id', '=', anonymous[0]!.contact_id).executeTakeFirst()).toBeUndefined();
    const context = fromJson<{ qatra: Record<string, unknown> }>(after[2]!.context);
    expect(context.qatra).toEqual({ clickId: { status: 'verified', messageId: expect.stringMatching(/^msg_/) } });
    expect(JSON.stringify(after)).not.toContain(cid!);
    expect((await counted()).verified).toBe((before.verified ?? 0) + 1);
    // Later calls of that browser need no click id: its anonymous id is the contact's now.
    await page(k.t, 'anon-a');
    expect((await eventsOf('anon-a')).every((e) => e.contact_id === contactId)).toBe(true);
  });

  it('a first call that carries the click id links a never-seen anonymous id to the contact', async () => {
    const { cid } = await click();
    expect((await page(k.t, 'anon-fresh', cid)).statusCode).toBe(200);
    expect((await eventsOf('anon-fresh')).map((e) => e.contact_id)).toEqual([contactId]);
  });

  it('a forged, expired, malformed or other-workspace click id is ignored: the event is stored anonymously and counted', async () => {
    const { cid } = await click();
    const sig = cid!.split('.')[3]!;
    const forged = cid!.replace(sig, (sig[0] === 'A' ? 'B' : 'A') + sig.slice(1));
    const before = await counted();
    expect((await page(k.t, 'anon-forged', forged)).statusCode).toBe(200);
    expect((await page(k.t, 'anon-malformed', 'not a click id')).statusCode).toBe(200);
    expect((await page(other, 'anon-other', cid)).statusCode).toBe(200);
    k.h.clock.advance(CLICK_ID_TTL_MS + 1000);
    expect((await page(k.t, 'anon-late', cid)).statusCode).toBe(200);
    const outcome = async (anonymousId: string) => {
      const [e, ...more] = await eventsOf(anonymousId);
      expect(more).toEqual([]);
      expect(e!.contact_id).not.toBe(contactId);
      return fromJson<{ qatra: { clickId: { status: string } } }>(e!.context).qatra.clickId.status;
    };
    expect(await outcome('anon-forged')).toBe('forged');
    expect(await outcome('anon-malformed')).toBe('malformed');
    expect(await outcome('anon-other')).toBe('forged');
    expect(await outcome('anon-late')).toBe('expired');
    const after = await counted();
    expect(after.forged).toBe((before.forged ?? 0) + 2);
    expect(after.malformed).toBe((before.malformed ?? 0) + 1);
    expect(after.expired).toBe((before.expired ?? 0) + 1);
    const contact = await k.h.deps.store.db.selectFrom('contacts').select('id').where('workspace_id', '=', other.workspaceId).where('id', '=', contactId).executeTakeFirst();
    expect(contact).toBeUndefined();
  });

  it('a browser already identified as someone else (an email) is not merged on a click: only the call joins the clicked contact', async () => {
    k.h.clock.advance(60_000);
    await k.h.app.inject({ method: 'POST', url: '/v1/identify', headers: k.t.write, payload: { anonymousId: 'anon-shared', messageId: 'anon-shared:i', traits: { email: 'flatmate@example.org' } } });
    const [flatmate] = await eventsOf('anon-shared');
    const { cid } = await click();
    expect((await page(k.t, 'anon-shared', cid)).statusCode).toBe(200);
    const [, clicked] = await eventsOf('anon-shared');
    expect(clicked!.contact_id).toBe(contactId);
    expect(await k.h.deps.store.db.selectFrom('contacts').select('email').where('id', '=', flatmate!.contact_id).executeTakeFirst()).toEqual({ email: 'flatmate@example.org' });
    await page(k.t, 'anon-shared');
    expect((await eventsOf('anon-shared'))[2]!.contact_id).toBe(flatmate!.contact_id);
  });

  it('in a batch, the click id ties only the call that carries it; a call with a userId keeps its own contact', async () => {
    k.h.clock.advance(60_000);
    const { cid } = await click();
    const res = await k.h.app.inject({
      method: 'POST',
      url: '/v1/batch',
      headers: k.t.write,
      payload: {
        batch: [
          { type: 'page', anonymousId: 'anon-b1', messageId: 'anon-b1:1', context: { qatra: { cid } } },
          { type: 'page', anonymousId: 'anon-b2', messageId: 'anon-b2:1' },
          { type: 'page', userId: 'someone-else', anonymousId: 'anon-b3', messageId: 'anon-b3:1', context: { qatra: { cid } } },
        ],
      },
    });
    expect(res.statusCode).toBe(200);
    expect((await eventsOf('anon-b1'))[0]!.contact_id).toBe(contactId);
    expect((await eventsOf('anon-b2'))[0]!.contact_id).not.toBe(contactId);
    expect((await eventsOf('anon-b3'))[0]!.contact_id).not.toBe(contactId);
  });

  it('events sent anonymously before an identify by email appear on that contact after it', async () => {
    await page(k.t, 'anon-form', undefined, { properties: { path: '/signup' } });
    await k.h.app.inject({ method: 'POST', url: '/v1/track', headers: k.t.write, payload: { anonymousId: 'anon-form', messageId: 'anon-form:t', event: 'Viewed Product', properties: { sku: 'A1' } } });
    const identify = await k.h.app.inject({
      method: 'POST',
      url: '/v1/identify',
      headers: k.t.write,
      payload: { anonymousId: 'anon-form', messageId: 'anon-form:i', traits: { email: 'Reader@Example.org' } },
    });
    expect(identify.statusCode).toBe(200);
    expect((await eventsOf('anon-form')).map((e) => [e.contact_id, e.name])).toEqual([
      [contactId, 'page'],
      [contactId, 'Viewed Product'],
      [contactId, 'identify'],
    ]);
    const timeline = await k.h.app.inject({ method: 'GET', url: `/api/contacts/${contactId}/timeline`, headers: k.t.admin });
    expect(timeline.statusCode).toBe(200);
    expect(timeline.body).toContain('Viewed Product');
  });
});
