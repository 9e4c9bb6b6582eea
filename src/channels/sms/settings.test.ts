import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../../../test/backends.js';
import { createHarness, type Harness } from '../../../test/harness.js';
import { NotFoundError, ValidationError } from '../../core/errors.js';
import { DEFAULT_SMS_SETTINGS, getSmsSettings, putSmsSettings, smsDefaultCountry } from './settings.js';

describe.each(backends())('SMS settings on %s', (kind) => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness(kind);
  });
  afterAll(async () => h.close());

  it('gives a workspace without a row the defaults: 21:00–08:00 quiet hours, 6 segments, no default country', async () => {
    const t = await h.tenant();
    const s = await getSmsSettings(h.deps.store.db, t.workspaceId);
    expect(s).toEqual(DEFAULT_SMS_SETTINGS);
    expect(s).toMatchObject({ quietHours: { start: '21:00', end: '08:00' }, maxSegments: 6, replaceTypographic: false, senderIds: {}, countryRules: {}, keywords: { stop: [], start: [], help: [] } });
    expect(s.defaultCountry).toBeUndefined();
    expect(await smsDefaultCountry(h.deps.store.db, t.workspaceId)).toBeUndefined();
  });

  it('stores settings, fills defaults, and replaces them on the next put', async () => {
    const t = await h.tenant();
    const db = h.deps.store.db;
    const saved = await putSmsSettings(
      db,
      t.workspaceId,
      { defaultCountry: 'SA', senderIds: { default: 'Qatra', AE: 'QatraAE' }, countryRules: { SA: { promotionalWindow: { start: '09:00', end: '21:00', timeZone: 'Asia/Riyadh' } } } },
      h.clock,
    );
    expect(saved).toMatchObject({ defaultCountry: 'SA', maxSegments: 6, senderIds: { default: 'Qatra', AE: 'QatraAE' } });
    expect(await getSmsSettings(db, t.workspaceId)).toEqual(saved);
    expect(await smsDefaultCountry(db, t.workspaceId)).toBe('SA');
    await putSmsSettings(db, t.workspaceId, { defaultCountry: 'IR', maxSegments: 3 }, h.clock);
    expect(await getSmsSettings(db, t.workspaceId)).toMatchObject({ defaultCountry: 'IR', maxSegments: 3, senderIds: {}, countryRules: {} });
  });

  it('refuses bad settings with every field path and keeps the stored ones', async () => {
    const t = await h.tenant();
    const db = h.deps.store.db;
    await putSmsSettings(db, t.workspaceId, { defaultCountry: 'AE' }, h.clock);
    const bad = {
      defaultCountry: 'XX',
      senderIds: { default: 'MuchTooLongSender', sa: 'Qatra' },
      quietHours: { start: '21:00', end: '21:00' },
      maxSegments: 0,
      countryRules: { SA: { promotionalWindow: { start: '8am', end: '21:00' } } },
      extra: true,
    };
    const err = await putSmsSettings(db, t.workspaceId, bad, h.clock).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ValidationError);
    const paths = (err as ValidationError).issues.map((i) => i.path);
    expect(paths).toEqual(expect.arrayContaining(['defaultCountry', 'senderIds.default', 'senderIds.sa', 'quietHours.end', 'maxSegments', 'countryRules.SA.promotionalWindow.start', '']));
    expect(await smsDefaultCountry(db, t.workspaceId)).toBe('AE');
  });

  it('refuses settings of a workspace that does not exist', async () => {
    await expect(putSmsSettings(h.deps.store.db, 'ws_nope', {}, h.clock)).rejects.toBeInstanceOf(NotFoundError);
  });
});
