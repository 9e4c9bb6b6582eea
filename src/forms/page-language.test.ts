import { describe, expect, it } from 'vitest';
import type { Form } from './forms.js';
import { confirmPage, formPage, thankYouPage } from './html.js';

const form = (lang: string | null) => ({ id: 'frm_1', title: 'النشرة', fields: [], consentText: 'أوافق', thankYouText: null, lang }) as unknown as Form;

describe("a signup form's pages", () => {
  it("speak the form's language: Arabic words, lang=ar dir=rtl, built-in errors translated", () => {
    const page = formPage(form('ar'), '/f/frm_1', { email: 'x' }, [{ path: 'email', message: 'Please enter a valid email address.' }]);
    expect(page).toContain('<html lang="ar" dir="rtl">');
    expect(page).toContain('<button type="submit">اشترك</button>');
    expect(page).toContain('البريد الإلكتروني');
    expect(page).toContain('يرجى تصحيح ما يلي:');
    expect(page).toContain('يرجى إدخال بريد إلكتروني صالح.');
    expect(page).not.toMatch(/Subscribe|Email address|Please/);
    expect(thankYouPage(form('ar'), 'subscribed')).toContain('شكرًا لك، تم اشتراكك.');
    expect(confirmPage(form('fa-IR'), '<i>News</i>', '/f/confirm/t')).toContain('<html lang="fa-IR" dir="rtl">');
    expect(confirmPage(form('fa-IR'), '<i>News</i>', '/f/confirm/t')).toContain('تأیید عضویت');
    expect(confirmPage(form('fa-IR'), '<i>News</i>', '/f/confirm/t')).toContain('&lt;i&gt;News&lt;/i&gt;');
  });

  it('stay English for a language Qatra has no words in', () => {
    const page = formPage(form('de'), '/f/frm_1');
    expect(page).toContain('<html lang="de" dir="ltr">');
    expect(page).toContain('<button type="submit">Subscribe</button>');
  });
});
