/** Strings of contact search, broadcasts' confirmation and test send, and the analytics overview (issue 21, points 4, 6, 7). */
export const marketingEn = {
  'csearch.placeholder': 'Name, email, phone or user id',
  'csearch.segment': 'Segment',
  'csearch.anySegment': 'All contacts',
  'csearch.attr': 'Attribute',
  'csearch.attrValue': 'equals',
  'csearch.total': '{n} contacts',
  'csearch.total.one': '1 contact',
  'csearch.name': 'Name',
  'csearch.phone': 'Phone',
  'csearch.clear': 'Clear filters',
} as const;

type Keys = keyof typeof marketingEn;

export const marketingAr: Partial<Record<Keys, string>> = {
  'csearch.placeholder': 'الاسم أو البريد أو الهاتف أو معرّف المستخدم',
  'csearch.segment': 'الشريحة',
  'csearch.anySegment': 'كل جهات الاتصال',
  'csearch.attr': 'السمة',
  'csearch.attrValue': 'تساوي',
  'csearch.total': '{n} جهة اتصال',
  'csearch.name': 'الاسم',
  'csearch.phone': 'الهاتف',
  'csearch.clear': 'مسح عوامل التصفية',
};

export const marketingFa: Partial<Record<Keys, string>> = {
  'csearch.placeholder': 'نام، ایمیل، تلفن یا شناسه کاربر',
  'csearch.segment': 'بخش',
  'csearch.anySegment': 'همه مخاطبان',
  'csearch.attr': 'ویژگی',
  'csearch.attrValue': 'برابر با',
  'csearch.total': '{n} مخاطب',
  'csearch.name': 'نام',
  'csearch.phone': 'تلفن',
  'csearch.clear': 'پاک کردن فیلترها',
};
