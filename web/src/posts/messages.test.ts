import { describe, expect, it } from 'vitest';
import { postsAr, postsEn, postsFa } from './messages';
import { messages } from '../messages';

describe('the post series interface strings', () => {
  it('are all in Arabic and Persian and reach the shared dictionary', () => {
    const keys = Object.keys(postsEn);
    expect(keys.filter((k) => !(k in postsAr))).toEqual([]);
    expect(keys.filter((k) => !(k in postsFa))).toEqual([]);
    expect(messages.fa['nav.posts']).toBe(postsFa['nav.posts']);
    expect(messages.ar['posts.status.unknown']).toBe(postsAr['posts.status.unknown']);
  });

  it('keep every {placeholder} and Liquid variable of the English string', () => {
    const vars = (s: string) => (s.match(/\{\w+\}|\{\{ [\w.]+ \}\}/g) ?? []).sort();
    for (const [k, en] of Object.entries(postsEn)) {
      for (const other of [postsAr, postsFa]) expect(vars(other[k as keyof typeof postsEn] ?? ''), k).toEqual(vars(en));
    }
  });
});
