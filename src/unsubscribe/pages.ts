/**
 * @module The hosted unsubscribe and preference pages. GET only shows a form; nothing changes until
 * the person presses the button (mail scanners prefetch links: docs/standards.md §9).
 */
import { escapeHtml, page } from './html.js';
import type { TopicChoice, UnsubscribeTarget } from './unsubscribe.js';

/** `s***a@example.org`: enough for the person to recognise their address, not more. */
export function maskEmail(email: string | null): string {
  if (!email) return 'your address';
  const at = email.lastIndexOf('@');
  const local = email.slice(0, at);
  return `${local.slice(0, 1)}***${local.length > 1 ? local.slice(-1) : ''}${email.slice(at)}`;
}

export function unsubscribePage(target: UnsubscribeTarget, token: string, preferencesUrl: string): string {
  const topic = target.message.topic;
  const choices = topic
    ? `<fieldset><legend>Unsubscribe from</legend>
<label><input type="radio" name="scope" value="topic" checked> only “${escapeHtml(topic)}” emails</label><br>
<label><input type="radio" name="scope" value="all"> all marketing email from ${escapeHtml(target.workspaceName)}</label></fieldset>`
    : '<input type="hidden" name="scope" value="all">';
  return page(
    'Unsubscribe',
    `<h1>Unsubscribe</h1>
<p>${escapeHtml(maskEmail(target.email))} will stop receiving ${topic ? 'these' : 'marketing'} emails from ${escapeHtml(target.workspaceName)}.</p>
<form method="post" action="/u/${escapeHtml(token)}">
${choices}
<p><label for="reason">Why are you leaving? (optional)</label><br><textarea id="reason" name="reason" rows="3" cols="50" maxlength="2000"></textarea></p>
<p><button type="submit">Unsubscribe</button></p>
</form>
<p><a href="${escapeHtml(preferencesUrl)}">Choose which emails you get instead</a></p>`,
  );
}

export function unsubscribedPage(target: UnsubscribeTarget, topic: string, preferencesUrl: string): string {
  const what = topic ? `“${escapeHtml(topic)}” emails` : `marketing email from ${escapeHtml(target.workspaceName)}`;
  return page(
    'Unsubscribed',
    `<h1>You are unsubscribed</h1><p>${escapeHtml(maskEmail(target.email))} will no longer receive ${what}.</p><p><a href="${escapeHtml(preferencesUrl)}">Manage your preferences</a></p>`,
  );
}

export function preferencesPage(target: UnsubscribeTarget, token: string, state: { all: boolean; topics: TopicChoice[] }, saved = false): string {
  const topics = state.topics
    .map(
      (t) =>
        `<label><input type="checkbox" name="topic" value="${escapeHtml(t.id)}"${t.subscribed ? ' checked' : ''}> ${escapeHtml(t.name)}</label>${t.description ? ` <small>${escapeHtml(t.description)}</small>` : ''}<br>`,
    )
    .join('\n');
  return page(
    'Email preferences',
    `<h1>Email preferences</h1>${saved ? '<p role="status"><strong>Saved.</strong></p>' : ''}
<p>Emails from ${escapeHtml(target.workspaceName)} to ${escapeHtml(maskEmail(target.email))}.</p>
<form method="post" action="/p/${escapeHtml(token)}">
<input type="hidden" name="submitted" value="1">
<fieldset><legend>Topics</legend>
${topics || '<p>This sender has no separate topics.</p>'}
</fieldset>
<p><label><input type="checkbox" name="all" value="1"${state.all ? ' checked' : ''}> Receive marketing email (uncheck to unsubscribe from everything)</label></p>
<p><button type="submit">Save</button></p>
</form>`,
  );
}
