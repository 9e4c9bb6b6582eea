import { describe, expect, it } from 'vitest';
import { addOpenPixel, rewriteLinks } from './links.js';
import { signToken } from './tokens.js';
import { withoutTracking } from './viewer.js';

const PUBLIC = 'https://q.example.com';

describe('the outbox viewer copy of a message', () => {
  it('has no open pixel and no link to the click recorder; other images and links stay', () => {
    const sent = addOpenPixel(
      rewriteLinks(
        '<html><body><img src="https://cdn.example/logo.gif" alt="logo"><a href="https://shop.example/a">A</a> <a href=\'https://shop.example/b\'>B</a> <a href="mailto:x@example.com">mail</a></body></html>',
        (i) => `${PUBLIC}/c/${signToken('s', 'click', { messageId: 'msg_01kb7q', linkIndex: i })}`,
        () => false,
      ).html,
      `${PUBLIC}/o/${signToken('s', 'open', { messageId: 'msg_01kb7q' })}.gif`,
    );
    expect(sent).toMatch(/\/o\/[^"]+\.gif/);
    expect(sent).toMatch(/\/c\//);
    const shown = withoutTracking(sent);
    expect(shown).not.toMatch(/\/o\//);
    expect(shown).not.toMatch(/\/c\//);
    expect(shown).toContain('<img src="https://cdn.example/logo.gif" alt="logo">');
    expect(shown).toContain('href="mailto:x@example.com"');
    expect(shown.match(/href="#tracked-link"/g)).toHaveLength(2);
  });
});
