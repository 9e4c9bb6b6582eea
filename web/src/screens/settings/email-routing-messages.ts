/**
 * Interface strings of the "Email providers and routing" panel (English, Arabic, Persian), merged
 * into ../../messages.ts.
 */
export const emailRoutingEn = {
  'routing.title': 'Email providers and routing',
  'routing.none': 'One provider: the email provider above carries all mail. Add more, with routing rules and failover, through PUT /api/email/providers.',
  'routing.provider': 'Provider',
  'routing.kind': 'Kind',
  'routing.circuit': 'Circuit',
  'routing.since': 'Since',
  'routing.lastError': 'Last error',
  'routing.closed': 'closed (sending)',
  'routing.open': 'open (skipped)',
  'routing.half_open': 'half open (probing)',
  'routing.rules': 'Rules, first match wins',
  'routing.noRules': 'No rules: every provider in list order.',
  'routing.anyKind': 'all mail',
  'routing.transactional': 'transactional mail',
  'routing.marketing': 'marketing mail',
  'routing.to': 'to {domains}',
  'routing.policy': 'A circuit opens after {failures} failures in a row within {window} s and is probed after {coolDown} s.',
} as const;

export const emailRoutingAr: Partial<Record<keyof typeof emailRoutingEn, string>> = {
  'routing.title': 'مزوّدو البريد والتوجيه',
  'routing.none': 'مزوّد واحد: مزوّد البريد أعلاه يحمل كل البريد. أضف مزوّدين آخرين مع قواعد التوجيه والتحويل عند العطل عبر PUT /api/email/providers.',
  'routing.provider': 'المزوّد',
  'routing.kind': 'النوع',
  'routing.circuit': 'الدارة',
  'routing.since': 'منذ',
  'routing.lastError': 'آخر خطأ',
  'routing.closed': 'مغلقة (يُرسل)',
  'routing.open': 'مفتوحة (يُتجاوز)',
  'routing.half_open': 'نصف مفتوحة (اختبار)',
  'routing.rules': 'القواعد، أول تطابق يُطبَّق',
  'routing.noRules': 'لا قواعد: كل المزوّدين بترتيب القائمة.',
  'routing.anyKind': 'كل البريد',
  'routing.transactional': 'البريد المعاملاتي',
  'routing.marketing': 'البريد التسويقي',
  'routing.to': 'إلى {domains}',
  'routing.policy': 'تُفتح الدارة بعد {failures} إخفاقات متتالية خلال {window} ث وتُختبر بعد {coolDown} ث.',
};

export const emailRoutingFa: Partial<Record<keyof typeof emailRoutingEn, string>> = {
  'routing.title': 'ارائه‌دهندگان ایمیل و مسیریابی',
  'routing.none': 'یک ارائه‌دهنده: ارائه‌دهندهٔ ایمیل بالا همهٔ نامه‌ها را می‌برد. ارائه‌دهندگان دیگر را با قواعد مسیریابی و جایگزینی از راه PUT /api/email/providers بیفزایید.',
  'routing.provider': 'ارائه‌دهنده',
  'routing.kind': 'نوع',
  'routing.circuit': 'مدار',
  'routing.since': 'از',
  'routing.lastError': 'آخرین خطا',
  'routing.closed': 'بسته (در حال ارسال)',
  'routing.open': 'باز (رد می‌شود)',
  'routing.half_open': 'نیمه‌باز (آزمایش)',
  'routing.rules': 'قواعد، نخستین تطابق اعمال می‌شود',
  'routing.noRules': 'بی‌قاعده: همهٔ ارائه‌دهندگان به ترتیب فهرست.',
  'routing.anyKind': 'همهٔ نامه‌ها',
  'routing.transactional': 'نامه‌های تراکنشی',
  'routing.marketing': 'نامه‌های بازاریابی',
  'routing.to': 'به {domains}',
  'routing.policy': 'مدار پس از {failures} شکست پیاپی در {window} ثانیه باز می‌شود و پس از {coolDown} ثانیه آزموده می‌شود.',
};
