import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../../core/clock.js';
import { concatenationOf, MoAssembler } from './inbound.js';

describe('concatenated MO reassembly', () => {
  it('reads 8-bit (IE 00) and 16-bit (IE 08) references', () => {
    expect(concatenationOf([Buffer.from([0x00, 3, 7, 2, 1])])).toEqual({ reference: 7, total: 2, seq: 1 });
    expect(concatenationOf([Buffer.from([0x0a, 1, 0]), Buffer.from([0x08, 4, 0x12, 0x34, 3, 2])])).toEqual({ reference: 0x1234, total: 3, seq: 2 });
    expect(concatenationOf([Buffer.from([0x00, 2, 7])])).toBeNull();
    expect(concatenationOf(undefined)).toBeNull();
  });

  it('joins parts in sequence order whatever order they came in, counting a repeated part once, and keeps senders apart', () => {
    const mo = new MoAssembler(new ManualClock(), 60_000);
    expect(mo.add('+1', 'Q', { reference: 1, total: 3, seq: 3 }, 'c')).toBeNull();
    expect(mo.add('+2', 'Q', { reference: 1, total: 3, seq: 1 }, 'X')).toBeNull();
    expect(mo.add('+1', 'Q', { reference: 1, total: 3, seq: 1 }, 'a')).toBeNull();
    expect(mo.add('+1', 'Q', { reference: 1, total: 3, seq: 1 }, 'a')).toBeNull();
    const whole = mo.add('+1', 'Q', { reference: 1, total: 3, seq: 2 }, 'b');
    expect(whole?.text).toBe('abc');
    whole!.done();
    expect(mo.size).toBe(1);
  });

  it('drops an incomplete message after its time to live, by the injected clock', () => {
    const clock = new ManualClock();
    const mo = new MoAssembler(clock, 60_000);
    mo.add('+1', 'Q', { reference: 5, total: 2, seq: 1 }, 'a');
    clock.advance(60_001);
    expect(mo.add('+1', 'Q', { reference: 5, total: 2, seq: 2 }, 'b')).toBeNull();
    expect(mo.size).toBe(1);
  });

  it('refuses a sequence number outside 1..total and keeps at most maxPending messages', () => {
    const mo = new MoAssembler(new ManualClock(), 60_000, 2);
    expect(mo.add('+1', 'Q', { reference: 1, total: 2, seq: 0 }, 'a')).toBeNull();
    expect(mo.add('+1', 'Q', { reference: 1, total: 2, seq: 3 }, 'a')).toBeNull();
    for (let ref = 0; ref < 5; ref++) mo.add('+1', 'Q', { reference: ref, total: 2, seq: 1 }, 'a');
    expect(mo.size).toBe(2);
  });
});
