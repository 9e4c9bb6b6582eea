import { describe, expect, it } from 'vitest';
import { newId } from '../core/ids.js';
import { parseToken, signToken, tokenValid } from './tokens.js';

describe('signed tokens', () => {
  const secret = 'k'.repeat(43);
  const messageId = newId('msg');

  it('round-trip: a token names its message (and link index) and verifies only for its own purpose and secret', () => {
    const click = signToken(secret, 'click', { messageId, linkIndex: 7 });
    const parsed = parseToken(click)!;
    expect(parsed).toMatchObject({ messageId, linkIndex: 7 });
    expect(tokenValid(secret, 'click', parsed)).toBe(true);
    expect(tokenValid(secret, 'open', parsed)).toBe(false);
    expect(tokenValid('other-secret', 'click', parsed)).toBe(false);
  });

  it('any change to the body or the signature fails verification', () => {
    const token = signToken(secret, 'unsubscribe', { messageId });
    const [body, sig] = token.split('.') as [string, string];
    const flip = (s: string, i: number) => s.slice(0, i) + (s[i] === 'a' ? 'b' : 'a') + s.slice(i + 1);
    for (let i = 0; i < body.length; i++) {
      const p = parseToken(`${flip(body, i)}.${sig}`);
      if (p) expect(tokenValid(secret, 'unsubscribe', p)).toBe(false);
    }
    for (let i = 0; i < sig.length; i++) expect(tokenValid(secret, 'unsubscribe', parseToken(`${body}.${flip(sig, i)}`)!)).toBe(false);
  });

  it('fits a mailto local part (RFC 5321: at most 64 octets with "unsubscribe+") and survives lower-casing', () => {
    const token = signToken(secret, 'unsubscribe', { messageId });
    expect(`unsubscribe+${token}`.length).toBeLessThanOrEqual(64);
    expect(token).toBe(token.toLowerCase());
    expect(parseToken(token.toUpperCase())).not.toBeNull();
  });

  it('malformed tokens parse to null', () => {
    for (const bad of ['', 'x', 'a.b', `${'0'.repeat(26)}.${'0'.repeat(15)}`, `${'0'.repeat(26)}-x.${'0'.repeat(16)}`, '../../etc/passwd']) expect(parseToken(bad)).toBeNull();
  });
});
