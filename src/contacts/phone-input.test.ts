import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../../test/backends.js';
import { createHarness, type Harness, type Tenant } from '../../test/harness.js';
import { putSmsSettings } from '../channels/sms/settings.js';
import { fromJson } from '../core/json.js';
import { createForm } from '../forms/forms.js';
import { createList } from '../lists/lists.js';
import { importContacts } from './import-writer.js';
import { readCsv } from './import-readers.js';

/** Phones coming in for contacts are stored as E.164, national ones read in the workspace's SMS default country. */
describe.each(backends())('contact phones on %s', (kind) => {
  let h: Harness;
  /** No SMS settings: only international numbers are accepted. */
  let bare: Tenant;
  /** SMS default country Saudi Arabia. */
  let sa: Tenant;
  beforeAll(async () => {
    h = await createHarness(kind);
    bare = await h.tenant();
    sa = await h.tenant();
    await putSmsSettings(h.deps.store.db, sa.workspaceId, { defaultCountry: 'SA' }, h.clock);
  });
  afterAll(async () => h?.close());

  const db = () => h.deps.store.db;
  const contactsOf = (t: Tenant) => db().selectFrom('contacts').select(['user_id', 'email', 'phone', 'attributes']).where('workspace_id', '=', t.workspaceId).orderBy('user_id').execute();
  const issuesOf = (res: { json(): { error: { issues: { path: string; message: string }[] } } }) => res.json().error.issues;

  describe('the contacts API', () => {
    const post = (t: Tenant, payload: object) => h.app.inject({ method: 'POST', url: '/api/contacts', headers: t.admin, payload });

    it('stores an international number as E.164, whatever the spelling and the digits', async () => {
      const a = await post(bare, { userId: 'api-1', phone: '+966 50 123 4567' });
      expect(a.statusCode).toBe(201);
      expect(a.json().phone).toBe('+966501234567');
      const b = await post(bare, { userId: 'api-2', phone: '+۹۸ ۹۱۲ ۱۲۳ ۴۵۶۷' });
      expect(b.json().phone).toBe('+989121234567');
    });

    it('reads a national number in the default country, and refuses it at phone when there is none', async () => {
      const ok = await post(sa, { userId: 'api-3', phone: '٠٥٠١٢٣٤٥٦٧' });
      expect(ok.statusCode).toBe(201);
      expect(ok.json().phone).toBe('+966501234567');
      const none = await post(bare, { userId: 'api-3', phone: '0501234567' });
      expect(none.statusCode).toBe(400);
      expect(issuesOf(none)).toEqual([{ path: 'phone', message: expect.stringContaining('international format') }]);
      const wrong = await post(sa, { userId: 'api-4', phone: '0123' });
      expect(wrong.statusCode).toBe(400);
      expect(issuesOf(wrong)).toEqual([{ path: 'phone', message: 'is not a valid phone number' }]);
      expect((await contactsOf(bare)).map((c) => c.user_id)).not.toContain('api-3');
      expect((await contactsOf(sa)).map((c) => c.user_id)).not.toContain('api-4');
    });

    it('refuses a number that is wrong in any country at body.phone, and a patch with one changes nothing', async () => {
      const res = await post(sa, { userId: 'api-5', phone: '+966 90 123 4567' });
      expect(res.statusCode).toBe(400);
      expect(issuesOf(res)).toEqual([{ path: 'body.phone', message: 'is not a valid phone number' }]);
      const c = (await post(sa, { userId: 'api-6', phone: '+971501234567' })).json();
      for (const phone of ['+1 800 FLOWERS', '050123']) {
        const patch = await h.app.inject({ method: 'PATCH', url: `/api/contacts/${c.id}`, headers: sa.admin, payload: { phone, locale: 'ar' } });
        expect(patch.statusCode, phone).toBe(400);
        expect(issuesOf(patch)[0]!.path).toMatch(/^(body\.)?phone$/);
      }
      const after = await h.app.inject({ method: 'GET', url: `/api/contacts/${c.id}`, headers: sa.admin });
      expect(after.json()).toMatchObject({ phone: '+971501234567', locale: null });
      const patched = await h.app.inject({ method: 'PATCH', url: `/api/contacts/${c.id}`, headers: sa.admin, payload: { phone: '050 123 4567' } });
      expect(patched.json().phone).toBe('+966501234567');
    });
  });

  describe('identify traits on /v1', () => {
    const identify = (t: Tenant, payload: object) => h.app.inject({ method: 'POST', url: '/v1/identify', headers: t.write, payload });
    const batch = (t: Tenant, items: object[]) => h.app.inject({ method: 'POST', url: '/v1/batch', headers: t.write, payload: { batch: items } });

    it('stores traits.phone as E.164 on the contact and its attributes; the event keeps what was sent', async () => {
      const res = await identify(sa, { userId: 'id-1', messageId: 'id-1', traits: { phone: '050-123-4567', plan: 'pro' } });
      expect(res.statusCode).toBe(200);
      const c = (await contactsOf(sa)).find((r) => r.user_id === 'id-1')!;
      expect(c.phone).toBe('+966501234567');
      expect(fromJson<Record<string, unknown>>(c.attributes)).toMatchObject({ phone: '+966501234567', plan: 'pro' });
      const event = await db().selectFrom('events').select('properties').where('workspace_id', '=', sa.workspaceId).where('message_id', '=', 'id-1').executeTakeFirstOrThrow();
      expect(fromJson<Record<string, unknown>>(event.properties).phone).toBe('050-123-4567');
      // A JSON number has no +: it is a national number, read in the default country like a string.
      const numeric = await identify(bare, { userId: 'id-2', traits: { phone: 12125550100 } });
      expect(numeric.statusCode).toBe(400);
      expect(issuesOf(numeric)[0]!.path).toBe('traits.phone');
      expect(await identify(sa, { userId: 'id-3', traits: { phone: 501234567 } })).toMatchObject({ statusCode: 200 });
      expect((await contactsOf(sa)).find((r) => r.user_id === 'id-3')!.phone).toBe('+966501234567');
    });

    it('refuses an invalid phone with 400 at traits.phone and stores nothing', async () => {
      for (const [t, phone, message] of [
        [sa, '+966 90 123 4567', 'is not a valid phone number'],
        [sa, '0123', 'is not a valid phone number'],
        [bare, '0501234567', 'international format'],
        [bare, 'DROP TABLE contacts', 'only hold digits'],
      ] as const) {
        const res = await identify(t, { userId: 'id-bad', messageId: `bad-${phone}`, traits: { phone } });
        expect(res.statusCode, phone).toBe(400);
        expect(issuesOf(res), phone).toEqual([{ path: 'traits.phone', message: expect.stringContaining(message) }]);
      }
      expect((await contactsOf(sa)).map((c) => c.user_id)).not.toContain('id-bad');
      expect((await contactsOf(bare)).map((c) => c.user_id)).not.toContain('id-bad');
    });

    it('refuses a whole batch with the item path when one phone is invalid, and normalises the good batch', async () => {
      const bad = await batch(sa, [
        { type: 'identify', userId: 'b-1', traits: { phone: '0501234567' } },
        { type: 'identify', userId: 'b-2', traits: { phone: '0123' } },
        { type: 'track', userId: 'b-1', event: 'x' },
      ]);
      expect(bad.statusCode).toBe(400);
      expect(issuesOf(bad)).toEqual([{ path: 'batch.1.traits.phone', message: 'is not a valid phone number' }]);
      expect((await contactsOf(sa)).map((c) => c.user_id)).not.toContain('b-1');
      const good = await batch(sa, [
        { type: 'identify', userId: 'b-1', traits: { phone: '0501234567' } },
        { type: 'identify', userId: 'b-2', traits: { phone: '+44 20 7183 8750' } },
      ]);
      expect(good.statusCode).toBe(200);
      const rows = (await contactsOf(sa)).filter((c) => c.user_id?.startsWith('b-'));
      expect(rows.map((r) => [r.user_id, r.phone])).toEqual([
        ['b-1', '+966501234567'],
        ['b-2', '+442071838750'],
      ]);
    });
  });

  describe('CSV import', () => {
    it('stores phones as E.164 and fails the rows whose phone cannot be read, with their line', async () => {
      const csv = [
        'user_id,email,phone',
        'csv-1,csv1@example.com,050 123 4567',
        'csv-2,csv2@example.com,+989121234567',
        'csv-3,csv3@example.com,0123',
        'csv-4,csv4@example.com,+966 90 123 4567',
        'csv-5,csv5@example.com,',
      ].join('\n');
      const failures: string[] = [];
      const stats = await importContacts(h.deps, { workspaceId: sa.workspaceId, rows: readCsv(Readable.from([csv])), onFailure: (line, reason) => failures.push(`${line}: ${reason}`) });
      expect(failures).toEqual(['4: invalid phone "0123": is not a valid phone number', '5: invalid phone "+966 90 123 4567": is not a valid phone number']);
      expect(stats).toMatchObject({ rows: 5, created: 3, failed: 2 });
      const rows = (await contactsOf(sa)).filter((c) => c.user_id?.startsWith('csv-'));
      expect(rows.map((r) => [r.user_id, r.phone])).toEqual([
        ['csv-1', '+966501234567'],
        ['csv-2', '+989121234567'],
        ['csv-5', null],
      ]);
    });

    it('fails national numbers when the workspace has no default country', async () => {
      const failures: string[] = [];
      await importContacts(h.deps, {
        workspaceId: bare.workspaceId,
        rows: readCsv(Readable.from(['user_id,phone\ncsv-6,0501234567\n'])),
        onFailure: (line, reason) => failures.push(`${line}: ${reason}`),
      });
      expect(failures).toEqual([expect.stringMatching(/^2: invalid phone "0501234567": needs the international format/)]);
    });
  });

  describe('signup forms', () => {
    it("sets the contact's phone from a phone field, as E.164, and refuses an invalid one at phone", async () => {
      const list = await createList(h.deps, sa.workspaceId, { name: 'SMS club' });
      const form = await createForm(h.deps, sa.workspaceId, { listId: list.id, name: 'sms', title: 'Join', fields: [{ name: 'phone', label: 'Mobile', type: 'tel', required: true }] });
      const submit = (payload: object) => h.app.inject({ method: 'POST', url: `/f/${form.id}`, payload });
      const bad = await submit({ email: 'form1@example.com', phone: '12' });
      expect(bad.statusCode).toBe(400);
      expect(issuesOf(bad)).toEqual([{ path: 'phone', message: 'Please enter a valid phone number.' }]);
      const ok = await submit({ email: 'form1@example.com', phone: '۰۵۰ ۱۲۳ ۴۵۶۷' });
      expect(ok.statusCode).toBe(200);
      const row = await db().selectFrom('contacts').select(['phone', 'attributes']).where('workspace_id', '=', sa.workspaceId).where('email', '=', 'form1@example.com').executeTakeFirstOrThrow();
      expect(row.phone).toBe('+966501234567');
      expect(fromJson<Record<string, unknown>>(row.attributes)).not.toHaveProperty('phone');
      // A known contact's phone is not replaced by an anonymous form.
      await submit({ email: 'form1@example.com', phone: '+971501234567' });
      const again = await db().selectFrom('contacts').select('phone').where('workspace_id', '=', sa.workspaceId).where('email', '=', 'form1@example.com').executeTakeFirstOrThrow();
      expect(again.phone).toBe('+966501234567');
    });
  });
});
