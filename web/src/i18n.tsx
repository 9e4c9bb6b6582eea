/**
 * Interface languages (English, Arabic, Persian) and locale-aware formatting. The chosen language
 * sets <html lang dir>, so the whole layout mirrors for Arabic and Persian (CSS uses logical
 * properties: margin-inline-start, not margin-left). Numbers and dates go through Intl.
 */
import { createContext, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { messages, type MessageKey } from './messages';

export type Lang = 'en' | 'ar' | 'fa';
export const LANGS: { code: Lang; label: string }[] = [
  { code: 'en', label: 'English' },
  { code: 'ar', label: 'العربية' },
  { code: 'fa', label: 'فارسی' },
];
const RTL = new Set<Lang>(['ar', 'fa']);

export interface I18n {
  lang: Lang;
  dir: 'ltr' | 'rtl';
  setLang(lang: Lang): void;
  t(key: MessageKey, vars?: Record<string, string | number>): string;
  num(n: number): string;
  date(ms: number): string;
}

const Ctx = createContext<I18n | null>(null);

function initialLang(): Lang {
  const saved = localStorage.getItem('qatra.lang');
  if (saved === 'en' || saved === 'ar' || saved === 'fa') return saved;
  const nav = navigator.language.slice(0, 2);
  return nav === 'ar' || nav === 'fa' ? nav : 'en';
}

export function I18nProvider({ children }: { children: ReactNode }) {
  const [lang, setLangState] = useState<Lang>(initialLang);
  const dir = RTL.has(lang) ? 'rtl' : 'ltr';
  useEffect(() => {
    document.documentElement.lang = lang;
    document.documentElement.dir = dir;
  }, [lang, dir]);
  const value = useMemo<I18n>(() => {
    const numbers = new Intl.NumberFormat(lang);
    const dates = new Intl.DateTimeFormat(lang, { dateStyle: 'medium', timeStyle: 'short' });
    return {
      lang,
      dir,
      setLang(next) {
        localStorage.setItem('qatra.lang', next);
        setLangState(next);
      },
      t(key, vars) {
        // English singulars: a `<key>.one` string when n is 1 (Arabic and Persian phrase counts without it).
        const one = `${key}.one` as MessageKey;
        const pick = vars?.n === 1 && one in messages.en ? one : key;
        let s: string = messages[lang][pick] ?? messages[lang][key] ?? messages.en[pick] ?? key;
        if (vars) for (const [k, v] of Object.entries(vars)) s = s.replaceAll(`{${k}}`, typeof v === 'number' ? numbers.format(v) : v);
        return s;
      },
      num: (n) => numbers.format(n),
      date: (ms) => dates.format(new Date(ms)),
    };
  }, [lang, dir]);
  return <Ctx.Provider value={value}>{children}</Ctx.Provider>;
}

export function useI18n(): I18n {
  const v = useContext(Ctx);
  if (!v) throw new Error('useI18n outside I18nProvider');
  return v;
}
