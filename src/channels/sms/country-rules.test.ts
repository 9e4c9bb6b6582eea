import { describe, expect, it } from 'vitest';
import { countryRulesOverridesSchema, inSendingWindow, markSenderId, rulesFor } from './country-rules.js';

const utc = (iso: string) => Date.parse(iso);

describe('rulesFor', () => {
  it('gives the published defaults for Saudi Arabia, the UAE and Iran, and no rules for others', () => {
    expect(rulesFor('SA')).toMatchObject({
      promotionalSenderId: { suffix: '-AD', maxLength: 11 },
      promotionalWindow: { timeZone: 'Asia/Riyadh' },
      optOut: { required: true },
      genericShortLinks: false,
    });
    expect(rulesFor('ae')).toMatchObject({ promotionalSenderId: { prefix: 'AD-', maxLength: 11 }, promotionalWindow: { start: '07:00', end: '21:00', timeZone: 'Asia/Dubai' } });
    expect(rulesFor('AE').optOut.text.en).toContain('7726');
    expect(rulesFor('IR').optOut.keywords).toContain('۱۱');
    expect(rulesFor('DE')).toEqual({ promotionalSenderId: null, promotionalWindow: null, optOut: { required: false, text: {}, keywords: [] }, genericShortLinks: true });
    expect(rulesFor(undefined).promotionalWindow).toBeNull();
    expect(rulesFor('__proto__').promotionalWindow).toBeNull();
  });

  it('lets a workspace replace a field, remove one with null, and add a country, leaving the rest at the default', () => {
    const overrides = countryRulesOverridesSchema.parse({
      SA: { promotionalWindow: { start: '09:00', end: '22:00', timeZone: 'Asia/Riyadh' } },
      AE: { promotionalSenderId: null },
      DE: { genericShortLinks: false },
    });
    expect(rulesFor('SA', overrides)).toMatchObject({ promotionalWindow: { start: '09:00', end: '22:00' }, promotionalSenderId: { suffix: '-AD' }, genericShortLinks: false });
    expect(rulesFor('AE', overrides).promotionalSenderId).toBeNull();
    expect(rulesFor('AE', overrides).promotionalWindow).not.toBeNull();
    expect(rulesFor('DE', overrides).genericShortLinks).toBe(false);
  });

  it('refuses malformed overrides with the field path', () => {
    const r = countryRulesOverridesSchema.safeParse({ sa: {}, SA: { promotionalWindow: { start: '25:00', end: '21:00' }, surprise: 1 }, AE: { promotionalWindow: { start: '08:00', end: '08:00' } } });
    expect(r.success).toBe(false);
    const paths = r.error!.issues.map((i) => i.path.join('.'));
    expect(paths).toEqual(expect.arrayContaining(['sa', 'SA.promotionalWindow.start', 'SA', 'AE.promotionalWindow.end']));
    expect(countryRulesOverridesSchema.safeParse({ SA: { promotionalWindow: { start: '08:00', end: '21:00', timeZone: 'Mars/Olympus' } } }).success).toBe(false);
  });
});

describe('markSenderId', () => {
  it('adds -AD in Saudi Arabia and AD- in the UAE to promotional sender ids', () => {
    expect(markSenderId('Qatra', 'SA', 'promotional')).toEqual({ ok: true, senderId: 'Qatra-AD' });
    expect(markSenderId('Qatra', 'AE', 'promotional')).toEqual({ ok: true, senderId: 'AD-Qatra' });
  });

  it('leaves transactional ids, other countries, numbers and already marked ids alone', () => {
    expect(markSenderId('Qatra', 'SA', 'transactional')).toEqual({ ok: true, senderId: 'Qatra' });
    expect(markSenderId('Qatra', 'DE', 'promotional')).toEqual({ ok: true, senderId: 'Qatra' });
    expect(markSenderId('+15551234567', 'SA', 'promotional')).toEqual({ ok: true, senderId: '+15551234567' });
    expect(markSenderId('Qatra-ad', 'SA', 'promotional')).toEqual({ ok: true, senderId: 'Qatra-ad' });
    expect(markSenderId('AD-Qatra', 'AE', 'promotional')).toEqual({ ok: true, senderId: 'AD-Qatra' });
  });

  it('allows 11 characters with the mark and refuses a longer id instead of cutting it', () => {
    expect(markSenderId('QatraSh', 'SA', 'promotional')).toEqual({ ok: true, senderId: 'QatraSh-AD' });
    expect(markSenderId('QatraSho', 'SA', 'promotional')).toEqual({ ok: true, senderId: 'QatraSho-AD' });
    const r = markSenderId('QatraShop', 'SA', 'promotional');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toContain('12 characters');
    expect(markSenderId('QatraShop', 'AE', 'promotional').ok).toBe(false);
  });
});

describe('inSendingWindow', () => {
  it('allows promotional SMS to Saudi Arabia from 08:00 to 21:00 Riyadh time (UTC+3), whatever the recipient zone', () => {
    expect(inSendingWindow('SA', utc('2026-03-10T05:00:00Z'), 'UTC')).toEqual({ allowed: true }); // 08:00 Riyadh
    expect(inSendingWindow('SA', utc('2026-03-10T17:59:00Z'), 'America/New_York')).toEqual({ allowed: true }); // 20:59
    expect(inSendingWindow('SA', utc('2026-03-10T18:00:00Z'), 'Asia/Riyadh')).toEqual({ allowed: false, nextAllowedAt: utc('2026-03-11T05:00:00Z'), timeZone: 'Asia/Riyadh' });
    expect(inSendingWindow('SA', utc('2026-03-10T02:30:00Z'), 'Asia/Riyadh')).toEqual({ allowed: false, nextAllowedAt: utc('2026-03-10T05:00:00Z'), timeZone: 'Asia/Riyadh' });
  });

  it('counts the UAE window in Dubai time (UTC+4)', () => {
    expect(inSendingWindow('AE', utc('2026-03-10T02:59:00Z'), 'UTC')).toMatchObject({ allowed: false, nextAllowedAt: utc('2026-03-10T03:00:00Z') });
    expect(inSendingWindow('AE', utc('2026-03-10T03:00:00Z'), 'UTC')).toEqual({ allowed: true });
  });

  it("counts a zone-less window (US) in the recipient's zone, across a DST change", () => {
    // 2026-03-08 is the spring-forward day in New York: 21:30 EDT is 01:30Z on the 9th.
    expect(inSendingWindow('US', utc('2026-03-09T01:30:00Z'), 'America/New_York')).toEqual({ allowed: false, nextAllowedAt: utc('2026-03-09T12:00:00Z'), timeZone: 'America/New_York' });
    expect(inSendingWindow('US', utc('2026-03-09T01:30:00Z'), 'America/Los_Angeles')).toEqual({ allowed: true }); // 18:30 PDT
  });

  it('exempts transactional messages and countries without a window', () => {
    expect(inSendingWindow('SA', utc('2026-03-10T23:00:00Z'), 'Asia/Riyadh', { kind: 'transactional' })).toEqual({ allowed: true });
    expect(inSendingWindow('DE', utc('2026-03-10T23:00:00Z'), 'Europe/Berlin')).toEqual({ allowed: true });
  });

  it('honours a workspace window that spans midnight', () => {
    const overrides = countryRulesOverridesSchema.parse({ DE: { promotionalWindow: { start: '22:00', end: '02:00', timeZone: 'UTC' } } });
    expect(inSendingWindow('DE', utc('2026-03-10T23:00:00Z'), 'UTC', { overrides })).toEqual({ allowed: true });
    expect(inSendingWindow('DE', utc('2026-03-11T01:59:00Z'), 'UTC', { overrides })).toEqual({ allowed: true });
    expect(inSendingWindow('DE', utc('2026-03-11T02:00:00Z'), 'UTC', { overrides })).toEqual({ allowed: false, nextAllowedAt: utc('2026-03-11T22:00:00Z'), timeZone: 'UTC' });
  });
});
