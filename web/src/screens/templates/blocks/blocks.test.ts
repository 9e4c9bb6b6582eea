import { describe, expect, it } from 'vitest';
import mjml2html from 'mjml';
import { parseMjml, serialiseMjml, newSection, type BlockDoc } from './model';

const compile = async (source: string) => {
  const r = await mjml2html(source, { validationLevel: 'soft', keepComments: false });
  return r.html;
};

/** Hand-written MJML, as an author or the journey gallery writes it. */
const TEMPLATES: Record<string, string> = {
  'a gallery email': `<mjml>
  <mj-body>
    <mj-section>
      <mj-column>
        <mj-text font-size="24px" font-weight="bold">Welcome, {{ contact.first_name | default: "there" }}!</mj-text>
        <mj-text>Thanks for signing up.</mj-text>
        <mj-button href="https://example.com">Get started</mj-button>
        <mj-divider />
        <mj-text font-size="12px" color="#555555">{{ workspace.name }} · {{ workspace.postal_address }} · <a href="{{ unsubscribe_url }}">Unsubscribe</a></mj-text>
      </mj-column>
    </mj-section>
  </mj-body>
</mjml>`,
  'right-to-left Arabic text': `<mjml lang="ar" dir="rtl">
<mj-body background-color="#f4f4f4">
<mj-section direction="rtl"><mj-column>
<mj-text align="right">
  مرحبا {{ contact.first_name | default: "صديقنا" }}،
  <br/>شكراً لتسجيلك.
</mj-text>
<mj-button href="https://example.com/ar" background-color="#0b6e4f">ابدأ الآن</mj-button>
</mj-column></mj-section>
</mj-body>
</mjml>`,
  'two columns with image, spacer and a head': `<mjml>
  <mj-head>
    <mj-attributes><mj-all font-family="Arial" /></mj-attributes>
    <mj-style>.x { color: red; }</mj-style>
  </mj-head>
  <mj-body width="600px">
    <mj-section padding="0">
      <mj-column width="40%">
        <mj-image src="https://example.com/shoe.png" alt='The "Runner" shoe' href="https://example.com/p/1" width="200px"></mj-image>
      </mj-column>
      <mj-column width="60%">
        <mj-text>The Runner: {{ data.price }}</mj-text>
        <mj-spacer height="30px"/>
        <mj-button href="https://example.com/p/1?c={{ contact.id | url_encode }}">Buy</mj-button>
      </mj-column>
    </mj-section>
    <mj-section><mj-column><mj-divider border-color="#ccc" /></mj-column></mj-section>
  </mj-body>
</mjml>`,
};

describe('the block editor round trip', () => {
  it.each(Object.entries(TEMPLATES))('%s: blocks → MJML → blocks is the same, and compiles to the HTML of the hand-written MJML', async (_name, source) => {
    const parsed = parseMjml(source);
    if (!parsed.ok) throw new Error(`${parsed.reason} at line ${parsed.line}`);
    const written = serialiseMjml(parsed.doc);
    expect(parseMjml(written)).toEqual({ ok: true, doc: parsed.doc });
    expect(await compile(written)).toBe(await compile(source));
  });

  it('keeps Arabic text, Liquid and attributes exactly', () => {
    const parsed = parseMjml(TEMPLATES['right-to-left Arabic text']!);
    expect(parsed.ok && parsed.doc.mjmlAttrs).toEqual({ lang: 'ar', dir: 'rtl' });
    const block = parsed.ok ? parsed.doc.sections[0]!.columns[0]!.blocks[0] : null;
    expect(block).toEqual({ type: 'text', attrs: { align: 'right' }, html: '\n  مرحبا {{ contact.first_name | default: "صديقنا" }}،\n  <br/>شكراً لتسجيلك.\n' });
  });

  it('a document built from new blocks round-trips and compiles', async () => {
    const doc: BlockDoc = { mjmlAttrs: {}, head: '', bodyAttrs: {}, sections: [newSection(1), newSection(2)] };
    doc.sections[1]!.columns[1]!.blocks.push({ type: 'image', attrs: { src: 'https://example.com/a.png', alt: 'صورة' } }, { type: 'spacer', attrs: { height: '10px' } });
    const mjml = serialiseMjml(doc);
    expect(parseMjml(mjml)).toEqual({ ok: true, doc });
    expect((await mjml2html(mjml, { validationLevel: 'strict' })).errors).toEqual([]);
  });

  it.each([
    ['<mjml><mj-body><mj-hero><mj-text>x</mj-text></mj-hero></mj-body></mjml>', '<mj-hero> inside <mj-body>', 1],
    ['<mjml>\n<mj-body>\n<mj-section><mj-column>\n<mj-raw><p>x</p></mj-raw>\n</mj-column></mj-section></mj-body></mjml>', '<mj-raw> inside <mj-column>', 4],
    ['<mjml><mj-body><!-- note --><mj-section></mj-section></mj-body></mjml>', 'a comment', 1],
    ['<mjml><mj-body><mj-section><mj-column>{% if x %}<mj-text>a</mj-text>{% endif %}</mj-column></mj-section></mj-body></mjml>', 'text outside a block', 1],
    ['<mjml><mj-body><mj-section><mj-group><mj-column></mj-column></mj-group></mj-section></mj-body></mjml>', '<mj-group> inside <mj-section>', 1],
    ['<p>not mjml</p>', 'a document that does not start with <mjml>', 1],
  ])('MJML the blocks cannot show is refused with the reason and line, never dropped: %s', (source, reason, line) => {
    expect(parseMjml(source)).toEqual({ ok: false, reason, line });
  });
});
