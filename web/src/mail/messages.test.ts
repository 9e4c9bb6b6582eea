import { describe, expect, it } from 'vitest';
import { mailAr, mailEn, mailFa } from './messages';
import { messages } from '../messages';

describe('the direct mail interface strings', () => {
  it('are all in Arabic and Persian, batch and piece statuses included, and reach the shared dictionary', () => {
    const keys = Object.keys(mailEn);
    expect(keys.filter((k) => !(k in mailAr))).toEqual([]);
    expect(keys.filter((k) => !(k in mailFa))).toEqual([]);
    for (const s of ['building', 'ready', 'delivered', 'failed']) expect(keys).toContain(`mail.batch.${s}`);
    for (const s of ['created', 'submitted', 'mailed', 'in_transit', 'delivered', 'returned', 'failed']) expect(keys).toContain(`mail.piece.${s}`);
    expect(messages.fa['nav.mail']).toBe(mailFa['nav.mail']);
    expect(messages.ar['mail.batches.title']).toBe('دفعات الطباعة');
  });

  it('keep every {placeholder} of the English string', () => {
    const vars = (s: string) => (s.match(/\{\w+\}/g) ?? []).sort();
    for (const [k, en] of Object.entries(mailEn)) {
      for (const other of [mailAr, mailFa]) {
        const s = other[k as keyof typeof mailEn];
        if (s !== undefined && !en.includes('{{')) expect(vars(s), k).toEqual(vars(en));
      }
    }
  });
});
