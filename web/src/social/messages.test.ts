import { describe, expect, it } from 'vitest';
import { socialAr, socialEn, socialFa } from './messages';
import { messages } from '../messages';

describe('the Telegram and WhatsApp editor strings', () => {
  it('are all in Arabic and Persian and reach the shared dictionary', () => {
    const keys = Object.keys(socialEn);
    expect(keys.filter((k) => !(k in socialAr))).toEqual([]);
    expect(keys.filter((k) => !(k in socialFa))).toEqual([]);
    expect(messages.ar['tg.buttons']).toBe(socialAr['tg.buttons']);
    expect(messages.fa['wa.parameters']).toBe(socialFa['wa.parameters']);
  });

  it('keep every {placeholder} and Liquid variable of the English string', () => {
    const vars = (s: string) => (s.match(/\{\w+\}|\{\{ ?[\w.]+ ?\}\}/g) ?? []).sort();
    for (const [k, en] of Object.entries(socialEn)) {
      for (const other of [socialAr, socialFa]) expect(vars(other[k as keyof typeof socialEn]), k).toEqual(vars(en));
    }
  });
});
