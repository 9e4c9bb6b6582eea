import { describe, expect, it } from 'vitest';
import { parseReceiptText, receiptDate, receiptOf } from './receipt.js';

describe('delivery receipt text', () => {
  it('reads the SMPP 3.4 Appendix B fields, whatever their case, and stops at the free `text:`', () => {
    const text = 'id:0123abcd sub:001 dlvrd:001 submit date:2601051229 done date:2601051230 Stat:delivrd err:000 Text:stat:UNDELIV id:evil';
    expect(parseReceiptText(text)).toEqual({ id: '0123abcd', stat: 'DELIVRD', err: '000', doneDate: '2601051230' });
  });

  it('reads seconds when the date has them, and refuses dates that do not exist', () => {
    expect(receiptDate('2601051230')).toBe(Date.UTC(2026, 0, 5, 12, 30));
    expect(receiptDate('260105123059')).toBe(Date.UTC(2026, 0, 5, 12, 30, 59));
    expect(receiptDate('2602301230')).toBeUndefined(); // 30 February
    expect(receiptDate('2601052460')).toBeUndefined();
    expect(receiptDate('yesterday')).toBeUndefined();
    expect(receiptDate(undefined)).toBeUndefined();
  });

  it('ACCEPTD and ENROUTE are not final: sent', () => {
    expect(receiptOf('id:1 stat:ACCEPTD err:000', {})).toEqual({ providerMessageId: '1', status: 'sent' });
    expect(receiptOf('', { receiptedMessageId: '9', messageState: 1 })).toEqual({ providerMessageId: '9', status: 'sent' });
  });

  it('hostile or empty text gives no receipt rather than a wrong one', () => {
    expect(receiptOf('', {})).toBeNull();
    expect(receiptOf('id: stat:DELIVRD', {})).toBeNull();
    expect(receiptOf('id:1 stat:MAYBE', {})).toBeNull();
    expect(receiptOf('x'.repeat(100_000), { messageState: 99 })).toBeNull();
  });
});
