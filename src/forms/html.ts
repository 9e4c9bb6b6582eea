/**
 * @module The public form pages: the signup form, its thank-you and error pages, and the double
 * opt-in confirmation page (a GET shows a button; only the POST confirms, because mail scanners
 * prefetch links: the same rule as unsubscribe links, docs/standards.md §9).
 *
 * Accessible and RTL-safe: every input has a <label for>, required fields say so with `required`
 * and `aria-required`, errors are listed in an `role="alert"` summary and tied to their inputs with
 * `aria-describedby` / `aria-invalid`; user-entered text and inputs carry `dir="auto"` so Arabic or
 * Persian values render right to left inside a left-to-right page and vice versa; the page's own
 * `dir` follows the form's language, and so do Qatra's own words on it (English, Arabic, Persian:
 * src/unsubscribe/strings.ts; English for a language it has no words in). No scripts; works without CSS.
 */
import { escapeHtml, page } from '../unsubscribe/html.js';
import { isRtlLocale } from '../templates/locale.js';
import { PAGE_STRINGS, pageLangOf, say, type PageKey, type PageLang } from '../unsubscribe/strings.js';
import type { FieldIssue } from '../core/errors.js';
import type { Form } from './forms.js';
import { HONEYPOT_FIELD } from './signup.js';

const e = escapeHtml;

function pageOptions(form: Form | undefined): { dir: 'ltr' | 'rtl'; lang: string } {
  const lang = form?.lang ?? 'en';
  return { dir: isRtlLocale(lang) ? 'rtl' : 'ltr', lang };
}

/** The language of Qatra's own words on the form's pages. */
function wordsOf(form: Form | undefined): PageLang {
  return pageLangOf(form?.lang) ?? 'en';
}

/** A built-in validation message (./signup.ts) in the form's language; the form's own texts stay as written. */
function issueText(lang: PageLang, message: string): string {
  const key = (['issue.emailMissing', 'issue.emailInvalid', 'issue.consent'] as PageKey[]).find((k) => PAGE_STRINGS.en[k] === message);
  return key ? PAGE_STRINGS[lang][key] : message;
}

function input(id: string, name: string, label: string, opts: { type: string; required: boolean; value: string; error?: string | undefined; autocomplete?: string }): string {
  const errId = `${id}-error`;
  const aria = `${opts.required ? ' required aria-required="true"' : ''}${opts.error ? ` aria-invalid="true" aria-describedby="${errId}"` : ''}`;
  const control =
    opts.type === 'textarea'
      ? `<textarea id="${id}" name="${e(name)}" dir="auto" rows="4"${aria}>${e(opts.value)}</textarea>`
      : `<input id="${id}" name="${e(name)}" type="${opts.type}" dir="auto" value="${e(opts.value)}"${opts.autocomplete ? ` autocomplete="${opts.autocomplete}"` : ''}${aria}>`;
  const error = opts.error ? `<p id="${errId}" class="error" dir="auto">${e(opts.error)}</p>` : '';
  return `<p><label for="${id}" dir="auto">${e(label)}${opts.required ? ' <span aria-hidden="true">*</span>' : ''}</label><br>${control}</p>${error}`;
}

export function formPage(form: Form, action: string, values: Record<string, string> = {}, issues: FieldIssue[] = []): string {
  const lang = wordsOf(form);
  const found = (path: string) => issues.find((i) => i.path === path)?.message;
  const errorOf = (path: string) => {
    const m = found(path);
    return m === undefined ? undefined : issueText(lang, m);
  };
  const summary = issues.length
    ? `<div role="alert"><p><strong>${say(lang, 'pleaseCorrect')}</strong></p><ul>${issues.map((i) => `<li dir="auto">${e(issueText(lang, i.message))}</li>`).join('')}</ul></div>`
    : '';
  const fields = [
    input('f-email', 'email', PAGE_STRINGS[lang].emailAddress, { type: 'email', required: true, value: values.email ?? '', error: errorOf('email'), autocomplete: 'email' }),
    ...form.fields.map((f) => input(`f-${f.name}`, f.name, f.label, { type: f.type, required: f.required, value: values[f.name] ?? '', error: errorOf(f.name) })),
  ].join('\n');
  // The honeypot: hidden from people (off-screen, out of the tab order, hidden from screen readers),
  // filled in by bots that complete every field.
  const honeypot = `<div style="position:absolute;left:-10000px" aria-hidden="true"><label for="f-${HONEYPOT_FIELD}">${say(lang, 'leaveEmpty')}</label><input id="f-${HONEYPOT_FIELD}" name="${HONEYPOT_FIELD}" type="text" tabindex="-1" autocomplete="off" value=""></div>`;
  const consent = form.consentText
    ? `<p><input id="f-consent" name="consent" type="checkbox" value="yes" required aria-required="true"${errorOf('consent') ? ' aria-invalid="true" aria-describedby="f-consent-error"' : ''}${values.consent ? ' checked' : ''}> <label for="f-consent" dir="auto">${e(form.consentText)}</label></p>${errorOf('consent') ? `<p id="f-consent-error" class="error" dir="auto">${e(errorOf('consent')!)}</p>` : ''}`
    : '';
  const body = `<main>
<h1 dir="auto">${e(form.title)}</h1>
${summary}
<form method="post" action="${e(action)}" accept-charset="utf-8">
${fields}
${honeypot}
${consent}
<p><button type="submit">${say(lang, 'subscribe')}</button></p>
</form>
</main>`;
  return page(form.title, body, pageOptions(form));
}

export function thankYouPage(form: Form, status: 'subscribed' | 'pending'): string {
  const words = PAGE_STRINGS[wordsOf(form)];
  const text = status === 'pending' ? words.almostDone : (form.thankYouText ?? words.thankYou);
  return page(form.title, `<main><h1 dir="auto">${e(form.title)}</h1><p dir="auto" role="status">${e(text)}</p></main>`, pageOptions(form));
}

export function messagePage(title: string, text: string, form?: Form): string {
  return page(title, `<main><h1 dir="auto">${e(title)}</h1><p dir="auto">${e(text)}</p></main>`, pageOptions(form));
}

export function confirmPage(form: Form, listName: string, action: string): string {
  const body = `<main><h1 dir="auto">${e(form.title)}</h1><p dir="auto">${say(wordsOf(form), 'confirmWant', { list: `<strong dir="auto">${e(listName)}</strong>` })}</p>
<form method="post" action="${e(action)}"><p><button type="submit">${say(wordsOf(form), 'confirmButton')}</button></p></form></main>`;
  return page(form.title, body, pageOptions(form));
}
