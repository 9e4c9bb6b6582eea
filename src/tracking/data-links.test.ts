/**
 * Open redirect through contact data: a contact attribute that looks like a URL must never become a
 * signed, tracked link (our /c/ redirect would send readers wherever the data says), in the HTML
 * part or the text part; the template's own links are still tracked.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../core/clock.js';
import { backends, freshDatabase, type TestDatabase } from '../../test/backends.js';
import { createWorkspace } from '../workspaces/workspaces.js';
import { TemplateCache } from '../templates/cache.js';
import { renderEmail } from '../templates/render.js';
import { saveTemplates } from '../templates/service.js';
import { composeEmail } from '../channels/email/compose.js';
import { links as placeholderLinks, workspaceInfo } from '../templates/test-fixtures.js';
import { parseEmailAddress, type EmailAddress } from '../core/email-address.js';
import { defaultSignals } from '../server/signal-sinks.js';

function parsed(address: string): EmailAddress {
  const r = parseEmailAddress(address);
  if (!r.ok) throw new Error(r.reason);
  return r.value;
}

const PUBLIC = 'https://q.example.com';
const EVIL = 'https://evil.example/x';

describe.each(backends())('links that came from contact data on %s', (kind) => {
  let t: TestDatabase;
  let ws: string;
  const clock = new ManualClock();
  const deps = () => ({ store: t.store, signals: defaultSignals(t.store), clock, templateCache: new TemplateCache() });

  beforeAll(async () => {
    t = await freshDatabase(kind);
    ws = (await createWorkspace({ store: t.store, signals: defaultSignals(t.store), clock }, { name: 'Acme' })).id;
    await saveTemplates(
      deps(),
      ws,
      [
        // html: the text part is made at save time from the HTML; text: the author wrote it.
        {
          id: 'html',
          name: 'H',
          kind: 'marketing',
          content: {
            subject: 'Hi',
            body: '<p>Hello {{ contact.first_name }}!</p><p><a href="https://shop.example/sale?c={{ contact.id }}">Sale</a> or https://shop.example/plain</p><p>{{ workspace.postal_address }} <a href="{{ unsubscribe_url }}">Unsubscribe</a></p>',
          },
        },
        {
          id: 'text',
          name: 'T',
          kind: 'marketing',
          content: {
            subject: 'Hi',
            body: '<p>Hello {{ contact.first_name }}! <a href="https://shop.example/sale">Sale</a></p><p>{{ workspace.postal_address }} <a href="{{ unsubscribe_url }}">Unsubscribe</a></p>',
            text: 'Hello {{ contact.first_name }}! Sale: https://shop.example/sale, more: https://shop.example/more. {{ workspace.postal_address }} {{ unsubscribe_url }}',
          },
        },
      ],
      'upsert',
    );
  });
  afterAll(async () => t?.drop());

  for (const templateId of ['html', 'text']) {
    it(`a first_name "${EVIL}" is not tracked in html or text; the template's links are (${templateId} text part)`, async () => {
      const rendered = await renderEmail(deps(), {
        workspaceId: ws,
        templateId,
        contact: { id: 'ct_1', email: 'a@example.com', attributes: { first_name: EVIL } },
        workspace: workspaceInfo,
        links: placeholderLinks,
      });
      expect(rendered.text).toContain(EVIL);
      const { email, links } = composeEmail({
        workspaceId: ws,
        workspaceName: 'Acme',
        recordId: 'msg_1',
        idempotencyKey: 'k1',
        kind: 'marketing',
        to: parsed('a@example.com'),
        rendered,
        settings: { provider: 'outbox', from: { address: 'news@acme.example' }, tracking: { opens: true, clicks: true, transactional: false } },
        secret: 'secret',
        publicUrl: PUBLIC,
        now: clock.now(),
      });
      expect(links.some((l) => l.includes('evil.example'))).toBe(false);
      expect(links.some((l) => l.startsWith('https://shop.example/sale'))).toBe(true);
      // The data URL is still there, as plain text, never replaced by one of our /c/ links.
      expect(email.text).toContain(EVIL);
      expect(email.html).not.toMatch(/href="https:\/\/evil/);
      expect(email.text).toMatch(new RegExp(`${PUBLIC}/c/`));
      expect(email.html).toMatch(new RegExp(`href="${PUBLIC}/c/`));
      if (templateId === 'text') expect(links).toContain('https://shop.example/more');
    });
  }
});
