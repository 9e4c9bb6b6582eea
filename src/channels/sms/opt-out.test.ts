import { describe, expect, it } from 'vitest';
import { countryRulesOverridesSchema } from './country-rules.js';
import { appendOptOut, hasOptOut, optOutLanguage, optOutText } from './opt-out.js';

describe('optOutText', () => {
  it("speaks the contact's language: English, Arabic, Persian, English for the rest", () => {
    expect(optOutText('en-GB')).toBe('Reply STOP to opt out');
    expect(optOutText('ar-SA', 'SA')).toBe('لإلغاء الاشتراك أرسل STOP');
    expect(optOutText('fa')).toBe('برای لغو عضویت STOP را ارسال کنید');
    expect(optOutText('de-DE', 'DE')).toBe('Reply STOP to opt out');
    expect(optOutText(undefined)).toBe('Reply STOP to opt out');
    expect(optOutLanguage('FA_ir')).toBe('fa');
  });

  it("lets the country's rule win where it names a text: the UAE short code, Iran's «لغو۱۱»", () => {
    expect(optOutText('en', 'AE')).toBe('To opt out send STOP to 7726');
    expect(optOutText('ar-AE', 'AE')).toBe('لإلغاء الاشتراك أرسل STOP إلى 7726');
    expect(optOutText('fa-IR', 'IR')).toBe('لغو۱۱');
    const overrides = countryRulesOverridesSchema.parse({ SA: { optOut: { required: true, text: { ar: 'للإلغاء أرسل 0 إلى 600500' } } } });
    expect(optOutText('ar', 'SA', overrides)).toBe('للإلغاء أرسل 0 إلى 600500');
    expect(optOutText('en', 'SA', overrides)).toBe('Reply STOP to opt out');
  });
});

describe('hasOptOut', () => {
  it.each([
    'Sale today! Reply STOP to opt out',
    'Sale today! Text stop to quit',
    'Sale today! Reply END to end these messages',
    'Sale today! txt "quit" to leave',
    'Sale today! STOP=end',
    'Sale today. Unsubscribe: reply here',
    'Sale today (opt-out: reply N)',
    'تخفيضات اليوم! لإلغاء الاشتراك أرسل STOP',
    'تخفيضات اليوم! لالغاء الاشتراك ارسل ايقاف',
    'تخفيضات اليوم! لإلـغـاء الاشتراك أرسل ٠', // tatweel
    'حراج امروز! برای لغو عضویت STOP را ارسال کنید',
    'حراج امروز! برای لغو عضويت عدد ۱ را بفرستید', // Arabic yeh in a Persian word
    'حراج امروز! لغو۱۱',
    'حراج امروز! لغو 11',
  ])('finds the opt-out in %j', (text) => {
    expect(hasOptOut(text, 'en')).toBe(true);
  });

  it.each(['Stop by our store today!', "Don't stop now: 20% off", 'Our UNSTOPPABLE sale', 'Sale ends 11 March', 'تخفيضات اليوم على جميع المنتجات', 'حراج امروز برای همه محصولات'])(
    'finds none in %j',
    (text) => {
      expect(hasOptOut(text, 'en', 'IR')).toBe(false);
    },
  );

  it("recognises the country's own text", () => {
    const overrides = countryRulesOverridesSchema.parse({ SA: { optOut: { required: true, text: { ar: 'للإلغاء أرسل 0 إلى 600500' } } } });
    expect(hasOptOut('عرض خاص\nللإلغاء أرسل 0 إلى 600500', 'ar', 'SA', overrides)).toBe(true);
    expect(hasOptOut('عرض خاص\nللإلغاء أرسل 0 إلى 600500', 'ar', 'SA')).toBe(false);
  });
});

describe('appendOptOut', () => {
  it('adds the line on a new line in the right language', () => {
    expect(appendOptOut('Spring sale: 20% off', 'en', 'GB')).toBe('Spring sale: 20% off\nReply STOP to opt out');
    expect(appendOptOut('عرض الربيع: خصم ٢٠٪  \n', 'ar-SA', 'SA')).toBe('عرض الربيع: خصم ٢٠٪\nلإلغاء الاشتراك أرسل STOP');
    expect(appendOptOut('حراج بهاره: ۲۰٪ تخفیف', 'fa-IR', 'IR')).toBe('حراج بهاره: ۲۰٪ تخفیف\nلغو۱۱');
    expect(appendOptOut('', 'fa')).toBe('برای لغو عضویت STOP را ارسال کنید');
  });

  it('never doubles it: appending twice, or to a template that carries one, changes nothing', () => {
    for (const [locale, country] of [
      ['en', 'US'],
      ['ar', 'SA'],
      ['ar', 'AE'],
      ['fa', 'IR'],
      ['fa', undefined],
    ] as const) {
      const once = appendOptOut('Hello', locale, country);
      expect(appendOptOut(once, locale, country)).toBe(once);
    }
    expect(appendOptOut('Hi! Reply STOP to opt out', 'ar', 'SA')).toBe('Hi! Reply STOP to opt out');
  });
});
