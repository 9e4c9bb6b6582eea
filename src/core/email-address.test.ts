import { describe, expect, it } from 'vitest';
import { emailKey, parseEmailAddress } from './email-address.js';

const reasonOf = (s: string) => {
  const r = parseEmailAddress(s);
  return r.ok ? null : r.reason;
};

describe('parseEmailAddress', () => {
  it('accepts one bare mailbox, keeping the local part as written and lower-casing the domain', () => {
    const r = parseEmailAddress('  Foo.Bar+tag@Example.COM ');
    expect(r).toMatchObject({ ok: true, value: { local: 'Foo.Bar+tag', domain: 'example.com', address: 'Foo.Bar+tag@example.com', key: 'foo.bar+tag@example.com' } });
  });

  it('maps an IDN domain to punycode, so both spellings are one key', () => {
    const unicode = parseEmailAddress('anna@Müller.de');
    expect(unicode).toMatchObject({ ok: true, value: { domain: 'xn--mller-kva.de', key: 'anna@xn--mller-kva.de' } });
    expect(emailKey('anna@xn--mller-kva.de')).toBe(emailKey('anna@müller.de'));
  });

  it.each([
    ['attacker@evil.example, victim@example.net', 'not a list'],
    ['a@x.com;b@y.com', 'not a list'],
    ['x@ex.com\r\nbcc: v2@example.net', 'line breaks'],
    ['x@ex.com\n', 'line breaks'],
    ['x@ex.com\u0000', 'control'],
    ['x@ex.com\u2028', 'line breaks'],
    ['Victim <v@example.net>', 'display name'],
    ['v@example.net (comment)', 'comments'],
    ['"ab"@example.net', 'quotes'],
    ['a b@example.net', 'spaces'],
    ['a@b@example.net', 'exactly one @'],
    ['example.net', 'exactly one @'],
    ['@example.net', 'local part'],
    ['a@', 'domain after the @'],
    ['.a@example.net', 'not allowed'],
    ['a..b@example.net', 'not allowed'],
    ['ü@example.net', 'not allowed'],
    ['a@localhost', 'must have a dot'],
    ['a@[127.0.0.1]', 'bare address'],
    ['a@127.0.0.1', 'not an IP'],
    ['a@example.net.', 'valid domain'],
    ['a@-x.net', 'valid domain'],
    ['a@x_y.net', 'valid domain'],
    ['a@%65xample.net', 'valid domain'],
    ['a@x.net/evil', 'valid domain'],
    ['', 'empty'],
  ])('refuses %j (%s)', (input, why) => {
    expect(reasonOf(input)).toContain(why);
  });

  it('enforces the RFC 5321 lengths: 64 for the local part, 254 for the whole', () => {
    expect(reasonOf(`${'a'.repeat(64)}@example.net`)).toBeNull();
    expect(reasonOf(`${'a'.repeat(65)}@example.net`)).toContain('at most 64');
    const domain = `${'d'.repeat(63)}.${'e'.repeat(63)}.${'f'.repeat(63)}.net`; // 195 octets
    expect(reasonOf(`${'a'.repeat(54)}@${domain}`)).toBeNull(); // 250
    expect(reasonOf(`${'a'.repeat(60)}@${domain}`)).toContain('at most 254'); // 256
    expect(reasonOf(`${'a'.repeat(5000)}@example.net`)).toContain('at most');
  });

  it('emailKey falls back to the old trim-and-lower-case for values that do not parse', () => {
    expect(emailKey(' A@B.com ')).toBe('a@b.com');
    expect(emailKey('+966501234567')).toBe('+966501234567');
    expect(emailKey(' Bad, List@X.com ')).toBe('bad, list@x.com');
  });
});
