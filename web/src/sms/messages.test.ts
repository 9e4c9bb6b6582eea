import { describe, expect, it } from 'vitest';
import { smsAr, smsEn, smsFa } from './messages';
import { messages } from '../messages';

describe('the SMS interface strings', () => {
  it('are all in Arabic and Persian (English singulars aside) and reach the shared dictionary', () => {
    const keys = Object.keys(smsEn).filter((k) => !k.endsWith('.one'));
    expect(keys.filter((k) => !(k in smsAr))).toEqual([]);
    expect(keys.filter((k) => !(k in smsFa))).toEqual([]);
    expect(messages.ar['sms.ucs2']).toBe(smsAr['sms.ucs2']);
    expect(messages.fa['channel.sms']).toBe('پیامک');
    expect(messages.en['sms.ucs2']).toBe('Unicode (UCS-2)');
  });

  it('keep every {placeholder} of the English string', () => {
    const vars = (s: string) => (s.match(/\{\w+\}/g) ?? []).sort();
    for (const [k, en] of Object.entries(smsEn)) {
      for (const other of [smsAr, smsFa]) {
        const s = other[k as keyof typeof smsEn];
        if (s !== undefined && !k.endsWith('.one')) expect(vars(s), k).toEqual(vars(en));
      }
    }
  });
});
