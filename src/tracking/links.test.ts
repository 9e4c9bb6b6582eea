import { describe, expect, it } from 'vitest';
import { rewriteLinks, rewriteTextLinks, writtenUrls } from './links.js';

const tracked = (i: number) => `https://q.example/c/T${i}`;
const keep = (url: string) => url.startsWith('https://q.example/u/');

describe('link rewriting in the text part', () => {
  it("continues the HTML part's indexes, keeps sentence punctuation outside the URL and leaves our own links", () => {
    const { links } = rewriteLinks('<a href="https://shop.example/a">A</a> <a href="https://shop.example/b?x=1&amp;y=2">B</a>', tracked, keep);
    const text = 'Shop [https://shop.example/b?x=1&y=2]. New: https://shop.example/new, or (https://shop.example/a). Leave: https://q.example/u/tok';
    const out = rewriteTextLinks(text, links, tracked, keep, writtenUrls(text));
    expect(out).toBe('Shop [https://q.example/c/T1]. New: https://q.example/c/T2, or (https://q.example/c/T0). Leave: https://q.example/u/tok');
    expect(links).toEqual(['https://shop.example/a', 'https://shop.example/b?x=1&y=2', 'https://shop.example/new']);
  });

  it('leaves text without links unchanged', () => {
    const links: string[] = [];
    expect(rewriteTextLinks('مرحبا سارة — no links here.', links, tracked, keep, [])).toBe('مرحبا سارة — no links here.');
    expect(links).toEqual([]);
  });

  it('leaves a URL that is not written in the template (it came from data) as plain text, untracked', () => {
    const { links } = rewriteLinks('<a href="https://shop.example/a">A</a>', tracked, keep);
    const source = 'Hi {{ contact.first_name }}, see https://shop.example/a and https://shop.example/{{ contact.id }}';
    const text = 'Hi https://evil.example/x, see https://shop.example/a and https://shop.example/ct_1';
    expect(rewriteTextLinks(text, links, tracked, keep, writtenUrls(source))).toBe('Hi https://evil.example/x, see https://q.example/c/T0 and https://shop.example/ct_1');
    expect(links).toEqual(['https://shop.example/a']);
  });
});
