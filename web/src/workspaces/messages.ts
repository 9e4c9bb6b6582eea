/**
 * Interface strings of the workspace switcher (English, Arabic, Persian), merged into ../messages.ts.
 */
export const workspacesEn = {
  'ws.label': 'Workspace',
  'ws.option': '{name} ({role})',
  'ws.archived': 'archived',
  'ws.new': 'New workspace',
  'ws.newName': 'Name of the new workspace',
  'ws.create': 'Create',
  'ws.cancel': 'Cancel',
  'ws.archivedNotice': 'This workspace is archived: its keys ingest nothing and nothing is sent from it until an owner unarchives it.',
};

export type WorkspacesKey = keyof typeof workspacesEn;

export const workspacesAr: Partial<Record<WorkspacesKey, string>> = {
  'ws.label': 'مساحة العمل',
  'ws.option': '{name} ({role})',
  'ws.archived': 'مؤرشفة',
  'ws.new': 'مساحة عمل جديدة',
  'ws.newName': 'اسم مساحة العمل الجديدة',
  'ws.create': 'إنشاء',
  'ws.cancel': 'إلغاء',
  'ws.archivedNotice': 'مساحة العمل هذه مؤرشفة: لا تستقبل مفاتيحها أي بيانات ولا يُرسل منها شيء حتى يلغي المالك أرشفتها.',
};

export const workspacesFa: Partial<Record<WorkspacesKey, string>> = {
  'ws.label': 'فضای کار',
  'ws.option': '{name} ({role})',
  'ws.archived': 'بایگانی‌شده',
  'ws.new': 'فضای کار تازه',
  'ws.newName': 'نام فضای کار تازه',
  'ws.create': 'ساختن',
  'ws.cancel': 'انصراف',
  'ws.archivedNotice': 'این فضای کار بایگانی شده است: کلیدهایش داده‌ای نمی‌پذیرند و تا وقتی مالک آن را از بایگانی بیرون نیاورد چیزی از آن فرستاده نمی‌شود.',
};
