/**
 * Interface strings of the "Track your website" panel (English, Arabic, Persian), merged into
 * ../../messages.ts. Kept apart so this panel touches the shared dictionary in four lines.
 */
export const websiteEn = {
  'website.title': 'Track your website',
  'website.intro': 'Paste this tag into every page of your site, before </head>. It records page views (with UTM campaigns), forms marked data-qatra-identify, and calls to qatra.track().',
  'website.keyHint': 'Put a write key in place of YOUR_WRITE_KEY (create one under API keys: it is shown once). Never an admin key: it would not work from a browser.',
  'website.keyFilled': 'The tag carries the write key you just created.',
  'website.copy': 'Copy',
  'website.copied': 'Copied',
  'website.consent': 'Wait for consent: send nothing and set no cookie until the page calls qatra.consent(true)',
  'website.clickIdDomains': 'Your sites (one host per line, *.example.com for subdomains): links to them in tracked emails and SMS carry a click id, so a visit joins the contact who clicked',
} as const;

export const websiteAr: Partial<Record<keyof typeof websiteEn, string>> = {
  'website.title': 'تتبّع موقعك',
  'website.intro': 'الصق هذا الوسم في كل صفحة من موقعك قبل </head>. يسجّل مشاهدات الصفحات (مع حملات UTM) والنماذج الموسومة بـ data-qatra-identify واستدعاءات qatra.track().',
  'website.keyHint': 'ضع مفتاح كتابة مكان YOUR_WRITE_KEY (أنشئه في مفاتيح API: يُعرض مرة واحدة). لا تضع مفتاح مدير أبداً: لا يعمل من المتصفح.',
  'website.keyFilled': 'يحمل الوسم مفتاح الكتابة الذي أنشأته للتو.',
  'website.copy': 'نسخ',
  'website.copied': 'تم النسخ',
  'website.consent': 'انتظار الموافقة: لا يُرسل شيء ولا يُحفظ ملف تعريف ارتباط حتى تستدعي الصفحة qatra.consent(true)',
  'website.clickIdDomains': 'مواقعك (مضيف في كل سطر، و*.example.com للنطاقات الفرعية): الروابط إليها في الرسائل المتتبَّعة تحمل معرّف نقرة، فتنضم الزيارة إلى جهة الاتصال التي نقرت',
};

export const websiteFa: Partial<Record<keyof typeof websiteEn, string>> = {
  'website.title': 'ردیابی وب‌سایت شما',
  'website.intro': 'این برچسب را در همهٔ صفحه‌های سایت خود پیش از </head> بگذارید. بازدید صفحه‌ها (با کمپین‌های UTM)، فرم‌های دارای data-qatra-identify و فراخوانی‌های qatra.track() را ثبت می‌کند.',
  'website.keyHint': 'به جای YOUR_WRITE_KEY یک کلید نوشتن بگذارید (در کلیدهای API بسازید: فقط یک بار نشان داده می‌شود). هرگز کلید مدیر نگذارید: از مرورگر کار نمی‌کند.',
  'website.keyFilled': 'برچسب کلید نوشتنی را دارد که همین الان ساختید.',
  'website.copy': 'رونوشت',
  'website.copied': 'رونوشت شد',
  'website.consent': 'منتظر رضایت بمان: تا وقتی صفحه qatra.consent(true) را فرا نخوانده، چیزی فرستاده و کوکی‌ای گذاشته نشود',
  'website.clickIdDomains':
    'سایت‌های شما (در هر خط یک میزبان، *.example.com برای زیردامنه‌ها): پیوندها به آن‌ها در ایمیل و پیامک‌های ردیابی‌شده شناسهٔ کلیک دارند تا بازدید به مخاطبی که کلیک کرده بپیوندد',
};
