/**
 * @module The hosted unsubscribe and preference pages. GET only shows a form; nothing changes until
 * the person presses the button (mail scanners prefetch links: docs/standards.md §9). They speak the
 * contact's language (English, Arabic, Persian: ./strings.ts), right to left where it applies.
 */
import { escapeHtml, page } from './html.js';
import { choosePageLang, PAGE_STRINGS, pageDir, say, type PageKey, type PageLang } from './strings.js';
import type { TopicChoice, UnsubscribeTarget } from './unsubscribe.js';

/** `s***a@example.org`: enough for the person to recognise their address, not more. */
export function maskEmail(email: string | null, lang: PageLang = 'en'): string {
  if (!email) return PAGE_STRINGS[lang].yourAddress;
  const at = email.lastIndexOf('@');
  const local = email.slice(0, at);
  return `${local.slice(0, 1)}***${local.length > 1 ? local.slice(-1) : ''}${email.slice(at)}`;
}

/** The page's language: the contact's locale, else the browser's (./strings.ts). */
function langOf(target: UnsubscribeTarget, acceptLanguage?: string): PageLang {
  return choosePageLang(target.locale, acceptLanguage);
}

function shell(lang: PageLang, title: PageKey, body: string): string {
  return page(PAGE_STRINGS[lang][title], body, { lang, dir: pageDir(lang) });
}

/** An address or name inside right-to-left text keeps its own direction. */
const iso = (text: string) => `<bdi>${escapeHtml(text)}</bdi>`;

export function unsubscribePage(target: UnsubscribeTarget, token: string, preferencesUrl: string, acceptLanguage?: string): string {
  const lang = langOf(target, acceptLanguage);
  const topic = target.message.topic;
  const sender = iso(target.workspaceName);
  const address = iso(maskEmail(target.email, lang));
  const choices = topic
    ? `<fieldset><legend>${say(lang, 'unsubscribeFrom')}</legend>
<label><input type="radio" name="scope" value="topic" checked> ${say(lang, 'onlyTopic', { topic: iso(topic) })}</label><br>
<label><input type="radio" name="scope" value="all"> ${say(lang, 'allFrom', { sender })}</label></fieldset>`
    : '<input type="hidden" name="scope" value="all">';
  return shell(
    lang,
    'unsubscribe',
    `<h1>${say(lang, 'unsubscribe')}</h1>
<p>${say(lang, topic ? 'willStopTopic' : 'willStopAll', { address, sender })}</p>
<form method="post" action="/u/${escapeHtml(token)}">
${choices}
<p><label for="reason">${say(lang, 'whyLeaving')}</label><br><textarea id="reason" name="reason" rows="3" cols="50" maxlength="2000" dir="auto"></textarea></p>
<p><button type="submit">${say(lang, 'unsubscribe')}</button></p>
</form>
<p><a href="${escapeHtml(preferencesUrl)}">${say(lang, 'chooseInstead')}</a></p>`,
  );
}

export function unsubscribedPage(target: UnsubscribeTarget, topic: string, preferencesUrl: string, acceptLanguage?: string): string {
  const lang = langOf(target, acceptLanguage);
  const address = iso(maskEmail(target.email, lang));
  const what = topic ? say(lang, 'noLongerTopic', { address, topic: iso(topic) }) : say(lang, 'noLongerAll', { address, sender: iso(target.workspaceName) });
  return shell(lang, 'unsubscribed', `<h1>${say(lang, 'youAreUnsubscribed')}</h1><p>${what}</p><p><a href="${escapeHtml(preferencesUrl)}">${say(lang, 'manage')}</a></p>`);
}

export function preferencesPage(target: UnsubscribeTarget, token: string, state: { all: boolean; topics: TopicChoice[] }, saved = false, acceptLanguage?: string): string {
  const lang = langOf(target, acceptLanguage);
  const topics = state.topics
    .map(
      (t) =>
        `<label><input type="checkbox" name="topic" value="${escapeHtml(t.id)}"${t.subscribed ? ' checked' : ''}> <bdi>${escapeHtml(t.name)}</bdi></label>${t.description ? ` <small dir="auto">${escapeHtml(t.description)}</small>` : ''}<br>`,
    )
    .join('\n');
  return shell(
    lang,
    'preferences',
    `<h1>${say(lang, 'preferences')}</h1>${saved ? `<p role="status"><strong>${say(lang, 'saved')}</strong></p>` : ''}
<p>${say(lang, 'emailsFromTo', { sender: iso(target.workspaceName), address: iso(maskEmail(target.email, lang)) })}</p>
<form method="post" action="/p/${escapeHtml(token)}">
<input type="hidden" name="submitted" value="1">
<fieldset><legend>${say(lang, 'topics')}</legend>
${topics || `<p>${say(lang, 'noTopics')}</p>`}
</fieldset>
<p><label><input type="checkbox" name="all" value="1"${state.all ? ' checked' : ''}> ${say(lang, 'receiveMarketing')}</label></p>
<p><button type="submit">${say(lang, 'save')}</button></p>
</form>`,
  );
}
