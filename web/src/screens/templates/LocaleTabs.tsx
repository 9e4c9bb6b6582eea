/**
 * The locale tabs of the template editor: the default content and each locale variant
 * (`content.locales`, e.g. `fa`, `ar`, `fa-IR`), adding and removing a variant. A contact's locale
 * falls back from the most specific variant to its language and then to the default (the server's
 * rule, src/templates/locale.ts); a variant's empty field uses the default's.
 */
import { useState, type FormEvent, type KeyboardEvent } from 'react';
import { useI18n } from '../../i18n';

export interface Variant {
  subject?: string;
  preheader?: string;
  body?: string;
  text?: string;
}

const LOCALE = /^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8})*$/; // as src/templates/template.ts
const RTL = new Set(['ar', 'fa', 'he', 'ur', 'ps', 'ckb', 'yi', 'dv', 'sd', 'ug']);
export const isRtl = (locale: string) => RTL.has(locale.split('-')[0]!.toLowerCase());

export function LocaleTabs({
  defaultLocale,
  locales,
  active,
  readOnly,
  onSelect,
  onAdd,
  onRemove,
}: {
  defaultLocale: string;
  locales: string[];
  active: string;
  readOnly: boolean;
  onSelect(key: string): void;
  onAdd(key: string): void;
  onRemove(key: string): void;
}) {
  const { t, dir } = useI18n();
  const [adding, setAdding] = useState('');
  const [error, setError] = useState<string | null>(null);
  const add = (e: FormEvent) => {
    e.preventDefault();
    const key = adding.trim();
    if (!LOCALE.test(key)) return setError(t('templates.locale.bad'));
    if (key === defaultLocale || locales.some((l) => l.toLowerCase() === key.toLowerCase())) return setError(t('templates.locale.exists', { locale: key }));
    setError(null);
    setAdding('');
    onAdd(key);
  };
  // WAI-ARIA tabs: arrow keys move between tabs (mirrored in right-to-left), Home/End to the ends.
  const keys = ['', ...locales];
  const onKey = (e: KeyboardEvent<HTMLDivElement>) => {
    const i = keys.indexOf(active);
    const forward = dir === 'rtl' ? 'ArrowLeft' : 'ArrowRight';
    const back = dir === 'rtl' ? 'ArrowRight' : 'ArrowLeft';
    const next = e.key === forward ? (i + 1) % keys.length : e.key === back ? (i - 1 + keys.length) % keys.length : e.key === 'Home' ? 0 : e.key === 'End' ? keys.length - 1 : null;
    if (next === null) return;
    e.preventDefault();
    onSelect(keys[next]!);
    e.currentTarget.querySelectorAll<HTMLButtonElement>('[role="tab"]')[next]?.focus();
  };
  return (
    <div>
      <div className="locale-tabs">
        <div role="tablist" aria-label={t('templates.locale.tabs')} className="row" onKeyDown={onKey}>
          <button type="button" role="tab" aria-selected={active === ''} tabIndex={active === '' ? 0 : -1} onClick={() => onSelect('')}>
            {t('templates.locale.default', { locale: defaultLocale })}
          </button>
          {locales.map((l) => (
            <button
              key={l}
              type="button"
              role="tab"
              aria-selected={active === l}
              tabIndex={active === l ? 0 : -1}
              onClick={() => onSelect(l)}
              lang={l}
              dir={isRtl(l) ? 'rtl' : 'ltr'}
              data-testid={`locale-tab-${l}`}
            >
              {l}
            </button>
          ))}
        </div>
        {!readOnly && (
          <form onSubmit={add}>
            <label className="sr-only" htmlFor="add-locale">
              {t('templates.locale.code')}
            </label>
            <input
              id="add-locale"
              value={adding}
              placeholder="fa"
              dir="ltr"
              onChange={(e) => setAdding(e.target.value)}
              aria-invalid={error !== null}
              aria-describedby={error ? 'add-locale-error' : undefined}
            />
            <button type="submit">{t('templates.locale.add')}</button>
          </form>
        )}
      </div>
      {error && (
        <p id="add-locale-error" className="error small" role="alert">
          {error}
        </p>
      )}
      {active !== '' && (
        <div className="row">
          <span className="muted small">{t('templates.locale.inherits', { locale: active })}</span>
          <span className="spacer" />
          {!readOnly && (
            <button type="button" className="danger" onClick={() => onRemove(active)}>
              {t('templates.locale.remove', { locale: active })}
            </button>
          )}
        </div>
      )}
    </div>
  );
}
