import { describe, expect, it } from 'vitest';
import { asciiDigits, countriesWithOneZone, countryTimeZone, isMobileCapable, normalizePhone, phoneTimeZone } from './phone.js';

describe('normalizePhone', () => {
  it('turns international numbers written in any common way into E.164 with their country', () => {
    expect(normalizePhone('+966 50 123 4567')).toEqual({ ok: true, e164: '+966501234567', country: 'SA' });
    expect(normalizePhone('+44 (20) 7183-8750')).toEqual({ ok: true, e164: '+442071838750', country: 'GB' });
    expect(normalizePhone('00971 50 123 4567')).toEqual({ ok: true, e164: '+971501234567', country: 'AE' });
    expect(normalizePhone('  +1 212.555.0100 ')).toEqual({ ok: true, e164: '+12125550100', country: 'US' });
    expect(normalizePhone('+33\u202F6\u202F12\u202F34\u202F56\u202F78')).toEqual({ ok: true, e164: '+33612345678', country: 'FR' }); // narrow no-break spaces, as French typesetting writes them
  });

  it('reads national numbers with the default country', () => {
    expect(normalizePhone('050 123 4567', 'SA')).toEqual({ ok: true, e164: '+966501234567', country: 'SA' });
    expect(normalizePhone('0912 123 4567', 'ir')).toEqual({ ok: true, e164: '+989121234567', country: 'IR' });
    expect(normalizePhone('+4915112345678', 'SA')).toMatchObject({ ok: true, e164: '+4915112345678', country: 'DE' });
  });

  it('accepts Arabic-Indic and Persian digits and ignores the bidi marks right-to-left editors add', () => {
    expect(normalizePhone('+٩٦٦٥٠١٢٣٤٥٦٧')).toEqual({ ok: true, e164: '+966501234567', country: 'SA' });
    expect(normalizePhone('۰۹۱۲۱۲۳۴۵۶۷', 'IR')).toEqual({ ok: true, e164: '+989121234567', country: 'IR' });
    expect(normalizePhone('\u200F+۹۸ ۹۱۲ ۱۲۳ ۴۵۶۷\u200E')).toEqual({ ok: true, e164: '+989121234567', country: 'IR' });
    expect(asciiDigits('٠١٢٣٤٥٦٧٨٩ ۰۱۲۳۴۵۶۷۸۹')).toBe('0123456789 0123456789');
  });

  it.each([
    ['', 'empty'],
    ['   ', 'empty'],
    ['+966 12', 'not a valid'],
    ['+999 123 456 789', 'not a valid'],
    ['+1 800 FLOWERS', 'only hold digits'],
    ['+1 212 555 0100 ext. 5', 'only hold digits'],
    ['+1212\r\n5550100', 'only hold digits'],
    ['+1'.padEnd(60, '2'), 'at most 40'],
    ['0501234567', 'international format'],
    ['<script>', 'only hold digits'],
  ])('refuses %j with a reason (%s)', (input, reason) => {
    const r = normalizePhone(input);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toContain(reason);
  });

  it('refuses an unknown default country rather than guessing', () => {
    expect(normalizePhone('0501234567', 'XX')).toEqual({ ok: false, reason: 'unknown default country "XX"' });
  });

  it('uses the full metadata: a number of the right length that no operator issues is invalid', () => {
    expect(normalizePhone('+966 90 123 4567').ok).toBe(false); // 9 digits after 966, but no 9x range in Saudi Arabia
  });
});

describe('phoneTimeZone', () => {
  it.each([
    ['+966501234567', 'Asia/Riyadh'],
    ['+971501234567', 'Asia/Dubai'],
    ['+989121234567', 'Asia/Tehran'],
    ['+201001234567', 'Africa/Cairo'],
    ['+442071838750', 'Europe/London'],
    ['+4915112345678', 'Europe/Berlin'],
    ['+33612345678', 'Europe/Paris'],
  ])('gives %s the zone of its country (%s)', (e164, zone) => {
    expect(phoneTimeZone(e164)).toBe(zone);
  });

  it('gives no zone for a country spanning zones, or for an invalid number', () => {
    expect(phoneTimeZone('+12125550100')).toBeUndefined();
    expect(phoneTimeZone('+79161234567')).toBeUndefined();
    expect(phoneTimeZone('+61412345678')).toBeUndefined();
    expect(phoneTimeZone('nonsense')).toBeUndefined();
  });

  it('names only zones the runtime knows', () => {
    expect(countriesWithOneZone().length).toBeGreaterThan(50);
    for (const country of countriesWithOneZone()) expect(() => new Intl.DateTimeFormat('en', { timeZone: countryTimeZone(country)! }), country).not.toThrow();
    expect(countryTimeZone('toString')).toBeUndefined();
  });
});

describe('isMobileCapable', () => {
  it('refuses only numbers the metadata calls landlines (and invalid ones)', () => {
    expect(isMobileCapable('+966501234567')).toBe(true);
    expect(isMobileCapable('+966112345678')).toBe(false);
    expect(isMobileCapable('+989121234567')).toBe(true);
    expect(isMobileCapable('+982188888888')).toBe(false);
    expect(isMobileCapable('+493012345678')).toBe(false);
    expect(isMobileCapable('+12125550100')).toBe(true); // FIXED_LINE_OR_MOBILE: the North American plan does not tell
    expect(isMobileCapable('+1234')).toBe(false);
  });
});

describe('normalizePhone on hostile input', () => {
  it('never throws and only ever answers a well-formed E.164 number (random strings of digits, signs, letters, RTL and astral characters)', () => {
    const alphabet = ['0', '1', '5', '9', '+', ' ', '-', '(', ')', '٥', '۹', '\u200F', '\u202E', 'a', 'x', '😀', '\u0000', '\n', '#', '*', '.'];
    let seed = 7;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
    for (let round = 0; round < 2000; round++) {
      let input = round % 3 === 0 ? '+' : '';
      const length = next() % 50;
      for (let i = 0; i < length; i++) input += alphabet[next() % (round % 2 === 0 ? 12 : alphabet.length)];
      const r = normalizePhone(input, round % 4 === 0 ? 'SA' : undefined);
      if (r.ok) expect(r.e164, JSON.stringify(input)).toMatch(/^\+[1-9]\d{6,14}$/);
      else expect(r.reason.length).toBeGreaterThan(0);
    }
  });
});
