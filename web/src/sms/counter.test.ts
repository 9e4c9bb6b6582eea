import { describe, expect, it } from 'vitest';
import { STANDARD_OPT_OUT } from '../../../src/channels/sms/opt-out.js';
import { countSms, isRtlLocale, OPT_OUT_LINE, usedInSegment, withOptOut } from './counter';

describe('the SMS editor counter', () => {
  it('counts a long GSM-7 text as 2 segments of 153 and says how much of the last is used', () => {
    const c = countSms('a'.repeat(287));
    expect(c).toMatchObject({ encoding: 'gsm7', units: 287, segments: 2, perSegment: 153, remaining: 19, unicodeChars: [], extensionChars: [] });
    expect(usedInSegment(c)).toBe(134);
  });

  it('names the one character that forces UCS-2, and the extension characters that cost two', () => {
    const c = countSms('Hello ✓ there');
    expect(c).toMatchObject({ encoding: 'ucs2', perSegment: 70, unicodeChars: ['✓'], typographicWouldHelp: false });
    const e = countSms('Only 5€ [today]');
    expect(e).toMatchObject({ encoding: 'gsm7', units: 18, extensionChars: ['€', '[', ']'] });
  });

  it('offers the typographic replacement only when it keeps the text GSM-7', () => {
    const curly = countSms('It’s “here”');
    expect(curly).toMatchObject({ encoding: 'ucs2', unicodeChars: ['’', '“', '”'], typographicWouldHelp: true });
    expect(curly.replaced).toMatchObject({ encoding: 'gsm7', text: 'It\'s "here"' });
    expect(countSms('It’s “here”', { replaceTypographic: true })).toMatchObject({ encoding: 'gsm7', typographicWouldHelp: false });
    expect(countSms('مرحبا “here”').typographicWouldHelp).toBe(false);
  });

  it('counts Arabic as UCS-2: 71 letters are 2 segments of 67', () => {
    expect(countSms('م'.repeat(71))).toMatchObject({ encoding: 'ucs2', segments: 2, perSegment: 67, remaining: 63 });
  });

  it('appends the same opt-out line as the server, in the locale, to marketing texts only', () => {
    expect(OPT_OUT_LINE).toEqual(STANDARD_OPT_OUT);
    expect(withOptOut('Sale!', 'ar-SA', true)).toBe(`Sale!\n${STANDARD_OPT_OUT.ar}`);
    expect(withOptOut('Code 1234', 'ar', false)).toBe('Code 1234');
    expect(isRtlLocale('fa-IR') && isRtlLocale('he') && isRtlLocale('ur') && !isRtlLocale('en')).toBe(true);
  });
});
