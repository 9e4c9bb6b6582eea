/**
 * @module A workspace with something in every list, and the list of every signed-in screen: what
 * the accessibility test audits (`a11y.e2e.test.ts`) and the screenshot script photographs
 * (`screenshots.ts`), so both walk the same screens.
 */
import type { ApiClient } from './kit.js';

export interface Showcase {
  contactId: string;
  segmentId: string;
}

/** Seeds a template, a live journey with a contact in it, a segment, a list and a broadcast draft. */
export async function seedShowcase({ api, ingest }: ApiClient): Promise<Showcase> {
  await api('PATCH', '/api/workspace', { postalAddress: '1 Main St, Springfield' });
  await api('POST', '/api/templates', {
    id: 'welcome',
    name: 'Welcome email',
    kind: 'marketing',
    content: { subject: 'Welcome {{ first_name }}', body: '<p>Hi</p><p>{{ workspace.postal_address }} <a href="{{ unsubscribe_url }}">Unsubscribe</a></p>' },
  });
  await api('POST', '/api/journeys', {
    id: 'welcome',
    name: 'Welcome series',
    status: 'live',
    trigger: { type: 'event', event: 'signed_up' },
    start: 'send',
    nodes: [
      { id: 'send', type: 'message', channel: 'email', template: 'welcome' },
      { id: 'wait', type: 'delay', duration: '2d' },
      { id: 'done', type: 'exit' },
    ],
    edges: [
      { from: 'send', to: 'wait' },
      { from: 'wait', to: 'done' },
    ],
  });
  await ingest('identify', { userId: 'u1', traits: { email: 'ahmad@example.com', first_name: 'أحمد', plan: 'pro' } });
  await ingest('track', { userId: 'u1', event: 'signed_up' });
  const contacts = await api('GET', '/api/contacts?userId=u1');
  const segment = await api('POST', '/api/segments', { id: 'pro-plan', name: 'Pro plan', conditions: { type: 'attribute', attribute: 'plan', op: 'equals', value: 'pro' } });
  const list = await api('POST', '/api/lists', { name: 'Everyone' });
  await api('POST', '/api/broadcasts', { name: 'December news', channel: 'email', template: 'welcome', audience: { type: 'list', id: list.id } });
  return { contactId: contacts.data[0].id, segmentId: segment.id };
}

/** Every signed-in screen: [name, path under /app]. */
export function screensOf(s: Showcase): [string, string][] {
  return [
    ['journeys', '/journeys'],
    ['journey gallery', '/gallery'],
    ['journey canvas', '/journeys/welcome'],
    ['new journey', '/journeys/new'],
    ['simulator', '/journeys/welcome/simulate'],
    ['templates', '/templates'],
    ['template editor', '/templates/welcome'],
    ['segments', '/segments'],
    ['segment editor', `/segments/${s.segmentId}`],
    ['contacts', '/contacts'],
    ['contact profile', `/contacts/${s.contactId}`],
    ['contacts import', '/contacts/import'],
    ['broadcasts', '/broadcasts'],
    ['posts', '/posts'],
    ['analytics', '/analytics'],
    ['journey analytics', '/analytics/welcome'],
    ['insights', '/insights'],
    ['direct mail', '/mail'],
    ['outbox', '/outbox'],
    ['settings', '/settings'],
  ];
}
