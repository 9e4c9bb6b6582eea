import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../../test/backends.js';
import { emailKit, type EmailKit } from '../channels/email/test-kit.js';
import type { Contact } from '../contacts/contact.js';
import { findMessage } from '../messages/records.js';
import { recordClick, recordOpen } from '../tracking/record.js';
import { DAY_MS } from './settings.js';
import { fireSunsetting, SUNSETTING_EVENT } from './reengage.js';

const BROWSER = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_0) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Safari/605.1.15';
const APPLE_MPP = 'Mozilla/5.0';

describe.each(backends())('the sunset policy (%s)', (kind) => {
  let k: EmailKit;
  let t0: number;
  let inactive: Contact;
  let machineOnly: Contact;
  let opener: Contact;
  let clicker: Contact;
  let n = 0;
  const api = (method: 'GET' | 'PUT', url: string, payload?: object) => k.h.app.inject({ method, url, headers: k.t.admin, ...(payload ? { payload } : {}) });
  const send = (c: Contact, kind: 'marketing' | 'transactional' = 'marketing') =>
    k.send(c, { template: kind === 'marketing' ? 'welcome-1' : 'receipt', key: `sunset-test-${++n}`, kind, data: { order: 'A1' } });
  const messageOf = async (c: Contact) =>
    (await findMessage(k.h.deps.store.db, (await k.h.deps.store.db.selectFrom('messages').select('id').where('contact_id', '=', c.id).orderBy('id').executeTakeFirstOrThrow()).id))!;

  beforeAll(async () => {
    k = await emailKit(kind);
    t0 = k.h.clock.now();
    inactive = await k.contact('never@example.org');
    machineOnly = await k.contact('mpp@example.org');
    opener = await k.contact('opener@example.org');
    clicker = await k.contact('clicker@example.org');
    // Off by default: everyone gets the first mail.
    for (const c of [inactive, machineOnly, opener, clicker]) expect((await send(c)).status).toBe('sent');
    k.h.clock.set(t0 + 10 * DAY_MS);
    const hit = (ua: string) => ({ userAgent: ua, now: k.h.clock.now() });
    expect(await recordOpen(k.h.deps, await messageOf(machineOnly), hit(APPLE_MPP))).toEqual({ machine: true });
    expect(await recordOpen(k.h.deps, await messageOf(opener), hit(BROWSER))).toEqual({ machine: false });
    // A machine open of the clicker too: its click counts, the machine open does not.
    await recordOpen(k.h.deps, await messageOf(clicker), hit(APPLE_MPP));
    k.h.clock.set(t0 + 20 * DAY_MS);
    expect(await recordClick(k.h.deps, await messageOf(clicker), 0, hit(BROWSER))).not.toBeNull();
  }, 60_000);
  afterAll(async () => k?.close());

  it('is off by default, and is turned on through the settings API', async () => {
    expect((await api('GET', '/api/deliverability/settings')).json().sunset).toEqual({ enabled: false, inactiveDays: 180, reengageDaysBefore: 14 });
    const put = await api('PUT', '/api/deliverability/settings', { sunset: { enabled: true } });
    expect(put.statusCode).toBe(200);
    expect(put.json().sunset).toEqual({ enabled: true, inactiveDays: 180, reengageDaysBefore: 14 });
  });

  it('fires contact.sunsetting once, 14 days before, for contacts without a human open or click; a journey triggered by it hears it', async () => {
    const journey = await k.h.app.inject({
      method: 'POST',
      url: '/api/journeys',
      headers: k.t.admin,
      payload: {
        id: 'win-back',
        name: 'Win back',
        status: 'live',
        trigger: { type: 'event', event: SUNSETTING_EVENT },
        start: 'hello',
        nodes: [
          { id: 'hello', type: 'message', channel: 'email', template: 'welcome-1' },
          { id: 'done', type: 'exit' },
        ],
        edges: [{ from: 'hello', to: 'done' }],
      },
    });
    expect(journey.statusCode, journey.body).toBe(201);
    // 165 days in: 15 days before the inactive contacts' sunset. Not yet.
    k.h.clock.set(t0 + 165 * DAY_MS);
    expect(await fireSunsetting(k.h.deps)).toBe(0);
    k.h.clock.set(t0 + 167 * DAY_MS);
    expect(await fireSunsetting(k.h.deps)).toBe(2);
    expect(await fireSunsetting(k.h.deps)).toBe(0);
    k.h.clock.set(t0 + 172 * DAY_MS);
    expect(await Promise.all([fireSunsetting(k.h.deps), fireSunsetting(k.h.deps)])).toEqual([0, 0]);
    const events = await k.h.deps.store.db.selectFrom('events').select(['contact_id', 'properties']).where('workspace_id', '=', k.t.workspaceId).where('name', '=', SUNSETTING_EVENT).execute();
    expect(events.map((e) => e.contact_id).sort()).toEqual([inactive.id, machineOnly.id].sort());
    const props = events.map((e) => (typeof e.properties === 'string' ? JSON.parse(e.properties) : e.properties));
    expect(props[0]).toMatchObject({ sunsetAt: t0 + 180 * DAY_MS, lastEngagedAt: null, inactiveDays: 180 });
    const inbox = await k.h.deps.store.db.selectFrom('journey_inbox').select('contact_id').where('workspace_id', '=', k.t.workspaceId).execute();
    expect(new Set(inbox.map((r) => r.contact_id))).toEqual(new Set([inactive.id, machineOnly.id]));
  });

  it('skips marketing email to sunset contacts (machine opens do not count) as `sunset`, never transactional; young contacts are exempt', async () => {
    k.h.clock.set(t0 + 175 * DAY_MS);
    const young = await k.contact('new@example.org');
    k.h.clock.set(t0 + 181 * DAY_MS);
    expect(await send(inactive)).toEqual({ status: 'skipped', reason: 'sunset' });
    expect(await send(machineOnly)).toEqual({ status: 'skipped', reason: 'sunset' });
    expect((await send(opener)).status).toBe('sent');
    expect((await send(clicker)).status).toBe('sent');
    expect((await send(young)).status).toBe('sent');
    expect((await send(inactive, 'transactional')).status).toBe('sent');

    const standing = (c: Contact) => api('GET', `/api/contacts/${c.id}/sunset`).then((r) => r.json());
    expect(await standing(inactive)).toEqual({ enabled: true, lastEngagedAt: null, sunsetAt: t0 + 180 * DAY_MS, sunset: true });
    expect(await standing(machineOnly)).toMatchObject({ lastEngagedAt: null, sunset: true });
    expect(await standing(opener)).toEqual({ enabled: true, lastEngagedAt: t0 + 10 * DAY_MS, sunsetAt: t0 + 190 * DAY_MS, sunset: false });
    expect(await standing(clicker)).toMatchObject({ lastEngagedAt: t0 + 20 * DAY_MS, sunset: false });
    expect(await standing(young)).toMatchObject({ lastEngagedAt: null, sunsetAt: t0 + 355 * DAY_MS, sunset: false });

    const skips = await api('GET', `/api/deliverability/skips?from=${t0}&to=${k.h.clock.now() + 1}`);
    expect(skips.json().data).toEqual([{ reason: 'sunset', count: 2 }]);

    // Ten days later the opener's stretch has run out too; a human open brings it back.
    k.h.clock.set(t0 + 191 * DAY_MS);
    expect(await send(opener)).toEqual({ status: 'skipped', reason: 'sunset' });
    const sent = (await k.h.deps.store.db.selectFrom('messages').select('id').where('contact_id', '=', opener.id).where('status', '=', 'sent').orderBy('id', 'desc').executeTakeFirstOrThrow()).id;
    await recordOpen(k.h.deps, (await findMessage(k.h.deps.store.db, sent))!, { userAgent: BROWSER, now: k.h.clock.now() });
    expect((await send(opener)).status).toBe('sent');
  }, 60_000);

  it('a contact that engages after its notice starts a new stretch, and is told again before that one ends', async () => {
    const start = k.h.clock.now();
    const msg = (await k.h.deps.store.db.selectFrom('messages').select('id').where('contact_id', '=', inactive.id).where('status', '=', 'sent').orderBy('id', 'desc').executeTakeFirstOrThrow()).id;
    await recordOpen(k.h.deps, (await findMessage(k.h.deps.store.db, msg))!, { userAgent: BROWSER, now: start });
    k.h.clock.set(start + 167 * DAY_MS);
    const fired = await fireSunsetting(k.h.deps);
    expect(fired).toBeGreaterThanOrEqual(1);
    const again = await k.h.deps.store.db.selectFrom('events').select('id').where('contact_id', '=', inactive.id).where('name', '=', SUNSETTING_EVENT).execute();
    expect(again).toHaveLength(2);
  });
});
