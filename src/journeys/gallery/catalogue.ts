/**
 * @module The journey gallery: ready-made journeys a marketer starts from (welcome series,
 * abandoned cart, win-back, birthday). Each item is a journey document and the email templates it
 * sends, in English and Arabic; using one (./use.ts) creates the templates and the journey as a
 * draft, which the marketer then edits and publishes. `gallery.test.ts` proves every item passes
 * the publish validator and every template the save validator.
 */
import { galleryMjml, type EmailCopy } from './email.js';

export interface GalleryTemplate {
  /** Suffix of the template id: the created template is `<journey id>-<key>`. */
  key: string;
  name: string;
  subject: string;
  preheader: string;
  en: EmailCopy;
  ar: EmailCopy & { subject: string; preheader: string };
}

export interface GalleryItem {
  id: 'welcome-series' | 'abandoned-cart' | 'win-back' | 'birthday';
  name: string;
  description: string;
  /** The journey document with `{{template:key}}` in each message's `template`, replaced by the created id. */
  journey: Record<string, unknown>;
  templates: GalleryTemplate[];
}

const name = '{{ contact.first_name | default: "there" }}';
const arName = '{{ contact.first_name | default: "صديقنا" }}';
const en = (heading: string, paragraphs: string[], button?: EmailCopy['button']): EmailCopy => ({ heading, paragraphs, ...(button ? { button } : {}), unsubscribe: 'Unsubscribe' });
const ar = (subject: string, preheader: string, heading: string, paragraphs: string[], button?: EmailCopy['button']) => ({
  subject,
  preheader,
  heading,
  paragraphs,
  ...(button ? { button } : {}),
  unsubscribe: 'إلغاء الاشتراك',
});
const shop = 'https://example.com';

/** A step of a gallery journey, in the order it runs. */
type Step =
  | { send: string; name: string }
  | { delay: string; id: string; name: string }
  /** Waits for `event` up to `timeout`: the event leads to the exit `onEvent`, the timeout to the next step. */
  | { waitFor: string; timeout: string; id: string; name: string; onEvent: string };

/**
 * The start, nodes and edges of a journey that runs `steps` one after another and ends at the
 * exit `end`; `exits` names every exit (`end` and each wait's `onEvent`). A `send` step is an email
 * whose id is its template key.
 */
function chain(steps: Step[], end: string, exits: Record<string, string>) {
  const node = (s: Step) =>
    'send' in s
      ? { id: s.send, name: s.name, type: 'message', channel: 'email', template: `{{template:${s.send}}}` }
      : 'delay' in s
        ? { id: s.id, name: s.name, type: 'delay', duration: s.delay }
        : { id: s.id, name: s.name, type: 'wait_for_event', event: s.waitFor, timeout: s.timeout };
  const idOf = (s: Step) => ('send' in s ? s.send : s.id);
  const edges = steps.flatMap((s, i) => {
    const to = i + 1 < steps.length ? idOf(steps[i + 1]!) : end;
    return 'waitFor' in s
      ? [
          { from: s.id, output: 'event', to: s.onEvent },
          { from: s.id, output: 'timeout', to },
        ]
      : [{ from: idOf(s), to }];
  });
  const exitNodes = Object.entries(exits).map(([id, exitName]) => ({ id, name: exitName, type: 'exit' }));
  return { start: idOf(steps[0]!), nodes: [...steps.map(node), ...exitNodes], edges };
}

export const GALLERY: readonly GalleryItem[] = [
  {
    id: 'welcome-series',
    name: 'Welcome series',
    description: 'Three emails over the first week to everyone who signs up; leaves when they buy.',
    journey: {
      trigger: { type: 'event', event: 'signed_up' },
      entry: { reentry: { mode: 'never' } },
      ...chain(
        [
          { send: 'welcome', name: 'Send: Welcome' },
          { delay: '2d', id: 'wait-2d', name: 'Wait 2 days' },
          { send: 'tips', name: 'Send: Getting started tips' },
          { delay: '3d', id: 'wait-3d', name: 'Wait 3 days' },
          { send: 'offer', name: 'Send: First order offer' },
        ],
        'done',
        { done: 'Done' },
      ),
      goal: { event: 'order_completed', valueProperty: 'total' },
      exitWhen: [{ event: 'unsubscribed' }],
      settings: { quietHours: { start: '21:00', end: '08:00', outcome: 'defer' }, maxDuration: '30d' },
    },
    templates: [
      {
        key: 'welcome',
        name: 'Welcome',
        subject: `Welcome, ${name}!`,
        preheader: 'Here is how to get started',
        en: en(`Welcome, ${name}!`, ['Thanks for signing up. We are glad you are here.'], { label: 'Get started', href: shop }),
        ar: ar(`أهلاً بك يا ${arName}!`, 'إليك كيف تبدأ', `أهلاً بك يا ${arName}!`, ['شكراً لتسجيلك. يسعدنا وجودك معنا.'], { label: 'ابدأ الآن', href: shop }),
      },
      {
        key: 'tips',
        name: 'Getting started tips',
        subject: 'Three tips to get the most out of it',
        preheader: 'Five minutes well spent',
        en: en('Three quick tips', ['1. Complete your profile.', '2. Pick your favourites.', '3. Turn on the alerts you want.'], { label: 'Open my account', href: shop }),
        ar: ar('ثلاث نصائح لتستفيد أكثر', 'خمس دقائق تستحق', 'ثلاث نصائح سريعة', ['١. أكمل ملفك الشخصي.', '٢. اختر المفضلة لديك.', '٣. فعّل التنبيهات التي تريدها.'], {
          label: 'افتح حسابي',
          href: shop,
        }),
      },
      {
        key: 'offer',
        name: 'First order offer',
        subject: '10% off your first order',
        preheader: 'Use code WELCOME10 this week',
        en: en('A welcome gift', ['Use the code WELCOME10 for 10% off your first order this week.'], { label: 'Shop now', href: shop }),
        ar: ar('خصم ١٠٪ على طلبك الأول', 'استخدم الرمز WELCOME10 هذا الأسبوع', 'هدية ترحيب', ['استخدم الرمز WELCOME10 لتحصل على خصم ١٠٪ على طلبك الأول هذا الأسبوع.'], {
          label: 'تسوّق الآن',
          href: shop,
        }),
      },
    ],
  },
  {
    id: 'abandoned-cart',
    name: 'Abandoned cart',
    description: 'When a checkout starts and no order follows within 4 hours, a reminder, then a last nudge a day later.',
    journey: {
      trigger: { type: 'event', event: 'checkout_started' },
      entry: { reentry: { mode: 'after_interval', interval: '7d', from: 'entry' } },
      ...chain(
        [
          { waitFor: 'order_completed', timeout: '4h', id: 'wait-order', name: 'Wait for the order (4 hours)', onEvent: 'bought' },
          { send: 'reminder', name: 'Send: Cart reminder' },
          { waitFor: 'order_completed', timeout: '1d', id: 'wait-1d', name: 'Wait for the order (1 day)', onEvent: 'bought' },
          { send: 'last-nudge', name: 'Send: Last nudge' },
        ],
        'gave-up',
        { bought: 'Bought', 'gave-up': 'Gave up' },
      ),
      goal: { event: 'order_completed', valueProperty: 'total' },
      settings: { maxDuration: '7d' },
    },
    templates: [
      {
        key: 'reminder',
        name: 'Cart reminder',
        subject: 'You left something in your cart',
        preheader: 'We kept it for you',
        en: en(`Still thinking, ${name}?`, ['Your cart is waiting for you. Complete your order whenever you are ready.'], { label: 'Back to my cart', href: `${shop}/cart` }),
        ar: ar('تركت شيئاً في سلتك', 'احتفظنا به من أجلك', `ما زلت تفكر يا ${arName}؟`, ['سلتك بانتظارك. أكمل طلبك متى شئت.'], { label: 'العودة إلى السلة', href: `${shop}/cart` }),
      },
      {
        key: 'last-nudge',
        name: 'Last nudge',
        subject: 'Your cart expires soon',
        preheader: 'Last chance to complete your order',
        en: en('Last chance', ['We can only keep your cart a little longer.'], { label: 'Complete my order', href: `${shop}/cart` }),
        ar: ar('سلتك ستنتهي قريباً', 'الفرصة الأخيرة لإكمال طلبك', 'الفرصة الأخيرة', ['لا يمكننا الاحتفاظ بسلتك لوقت أطول.'], { label: 'أكمل طلبي', href: `${shop}/cart` }),
      },
    ],
  },
  {
    id: 'win-back',
    name: 'Win-back',
    description: 'Sixty days after an order with no new one: a "we miss you" offer, then a last reminder two weeks later.',
    journey: {
      trigger: { type: 'event', event: 'order_completed' },
      entry: { reentry: { mode: 'after_exit' } },
      ...chain(
        [
          { waitFor: 'order_completed', timeout: '60d', id: 'wait-60d', name: 'Wait for another order (60 days)', onEvent: 'came-back' },
          { send: 'miss-you', name: 'Send: We miss you' },
          { waitFor: 'order_completed', timeout: '14d', id: 'wait-14d', name: 'Wait for an order (14 days)', onEvent: 'came-back' },
          { send: 'last-chance', name: 'Send: Last chance' },
        ],
        'done',
        { 'came-back': 'Came back', done: 'Done' },
      ),
      goal: { event: 'order_completed', valueProperty: 'total' },
      settings: { maxDuration: '90d' },
    },
    templates: [
      {
        key: 'miss-you',
        name: 'We miss you',
        subject: `We miss you, ${name}`,
        preheader: '15% off to welcome you back',
        en: en('It has been a while', ['Here is 15% off your next order with the code COMEBACK15.'], { label: 'See what is new', href: shop }),
        ar: ar(`اشتقنا إليك يا ${arName}`, 'خصم ١٥٪ بمناسبة عودتك', 'مرّ وقت طويل', ['إليك خصم ١٥٪ على طلبك القادم بالرمز COMEBACK15.'], { label: 'اكتشف الجديد', href: shop }),
      },
      {
        key: 'last-chance',
        name: 'Win-back last chance',
        subject: 'Your 15% off ends this week',
        preheader: 'Code COMEBACK15',
        en: en('Your offer ends soon', ['The code COMEBACK15 works until the end of the week.'], { label: 'Use my offer', href: shop }),
        ar: ar('ينتهي خصمك هذا الأسبوع', 'الرمز COMEBACK15', 'عرضك ينتهي قريباً', ['الرمز COMEBACK15 صالح حتى نهاية الأسبوع.'], { label: 'استخدم عرضي', href: shop }),
      },
    ],
  },
  {
    id: 'birthday',
    name: 'Birthday',
    description: "Every year on the contact's birthday (the `birthday` attribute) at 09:00 their time, a greeting with a gift.",
    journey: {
      trigger: { type: 'date_attribute', attribute: 'birthday', mode: 'yearly', offsetDays: 0, time: '09:00' },
      entry: { reentry: { mode: 'after_exit' } },
      ...chain([{ send: 'greeting', name: 'Send: Happy birthday' }], 'done', { done: 'Done' }),
    },
    templates: [
      {
        key: 'greeting',
        name: 'Happy birthday',
        subject: `Happy birthday, ${name}!`,
        preheader: 'A small gift from us',
        en: en(`Happy birthday, ${name}!`, ['To celebrate, here is 20% off anything this week with the code BIRTHDAY20.'], { label: 'Treat myself', href: shop }),
        ar: ar(`عيد ميلاد سعيد يا ${arName}!`, 'هدية صغيرة منا', `عيد ميلاد سعيد يا ${arName}!`, ['احتفالاً بك، إليك خصم ٢٠٪ على أي منتج هذا الأسبوع بالرمز BIRTHDAY20.'], {
          label: 'دلّل نفسك',
          href: shop,
        }),
      },
    ],
  },
];
