import { describe, expect, it } from 'vitest';
import { textTemplateOf } from './text.js';

describe('text templates converted at save time', () => {
  it('keep Liquid tags and link targets in order', () => {
    expect(
      textTemplateOf(
        '<html><body><h1>Hi {{ contact.first_name | default: "dear friend" }}</h1>{% if contact.vip %}<p>VIP &amp; co</p>{% endif %}<a href="{{ unsubscribe_url }}">Unsubscribe</a></body></html>',
      ),
    ).toBe('Hi {{ contact.first_name | default: "dear friend" }}\n\n{% if contact.vip %}\n\nVIP & co\n\n{% endif %}Unsubscribe [{{ unsubscribe_url }}]');
  });

  it('are refused when the HTML parser would change a tag or a partial is rendered', () => {
    expect(textTemplateOf('<p>{% if a<b %}x{% endif %}</p>')).toBeUndefined();
    expect(textTemplateOf("<p>{% render 'footer' %}</p>")).toBeUndefined();
    expect(textTemplateOf('<p>{% include "x" %}</p>')).toBeUndefined();
  });
});
