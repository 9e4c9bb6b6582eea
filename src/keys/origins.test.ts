import { describe, expect, it } from 'vitest';
import { normalizeOrigin, normalizeOrigins, originAllowed } from './origins.js';
import { ValidationError } from '../core/errors.js';

describe('write key origins', () => {
  it('normalises entries: lower case, default ports dropped, repeats removed, [] means any', () => {
    expect(normalizeOrigins(['HTTPS://Shop.Example.COM:443', 'http://localhost:80', 'https://shop.example.com', 'http://127.0.0.1:8080'])).toEqual([
      'https://shop.example.com',
      'http://localhost',
      'http://127.0.0.1:8080',
    ]);
    expect(normalizeOrigins([])).toBeNull();
    expect(normalizeOrigins(null)).toBeNull();
  });

  it('refuses paths, other schemes, bare or inner wildcards and bad ports, naming the entry', () => {
    for (const bad of [
      'https://a.example.com/',
      'https://a.example.com?x',
      'ftp://a.example.com',
      '//a.example.com',
      'https://*.com',
      'https://*.1.2.3.4',
      'https://a.*.com',
      'https://a.example.com:0',
      'https://-a.example.com',
      'null',
      '',
    ]) {
      expect('error' in normalizeOrigin(bad), bad).toBe(true);
    }
    expect(() => normalizeOrigins(['https://ok.example.com', 'nope'])).toThrow(ValidationError);
    try {
      normalizeOrigins(['https://ok.example.com', 'nope']);
    } catch (err) {
      expect((err as ValidationError).issues[0]!.path).toBe('allowedOrigins.1');
    }
  });

  it('matches exact origins (scheme and port included) and subdomain wildcards, never the bare domain or look-alikes', () => {
    const list = ['https://shop.example.com', 'https://*.example.org', 'http://127.0.0.1:8080'];
    const allowed = ['https://shop.example.com', 'HTTPS://SHOP.EXAMPLE.COM', 'https://shop.example.com:443', 'https://a.example.org', 'https://a.b.example.org', 'http://127.0.0.1:8080'];
    const refused = [
      'http://shop.example.com',
      'https://shop.example.com:8443',
      'https://example.org',
      'http://a.example.org',
      'https://aexample.org',
      'https://a.example.org.evil.com',
      'https://shop.example.com.evil.com',
      'http://127.0.0.1:8081',
      'https://*.example.org',
      'null',
      '',
    ];
    for (const origin of allowed) expect(originAllowed(list, origin), origin).toBe(true);
    for (const origin of refused) expect(originAllowed(list, origin), origin).toBe(false);
    expect(originAllowed(null, 'null')).toBe(true);
    expect(originAllowed(['https://*.example.org:8443'], 'https://a.example.org:8443')).toBe(true);
    expect(originAllowed(['https://*.example.org:8443'], 'https://a.example.org')).toBe(false);
  });
});
