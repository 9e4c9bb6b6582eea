/**
 * @module What inbound handling reads of a workspace's SMS settings (the `sms_settings` row,
 * migrations/000017.sql): its extra keywords and its help text. A tiny local read, because the
 * settings service (./settings.ts) is written in parallel; it reads only these keys and ignores
 * anything it does not understand (a hand-edited row never breaks STOP):
 *
 *   { "keywords": { "stop": ["BASTA"], "start": ["JOIN"], "help": ["AIDE"] },
 *     "helpText": "Acme: help at acme.example" | { "en": "…", "ar": "…", "fa": "…" } }
 */
import { fromJson } from '../../core/json.js';
import type { Db } from '../../store/store.js';
import type { ExtraKeywords } from './keywords.js';
import type { ReplyLanguage } from './inbound-replies.js';

export interface InboundSettings {
  keywords: ExtraKeywords;
  /** The workspace's help text for a language, if it set one. */
  helpText(language: ReplyLanguage): string | null;
}

const words = (v: unknown): string[] | undefined => (Array.isArray(v) ? v.filter((w): w is string => typeof w === 'string' && w.trim() !== '').slice(0, 200) : undefined);

export async function inboundSettings(db: Db, workspaceId: string): Promise<InboundSettings> {
  const row = await db.selectFrom('sms_settings').select('settings').where('workspace_id', '=', workspaceId).executeTakeFirst();
  let settings: Record<string, unknown> = {};
  try {
    const parsed = row ? fromJson<unknown>(row.settings) : null;
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) settings = parsed as Record<string, unknown>;
  } catch {
    // An unreadable row means "no settings": the defaults still answer.
  }
  const kw = settings.keywords && typeof settings.keywords === 'object' ? (settings.keywords as Record<string, unknown>) : {};
  const help = settings.helpText;
  return {
    keywords: { stop: words(kw.stop), start: words(kw.start), help: words(kw.help) },
    helpText(language) {
      if (typeof help === 'string') return help.trim() || null;
      if (help && typeof help === 'object' && !Array.isArray(help)) {
        const byLanguage = help as Record<string, unknown>;
        const text = byLanguage[language] ?? byLanguage.en;
        return typeof text === 'string' && text.trim() !== '' ? text : null;
      }
      return null;
    },
  };
}
