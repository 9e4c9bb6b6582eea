/**
 * @module The outbox's plain HTML pages. Everything from a message is escaped; the message's own HTML
 * is shown in a sandboxed iframe (srcdoc, no scripts), so it cannot act on the page around it, and
 * without its open pixel and click-tracking links (../../../../tracking/viewer.ts), so looking at it
 * is not an open. The raw message below is shown as text, as it was sent.
 */
import type { Selectable } from 'kysely';
import type { OutboxTable } from '../../tables.js';
import { escapeHtml, page } from '../../../../unsubscribe/html.js';
import { withoutTracking } from '../../../../tracking/viewer.js';

export function renderOutboxList(entries: Array<{ id: number; from: string; to: string; subject: string; createdAt: number }>): string {
  const rows = entries
    .map(
      (e) =>
        `<tr><td>${new Date(e.createdAt).toISOString()}</td><td>${escapeHtml(e.to)}</td><td><a href="/outbox/${e.id}">${escapeHtml(e.subject) || '(no subject)'}</a></td><td>${escapeHtml(e.from)}</td></tr>`,
    )
    .join('');
  const body = entries.length
    ? `<table><thead><tr><th>Sent</th><th>To</th><th>Subject</th><th>From</th></tr></thead><tbody>${rows}</tbody></table>`
    : '<p>Nothing has been sent yet. Messages appear here while no SMTP server is configured.</p>';
  return page('Outbox', `<h1>Outbox</h1><p>Mail is stored here, not delivered: no SMTP server is configured (PUT /api/email/provider or QATRA_SMTP_URL).</p>${body}`);
}

export function renderOutboxMessage(row: Selectable<OutboxTable>): string {
  const meta = `<dl><dt>From</dt><dd>${escapeHtml(row.from_address)}</dd><dt>To</dt><dd>${escapeHtml(row.to_address)}</dd><dt>Subject</dt><dd>${escapeHtml(row.subject)}</dd><dt>Stored</dt><dd>${new Date(row.created_at).toISOString()}</dd></dl>`;
  const html = row.html_body ? `<iframe sandbox="" title="message" style="width:100%;height:70vh;border:1px solid #ccc" srcdoc="${escapeHtml(withoutTracking(row.html_body))}"></iframe>` : '';
  const text = row.text_body ? `<h2>Text</h2><pre>${escapeHtml(row.text_body)}</pre>` : '';
  const raw = `<details><summary>Raw message</summary><pre>${escapeHtml(row.raw)}</pre></details>`;
  return page(row.subject || 'Message', `<p><a href="/outbox">← Outbox</a></p><h1>${escapeHtml(row.subject)}</h1>${meta}${html}${text}${raw}`);
}
