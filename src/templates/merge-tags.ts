/**
 * @module The merge tags a template editor offers: the attributes the workspace's contacts really
 * carry, each with its type and a sample value, and the standard variables every email has
 * (unsubscribe and preference links, the workspace's name and postal address, the contact's own
 * fields). Attributes come from a sample, not a scan: the newest `SAMPLE_CONTACTS` contacts by id
 * (ids start with their creation time, src/core/ids.ts), read through the `(workspace_id, id)`
 * index, so the answer costs the same at 100 contacts or 10 million. A key carried only by older
 * contacts is not offered; the author can still type it.
 */
import type { Db } from '../store/store.js';
import { fromJson, type Json, type JsonObject } from '../core/json.js';

export const SAMPLE_CONTACTS = 500;
/** At most this many attribute keys are listed (the most common first). */
export const MAX_ATTRIBUTES = 200;

export type MergeTagType = 'string' | 'number' | 'boolean' | 'date' | 'list' | 'object';

export interface MergeTag {
  /** What the author picks by: `first_name`, `unsubscribe_url`. */
  key: string;
  /** The Liquid path to insert between `{{ }}`; null when the key cannot be written as one (it holds both quote marks). */
  liquid: string | null;
  group: 'attribute' | 'contact' | 'link' | 'workspace';
  type: MergeTagType;
  /** A value seen on a contact (attributes) or what it looks like (standard tags), at most 80 characters. */
  sample: string;
  /** Sampled contacts carrying it (attributes only). */
  count?: number;
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

export function typeOf(v: Json): MergeTagType {
  if (Array.isArray(v)) return 'list';
  if (v !== null && typeof v === 'object') return 'object';
  if (typeof v === 'number') return 'number';
  if (typeof v === 'boolean') return 'boolean';
  return typeof v === 'string' && ISO_DATE.test(v) ? 'date' : 'string';
}

const sampleOf = (v: Json) => {
  const s = typeof v === 'string' ? v : JSON.stringify(v);
  return s.length > 80 ? `${s.slice(0, 79)}…` : s;
};

/** `contact.first_name`, or `contact["first name"]` for a key that is not a plain identifier. */
export function liquidPath(root: string, key: string): string | null {
  if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) return `${root}.${key}`;
  if (!key.includes('"')) return `${root}["${key}"]`;
  if (!key.includes("'")) return `${root}['${key}']`;
  return null;
}

const STANDARD: MergeTag[] = [
  { key: 'unsubscribe_url', liquid: 'unsubscribe_url', group: 'link', type: 'string', sample: 'https://…/u/…' },
  { key: 'preferences_url', liquid: 'preferences_url', group: 'link', type: 'string', sample: 'https://…/p/…' },
  { key: 'workspace.name', liquid: 'workspace.name', group: 'workspace', type: 'string', sample: '' },
  { key: 'workspace.postal_address', liquid: 'workspace.postal_address', group: 'workspace', type: 'string', sample: '' },
  { key: 'email', liquid: 'contact.email', group: 'contact', type: 'string', sample: 'sam@example.com' },
  { key: 'phone', liquid: 'contact.phone', group: 'contact', type: 'string', sample: '+15551234567' },
  { key: 'user_id', liquid: 'contact.user_id', group: 'contact', type: 'string', sample: 'u_123' },
  { key: 'locale', liquid: 'contact.locale', group: 'contact', type: 'string', sample: 'en' },
  { key: 'timezone', liquid: 'contact.timezone', group: 'contact', type: 'string', sample: 'Europe/Paris' },
];
const OWN_FIELDS = new Set(STANDARD.filter((t) => t.group === 'contact').map((t) => t.key));

export async function mergeTags(db: Db, workspaceId: string, workspace: { name: string; postalAddress: string }): Promise<{ tags: MergeTag[]; sampled: number }> {
  const rows = await db.selectFrom('contacts').select('attributes').where('workspace_id', '=', workspaceId).where('erased_at', 'is', null).orderBy('id', 'desc').limit(SAMPLE_CONTACTS).execute();
  const seen = new Map<string, { count: number; value: Json | undefined }>();
  for (const row of rows) {
    const attributes = fromJson<JsonObject>(row.attributes) ?? {};
    for (const [key, value] of Object.entries(attributes)) {
      const entry = seen.get(key) ?? { count: 0, value: undefined };
      entry.count++;
      if (entry.value === undefined && value !== null && value !== '') entry.value = value;
      seen.set(key, entry);
    }
  }
  const attributes: MergeTag[] = [...seen]
    // Our own fields win over an attribute of the same name (src/templates/render.ts contactVariables).
    .filter(([key]) => !OWN_FIELDS.has(key))
    .sort(([a, x], [b, y]) => y.count - x.count || (a < b ? -1 : 1))
    .slice(0, MAX_ATTRIBUTES)
    .map(([key, { count, value }]) => ({
      key,
      liquid: liquidPath('contact', key),
      group: 'attribute',
      type: value === undefined ? 'string' : typeOf(value),
      sample: value === undefined ? '' : sampleOf(value),
      count,
    }));
  const standard = STANDARD.map((t) => (t.key === 'workspace.name' ? { ...t, sample: workspace.name } : t.key === 'workspace.postal_address' ? { ...t, sample: workspace.postalAddress } : t));
  return { tags: [...attributes, ...standard], sampled: rows.length };
}
