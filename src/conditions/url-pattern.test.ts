import { describe, expect, it } from 'vitest';
import { compileUrlPattern, matchesUrlPattern, urlPatternIssue } from './url-pattern.js';
import { pageLocation } from '../events/page-url.js';
import type { JsonObject } from '../core/json.js';

const at = (properties: Record<string, unknown>, context?: Record<string, unknown>) => pageLocation(properties as JsonObject, context as JsonObject | undefined);
const matches = (pattern: string, properties: Record<string, unknown>) => matchesUrlPattern(compileUrlPattern(pattern), at(properties));

describe('URL patterns', () => {
  it.each([
    ['/pricing', { path: '/pricing' }, true],
    ['/pricing', { path: '/pricing', search: '?plan=pro' }, true],
    ['/pricing', { path: '/Pricing' }, true],
    ['/pricing', { path: '/pricing/team' }, false],
    ['/products/*', { path: '/products/red-shoe' }, true],
    ['/products/*', { path: '/products' }, false],
    ['*/pricing', { path: '/en/pricing' }, true],
    ['*/pricing', { path: '/pricing' }, true],
    ['*/pricing', { path: '/pricing-old' }, false],
    ['/search?q=*', { path: '/search', search: '?q=shoes' }, true],
    ['/search?q=*', { path: '/search' }, false],
    ['shop.example.com/*', { url: 'https://shop.example.com/a?b=1' }, true],
    ['shop.example.com/*', { path: '/a' }, false],
    ['*.example.com/pricing', { url: 'https://de.example.com/pricing' }, true],
    ['example.com', { url: 'https://example.com/anything' }, true],
    ['/100%_off', { path: '/100%_off' }, true],
    ['/100%_off', { path: '/100xyoff' }, false],
    ['/a.b', { path: '/axb' }, false],
  ] as const)('%s against %j: %s', (pattern, properties, expected) => {
    expect(urlPatternIssue(pattern)).toBeNull();
    expect(matches(pattern, properties)).toBe(expected);
  });

  it('builds the LIKE pattern the segments run, with %, _ and \\ escaped', () => {
    expect(compileUrlPattern('/Products/*').like).toBe('/products/%');
    expect(compileUrlPattern('/100%_off\\').like).toBe('/100\\%\\_off\\\\');
  });

  it('reads the place from properties, else context.page; the fragment is dropped', () => {
    expect(at({ url: 'https://Shop.Example.com:8443/a/b?x=1#top' })).toEqual({ host: 'shop.example.com:8443', path: '/a/b', query: '?x=1' });
    expect(at({}, { page: { path: '/from-context', search: '?s=1' } })).toEqual({ host: null, path: '/from-context', query: '?s=1' });
    expect(at({ path: '/p?inline=1#h', url: 'https://x.org/other?no=1' })).toEqual({ host: 'x.org', path: '/p', query: '?inline=1' });
    expect(at({ url: 'not a url', path: 42 })).toBeNull();
    expect(at({ url: 'javascript:alert(1)' })).toBeNull();
  });

  it.each([
    ['', 'must not be empty'],
    ['pricing', 'a path pattern starts with / or *'],
    ['https://x.com/a', 'leave out the scheme'],
    ['/a b', 'no spaces'],
    ['/a#b', 'no spaces'],
    ['/' + 'a'.repeat(600), 'at most 500'],
  ])('refuses %j', (pattern, message) => expect(urlPatternIssue(pattern)).toContain(message));
});

describe('hostile URL patterns', () => {
  it('refuses more than 8 stars, and a star-heavy pattern against a long path answers at once', () => {
    expect(urlPatternIssue('/*a*a*a*a*a*a*a*a*b')).toContain('at most 8');
    const p = compileUrlPattern('/*a*a*a*a*a*a*a*b');
    const t0 = performance.now();
    expect(matchesUrlPattern(p, { host: null, path: '/' + 'a'.repeat(2000), query: null })).toBe(false);
    expect(performance.now() - t0).toBeLessThan(100);
  });
});
