/**
 * @module The email bodies of the gallery's templates: MJML made only of what the web app's block
 * editor shows as blocks (a section with a column of heading, text, button and divider, and the
 * footer), so a marketer edits them as blocks. Every body carries the postal address and the
 * unsubscribe link a marketing email must have.
 */

export interface EmailCopy {
  heading: string;
  paragraphs: string[];
  button?: { label: string; href: string };
  /** The footer's "Unsubscribe" in the email's language. */
  unsubscribe: string;
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');

export function galleryMjml(c: EmailCopy): string {
  const lines = [
    '<mjml>',
    '  <mj-body>',
    '    <mj-section>',
    '      <mj-column>',
    `        <mj-text font-size="24px" font-weight="bold">${esc(c.heading)}</mj-text>`,
    ...c.paragraphs.map((p) => `        <mj-text>${esc(p)}</mj-text>`),
    ...(c.button ? [`        <mj-button href="${c.button.href}">${esc(c.button.label)}</mj-button>`] : []),
    '        <mj-divider />',
    `        <mj-text font-size="12px" color="#555555">{{ workspace.name }} · {{ workspace.postal_address }} · <a href="{{ unsubscribe_url }}">${esc(c.unsubscribe)}</a></mj-text>`,
    '      </mj-column>',
    '    </mj-section>',
    '  </mj-body>',
    '</mjml>',
  ];
  return lines.join('\n');
}
