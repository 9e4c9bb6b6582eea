import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../../../test/backends.js';
import { createHarness, type Harness, type Tenant } from '../../../test/harness.js';
import { acceptInvite, createInvite } from '../../users/users.js';
import { createSession } from '../../users/sessions.js';
import type { Role } from '../../users/tables.js';
import { DEFAULT_SMS_SETTINGS } from './settings.js';

const URL = '/api/channels/sms/settings';

describe.each(backends())('GET/PUT /api/channels/sms/settings on %s', (kind) => {
  let h: Harness;
  let t: Tenant;
  beforeAll(async () => {
    h = await createHarness(kind);
    t = await h.tenant();
  });
  afterAll(async () => h?.close());

  const browser = async (role: Role) => {
    const invite = await createInvite(h.deps, { workspaceId: t.workspaceId, role, email: `${role}-sms@example.com` });
    const done = await acceptInvite(h.deps, { token: invite.token, password: 'correct horse battery' });
    const s = await createSession(h.deps, done.user.id, t.workspaceId);
    return { cookie: `qatra_session=${s.token}`, 'x-csrf-token': s.csrfToken };
  };

  it('answers the defaults before anything was saved, then what a PUT stored (absent fields defaulted)', async () => {
    const before = await h.app.inject({ method: 'GET', url: URL, headers: t.admin });
    expect(before.statusCode).toBe(200);
    expect(before.json()).toEqual(JSON.parse(JSON.stringify(DEFAULT_SMS_SETTINGS)));

    const payload = {
      defaultCountry: 'SA',
      senderIds: { default: 'Qatra', AE: 'QatraAE' },
      quietHours: { start: '22:00', end: '07:30' },
      maxSegments: 3,
      replaceTypographic: true,
      keywords: { stop: ['بس'], start: [], help: [] },
    };
    const put = await h.app.inject({ method: 'PUT', url: URL, headers: t.admin, payload });
    expect(put.statusCode).toBe(200);
    expect(put.json()).toMatchObject({ ...payload, helpText: DEFAULT_SMS_SETTINGS.helpText, countryRules: {} });
    const after = await h.app.inject({ method: 'GET', url: URL, headers: t.admin });
    expect(after.json()).toEqual(put.json());

    // Another workspace still has the defaults.
    const other = await h.tenant();
    expect((await h.app.inject({ method: 'GET', url: URL, headers: other.admin })).json().defaultCountry).toBeUndefined();
  });

  it('refuses bad settings with 400 naming each field path, and keeps the stored ones', async () => {
    const w = await h.tenant();
    await h.app.inject({ method: 'PUT', url: URL, headers: w.admin, payload: { defaultCountry: 'AE' } });
    const bad = await h.app.inject({
      method: 'PUT',
      url: URL,
      headers: w.admin,
      payload: { defaultCountry: 'XX', senderIds: { default: 'MuchTooLongSender' }, quietHours: { start: '21:00', end: '21:00' }, maxSegments: 0, stray: 1 },
    });
    expect(bad.statusCode).toBe(400);
    const paths = (bad.json().error.issues as { path: string }[]).map((i) => i.path);
    expect(paths).toEqual(expect.arrayContaining(['body.defaultCountry', 'body.senderIds.default', 'body.quietHours.end', 'body.maxSegments']));
    for (const hostile of [null, 'x', [], { maxSegments: '3' }, { quietHours: { start: '25:00', end: '08:00' } }, { keywords: { stop: ['x'.repeat(31)] } }]) {
      const res = await h.app.inject({ method: 'PUT', url: URL, headers: { ...w.admin, 'content-type': 'application/json' }, payload: JSON.stringify(hostile) });
      expect(res.statusCode, JSON.stringify(hostile)).toBe(400);
    }
    expect((await h.app.inject({ method: 'GET', url: URL, headers: w.admin })).json()).toMatchObject({ defaultCountry: 'AE', maxSegments: 6 });
  });

  it('lets a viewer read but only an admin write; a write key reaches neither', async () => {
    const viewer = await browser('viewer');
    const editor = await browser('editor');
    const admin = await browser('admin');
    expect((await h.app.inject({ method: 'GET', url: URL, headers: viewer })).statusCode).toBe(200);
    expect((await h.app.inject({ method: 'PUT', url: URL, headers: viewer, payload: { maxSegments: 2 } })).statusCode).toBe(403);
    expect((await h.app.inject({ method: 'PUT', url: URL, headers: editor, payload: { maxSegments: 2 } })).statusCode).toBe(403);
    expect((await h.app.inject({ method: 'GET', url: URL, headers: t.write })).statusCode).toBe(403);
    const ok = await h.app.inject({ method: 'PUT', url: URL, headers: admin, payload: { maxSegments: 2 } });
    expect(ok.statusCode).toBe(200);
    expect((await h.app.inject({ method: 'GET', url: URL, headers: viewer })).json().maxSegments).toBe(2);
  });
});
