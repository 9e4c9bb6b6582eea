import { describe, expect, it } from 'vitest';
import { classifyReply, isAffirmation, normalizeReply } from './keywords.js';

const each = (texts: string[], kind: ReturnType<typeof classifyReply>) => texts.map((t) => [t, kind] as const);

describe('classifyReply', () => {
  it.each(
    each(
      [
        'STOP',
        'stop',
        ' Stop. ',
        '"stop"',
        'STOP!!!',
        'Stop 😡',
        'STOPALL',
        'stop all',
        'STOP STOP',
        'UNSUBSCRIBE',
        'Cancel',
        'end',
        'QUIT',
        'revoke',
        'OPTOUT',
        'opt out',
        'Opt-Out',
        'ＳＴＯＰ',
        'stop2',
      ],
      'stop',
    ),
  )('the keyword %j stops', (text, kind) => {
    expect(classifyReply(text)).toBe(kind);
  });

  it.each(
    each(
      [
        'stop texting me',
        'Please stop texting me!',
        "please don't text me anymore",
        'Do not contact me again',
        'never text me again',
        'no more texts please',
        'unsubscribe me',
        'Unsubscribe me from this list',
        'cancel my subscription',
        'I want to opt out',
        'opt me out',
        'Can you stop sending me these messages?',
        'remove me from your list',
        'take me off your list',
        'leave me alone',
        'How do I unsubscribe?',
        'how can I stop these texts',
        'STOP. Who is this?',
        'stop texting me, Jane here',
        'No, stop',
      ],
      'stop',
    ),
  )('the plain-language revocation %j stops', (text, kind) => {
    expect(classifyReply(text)).toBe(kind);
  });

  it.each(
    each(
      [
        "don't stop",
        "Don't stop, it's great",
        'Yes, stop by anytime',
        'please do not stop these',
        'I will stop by the store tomorrow',
        'Stop by the store tomorrow',
        "I'll stop by",
        "can't stop smiling",
        'how do I stop the app from crashing',
        'Why did you stop?',
        'how do I start',
        'When does the sale end?',
        'can I cancel my order?',
        'no thanks',
        'Thanks!',
        'Is this the right number for the sale?',
        'how do I start the app',
        'I need help with my order',
        '',
        '   ',
        '!!!',
        'نمی‌خواهم',
        'توقف المطر',
        '۱۱',
      ],
      null,
    ),
  )('%j is an ordinary reply', (text, kind) => {
    expect(classifyReply(text)).toBe(kind);
  });

  it.each(
    each(
      [
        'إلغاء',
        'الغاء',
        'إلغاء الاشتراك',
        'توقف',
        'أوقف',
        'إيقاف',
        'أوقف الرسائل من فضلك',
        'الرجاء إيقاف الرسائل',
        'توقف عن الإرسال',
        'لا ترسل لي رسائل',
        // diacritics, tatweel and presentation forms
        'إِلْغَاء',
        'إلغـــاء',
        '\uFE87\uFEDF\uFED0\uFE8E\uFE80',
      ],
      'stop',
    ),
  )('the Arabic %j stops', (text, kind) => {
    expect(classifyReply(text)).toBe(kind);
  });

  it.each(
    each(
      [
        'لغو',
        'لغو۱۱',
        'لغو 11',
        'لغو ١١',
        'انصراف',
        'توقف',
        'لغو عضویت',
        'عضویت من را لغو کنید',
        'انصراف از دریافت پیامک',
        'لطفاً پیامک نفرستید',
        'دیگه پیام نده',
        'پیامک نمی‌خواهم',
        'پیامک نمیخواهم',
        'لغو اشتراک',
        'لغو اشتراك',
      ],
      'stop',
    ),
  )('the Persian %j stops', (text, kind) => {
    expect(classifyReply(text)).toBe(kind);
  });

  it.each(each(['START', 'start', 'Unstop', 'YES', 'yes please', 'اشتراك', 'اشتراک', 'ابدأ', 'نعم', 'شروع', 'عضویت', 'بله'], 'start'))('%j starts', (text, kind) => {
    expect(classifyReply(text)).toBe(kind);
  });

  it.each(each(['HELP', 'help?', 'Info', 'مساعدة', 'مساعده', 'راهنما', 'راهنمایی', 'کمک', 'كمك'], 'help'))('%j asks for help', (text, kind) => {
    expect(classifyReply(text)).toBe(kind);
  });

  it('a message that stops and starts stops', () => {
    expect(classifyReply('stop. start')).toBe('stop');
    expect(classifyReply('Help! Stop!')).toBe('stop');
  });

  it("takes the workspace's extra words, normalised the same way", () => {
    const extra = { stop: ['Basta', 'لغو۱۲ ویژه'], start: ['Join'], help: ['Aide'] };
    expect(classifyReply('BASTA!', extra)).toBe('stop');
    expect(classifyReply('لغو12 ويژه', extra)).toBe('stop');
    expect(classifyReply('join', extra)).toBe('start');
    expect(classifyReply('aide', extra)).toBe('help');
    expect(classifyReply('basta')).toBeNull();
    expect(classifyReply('join')).toBeNull();
    expect(classifyReply('', { stop: [''] })).toBeNull();
    expect(classifyReply('anything', { stop: ['', '!!'] })).toBeNull();
  });

  it('tells a mere yes from START', () => {
    expect(isAffirmation('Yes')).toBe(true);
    expect(isAffirmation('نعم')).toBe(true);
    expect(isAffirmation('بله')).toBe(true);
    expect(isAffirmation('START')).toBe(false);
    expect(isAffirmation('شروع')).toBe(false);
  });
});

describe('normalizeReply', () => {
  it('folds Arabic and Persian letter variants, digits, diacritics, ZWNJ and tatweel', () => {
    expect(normalizeReply('كي')).toEqual(normalizeReply('کی'));
    expect(normalizeReply('أإآا')).toEqual(['اااا']);
    expect(normalizeReply('نمی‌خواهم')).toEqual(['نميخواهم']);
    expect(normalizeReply('مساعدة')).toEqual(['مساعده']);
    expect(normalizeReply('۱۲٣ 45')).toEqual(['123', '45']);
    expect(normalizeReply('ســلام\u200F')).toEqual(['سلام']);
    expect(normalizeReply("Don't")).toEqual(['dont']);
  });

  it('never throws on hostile text', () => {
    const hostile = ['\uD800', '\u0000stop', 'a'.repeat(100_000), '\u202Estop\u202C', '🏳️‍🌈'.repeat(100)];
    for (const text of hostile) expect(() => classifyReply(text)).not.toThrow();
    expect(classifyReply('\u202Estop\u202C')).toBe('stop');
    expect(classifyReply('\u0000stop')).toBe('stop');
  });
});
