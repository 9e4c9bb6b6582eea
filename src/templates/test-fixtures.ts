/**
 * @module Templates the tests share: a personalised MJML marketing email with three links, the
 * footer partial it renders, and a layout.
 */
import type { TemplateInput } from './template.js';

export const footerPartial: TemplateInput = {
  id: 'footer',
  name: 'Footer',
  kind: 'partial',
  content: {
    body: '<p class="footer">{{ workspace.name }} · {{ workspace.postal_address }} · <a href="{{ unsubscribe_url }}">Unsubscribe</a></p>',
  },
};

export const welcomeMjml: TemplateInput = {
  id: 'welcome-1',
  name: 'Welcome',
  kind: 'marketing',
  content: {
    subject: 'Welcome, {{ contact.first_name | default: "there" }}!',
    preheader: 'Your {{ trigger.plan | default: "free" }} plan is ready',
    format: 'mjml',
    body: `<mjml>
  <mj-body>
    <mj-section>
      <mj-column>
        <mj-text>Hello {{ contact.first_name | default: "there" }},</mj-text>
        <mj-text>Thanks for choosing the {{ trigger.plan | default: "free" }} plan.</mj-text>
        <mj-button href="https://app.example.com/start?c={{ contact.id | url_encode }}">Get started</mj-button>
        <mj-text><a href="https://app.example.com/docs">Read the docs</a></mj-text>
        <mj-text>{{ workspace.name }}, {{ workspace.postal_address }} · <a href="{{ unsubscribe_url }}">Unsubscribe</a></mj-text>
      </mj-column>
    </mj-section>
  </mj-body>
</mjml>`,
    locales: {
      fa: {
        subject: 'خوش آمدید {{ contact.first_name | default: "دوست عزیز" }}',
        preheader: 'حساب شما آماده است',
        body: `<mjml>
  <mj-body>
    <mj-section>
      <mj-column>
        <mj-text>سلام {{ contact.first_name | default: "دوست عزیز" }}</mj-text>
        <mj-text>{{ workspace.postal_address }} · <a href="{{ unsubscribe_url }}">لغو اشتراک</a></mj-text>
      </mj-column>
    </mj-section>
  </mj-body>
</mjml>`,
      },
      ar: { subject: 'مرحبا {{ contact.first_name }}', preheader: 'حسابك جاهز' },
      'en-GB': { subject: 'Welcome aboard, {{ contact.first_name | default: "mate" }}!' },
    },
  },
};

export const workspaceInfo = { name: 'Acme', postalAddress: '1 Main St, Springfield' };
export const links = { unsubscribeUrl: 'https://q.example.com/u/TOKEN', preferencesUrl: 'https://q.example.com/p/TOKEN' };
