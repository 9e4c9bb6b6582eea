import { describe, expect, it } from 'vitest';
import { checkSendable, readPostalAddress } from './postal-address-validate.js';
import { formatPostalAddress } from './postal-address-format.js';
import { COUNTRY_RULES } from './postal-address-rules.js';

const base = { name: 'Fatima Al-Harbi', lines: ['8228 Imam Ali Rd'], city: 'Riyadh', postcode: '12643-2121', country: 'SA' };

const issuesOf = (input: unknown) => {
  const r = readPostalAddress(input);
  return r.ok ? [] : r.issues;
};

describe('postal address validation', () => {
  it('a valid postcode of every listed country is accepted and a wrong one refused at address.postcode', () => {
    const good: Record<string, [string, string?]> = {
      SA: ['12643'],
      AE: ['', 'Dubai'],
      EG: ['11511'],
      IR: ['1966734511'],
      IQ: ['10001'],
      JO: ['11118'],
      KW: ['13001'],
      QA: [''],
      OM: ['112'],
      BH: ['317'],
      MA: ['20250'],
      TR: ['34710'],
      DE: ['10115'],
      FR: ['75008'],
      GB: ['SW1A1AA'],
      US: ['94105', 'CA'],
      CA: ['K1A0B1', 'ON'],
    };
    expect(Object.keys(good).sort()).toEqual(Object.keys(COUNTRY_RULES).sort());
    for (const [country, [postcode, region]] of Object.entries(good)) {
      const input = { ...base, country, postcode: postcode || undefined, region };
      expect(issuesOf(input), country).toEqual([]);
      if (COUNTRY_RULES[country]!.postcode)
        expect(
          issuesOf({ ...input, postcode: 'ZZ-12' }).map((i) => i.path),
          country,
        ).toEqual(['address.postcode']);
    }
  });

  it('missing parts are refused with every field path at once', () => {
    expect(issuesOf({ country: 'DE', lines: [] }).map((i) => i.path)).toEqual(['address.name', 'address.lines', 'address.city', 'address.postcode']);
    expect(issuesOf({ ...base, country: 'US', postcode: '94105' }).map((i) => i.path)).toEqual(['address.region']);
    expect(issuesOf({ ...base, country: 'AE', postcode: undefined }).map((i) => i.path)).toEqual(['address.region']);
  });

  it('an unknown country code is refused; a known one without a specific rule gets the generic rule', () => {
    for (const country of ['XX', 'QQ', 'ZZ', 'EU', 'Saudi', ''])
      expect(
        issuesOf({ ...base, country }).map((i) => i.path),
        country,
      ).toEqual(['address.country']);
    expect(issuesOf({ ...base, country: 'nl', postcode: '1012 AB' })).toEqual([]);
  });

  it('hostile parts are refused, not stored: line breaks, bidi overrides, non-strings, unknown keys, too many lines', () => {
    expect(issuesOf({ ...base, city: 'Riyadh\nBcc: x' }).map((i) => i.path)).toEqual(['address.city']);
    expect(issuesOf({ ...base, name: 'A\u202eB' }).map((i) => i.path)).toEqual(['address.name']);
    expect(issuesOf({ ...base, lines: [{}] }).map((i) => i.path)).toEqual(['address.lines.0']);
    expect(issuesOf({ ...base, lines: ['a', 'b', 'c', 'd'] }).map((i) => i.path)).toEqual(['address.lines']);
    expect(issuesOf({ ...base, zip: '1' }).map((i) => i.path)).toEqual(['address.zip']);
    expect(issuesOf({ ...base, city: 'x'.repeat(101) }).map((i) => i.path)).toEqual(['address.city']);
    expect(issuesOf('Riyadh')).toEqual([{ path: 'address', message: expect.any(String) }]);
  });

  it('Arabic-Indic and Persian digits in a postcode are stored as ASCII, in the printed form', () => {
    expect(readPostalAddress({ ...base, country: 'IR', postcode: '۱۹۶۶۷۳۴۵۱۱' })).toMatchObject({ ok: true, address: { postcode: '19667-34511' } });
    expect(readPostalAddress({ ...base, postcode: '١٢٦٤٣' })).toMatchObject({ ok: true, address: { postcode: '12643' } });
    expect(readPostalAddress({ ...base, country: 'gb', postcode: 'sw1a1aa' })).toMatchObject({ ok: true, address: { postcode: 'SW1A 1AA', country: 'GB' } });
  });

  it('checkSendable gives the reason a stored address cannot be posted', () => {
    expect(checkSendable(null)).toEqual({ ok: false, reason: 'the contact has no postal address' });
    expect(checkSendable({ ...base, postcode: undefined })).toEqual({ ok: false, reason: 'the postal address is incomplete or invalid: postcode is required in SA' });
    expect(checkSendable(base)).toMatchObject({ ok: true });
  });
});

describe('postal address format', () => {
  const fmt = (a: object, senderCountry = 'XX', senderLanguage = 'en') => formatPostalAddress({ ...base, ...a } as never, { senderCountry, senderLanguage });
  it('puts the postcode before or after the city as the country does, in capitals where its post asks', () => {
    expect(fmt({ country: 'DE', city: 'Berlin', postcode: '10115' }, 'DE')).toEqual(['Fatima Al-Harbi', '8228 Imam Ali Rd', '10115 Berlin']);
    expect(fmt({ country: 'FR', city: 'Paris', postcode: '75008' }, 'FR')).toEqual(['Fatima Al-Harbi', '8228 Imam Ali Rd', '75008 PARIS']);
    expect(fmt({ country: 'GB', city: 'London', postcode: 'SW1A 1AA' }, 'GB')).toEqual(['Fatima Al-Harbi', '8228 Imam Ali Rd', 'LONDON', 'SW1A 1AA']);
    expect(fmt({ country: 'US', city: 'San Francisco', region: 'CA', postcode: '94105' }, 'US')).toEqual(['FATIMA AL-HARBI', '8228 IMAM ALI RD', 'SAN FRANCISCO CA 94105']);
    expect(fmt({}, 'SA')).toEqual(['Fatima Al-Harbi', '8228 Imam Ali Rd', 'RIYADH 12643-2121']);
    expect(fmt({ country: 'AE', city: 'Deira', region: 'Dubai', postcode: undefined }, 'AE')).toEqual(['Fatima Al-Harbi', '8228 Imam Ali Rd', 'DEIRA', 'DUBAI']);
    expect(fmt({ country: 'TR', city: 'Kadıköy', region: 'istanbul', postcode: '34710' }, 'TR')).toEqual(['Fatima Al-Harbi', '8228 Imam Ali Rd', '34710 Kadıköy/İSTANBUL']);
  });

  it('a cross-border piece ends with the country in the sender’s language; a domestic one has no country line', () => {
    expect(fmt({}, 'DE', 'de').at(-1)).toBe('SAUDI-ARABIEN');
    expect(fmt({}, 'AE', 'ar').at(-1)).toBe('المملكة العربية السعودية');
    expect(fmt({ country: 'IR', city: 'تهران', postcode: '19667-34511' }, 'AE', 'fa').at(-1)).toBe('ایران');
    expect(fmt({}, 'SA')).toHaveLength(3);
  });
});
