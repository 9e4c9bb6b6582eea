/**
 * @module An OutgoingEmail and base email settings for the ESP providers' own tests (error mapping,
 * request shape) that call a provider directly, without a database.
 */
import type { OutgoingEmail } from '../../provider.js';
import type { EmailSettings } from '../../settings.js';
import type { EspSettings } from './settings.js';

export function sampleEmail(to: string, recordId = 'msg_01hzzzzzzzzzzzzzzzzzzzzzzz'): OutgoingEmail {
  return {
    workspaceId: 'ws_test',
    recordId,
    from: { address: 'hello@news.example.com', name: 'Acme "News"' },
    to: { address: to },
    subject: 'Welcome',
    html: '<p>Hello</p>',
    text: 'Hello',
    messageId: '<abc.0123456789abcdef0123@news.example.com>',
    date: new Date(Date.UTC(2026, 0, 5, 12)),
    headers: { 'List-Unsubscribe': '<https://q.example.com/u/t>, <mailto:unsubscribe+t@news.example.com>', 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' },
  };
}

export function espEmailSettings(esp: EspSettings): EmailSettings {
  return { provider: esp.kind, from: { address: 'hello@news.example.com' }, tracking: { opens: true, clicks: true, transactional: false }, esp };
}
