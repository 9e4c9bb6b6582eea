/**
 * The editor of an SMS template (`channel: 'sms'`): plain text per locale variant (no subject, no
 * HTML), the live segment counter (../../sms/SmsCounter.tsx) and a phone-shaped preview. Marketing
 * texts are counted and previewed with the opt-out line the server appends (greyed in the bubble).
 * Liquid tags are counted as written: a rendered `{{ contact.first_name }}` may be longer or shorter.
 */
import { useEffect, useState } from 'react';
import { ApiError, get, post, put, canEdit, type Issue, type Role } from '../../api';
import { useI18n } from '../../i18n';
import { navigate } from '../../router';
import { LocaleTabs } from './LocaleTabs';
import { SmsCounter } from '../../sms/SmsCounter';
import { PhoneBubble } from '../../sms/PhoneBubble';
import { AssistPanel, type AssistLang, type AssistTask, type Suggestion } from '../../assistant/AssistPanel';
import { isRtlLocale, optOutLine, withOptOut } from '../../sms/counter';
import type { SmsSettings } from '../settings/SmsSettings';

export interface SmsTemplateView {
  id: string;
  name: string;
  kind: string;
  channel: string;
  currentVersion: number;
  current: { content: { body: string; defaultLocale?: string; locales?: Record<string, { body?: string }> }; warnings: string[] };
}

const LOCALE = /^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8})*$/;

export function SmsTemplateEditor({ id, role, initial }: { id: string | null; role: Role; initial: SmsTemplateView | null }) {
  const { t } = useI18n();
  const readOnly = !canEdit(role);
  const [view, setView] = useState<SmsTemplateView | null>(initial);
  const [newId, setNewId] = useState('');
  const [name, setName] = useState(initial?.name ?? '');
  const [kind, setKind] = useState<'marketing' | 'transactional'>(initial?.kind === 'transactional' ? 'transactional' : 'marketing');
  const [defaultLocale, setDefaultLocale] = useState(initial?.current.content.defaultLocale ?? 'en');
  const [body, setBody] = useState(initial?.current.content.body ?? '');
  const [locales, setLocales] = useState<Record<string, { body?: string }>>(initial?.current.content.locales ?? {});
  const [active, setActive] = useState('');
  const [issues, setIssues] = useState<Issue[]>([]);
  const [notice, setNotice] = useState<string | null>(null);
  const [settings, setSettings] = useState<SmsSettings | null>(null);
  useEffect(() => {
    get<SmsSettings>('/api/channels/sms/settings').then(setSettings, () => {});
  }, []);

  const locale = active || defaultLocale;
  const text = active ? (locales[active]?.body ?? body) : body;
  const ownText = active ? (locales[active]?.body ?? '') : body;
  const setText = (v: string) => {
    if (!active) return setBody(v);
    const next = { ...(locales[active] ?? {}) };
    if (v === '') delete next.body;
    else next.body = v;
    setLocales({ ...locales, [active]: next });
  };
  /** A writing-assistant suggestion picked into the form (a translation becomes that locale's variant); saving is still the person's. */
  const pickSuggestion = (s: Suggestion, task: AssistTask, to: AssistLang | null) => {
    if (s.body === undefined) return;
    if (task === 'translate' && to) {
      setLocales({ ...locales, [to]: { body: s.body } });
      setActive(to);
    } else setText(s.body);
  };
  const marketing = kind === 'marketing';
  const dir = isRtlLocale(locale) ? 'rtl' : 'ltr';
  const sender = settings?.senderIds.default ?? settings?.senderIds[settings.defaultCountry ?? ''] ?? 'Qatra';

  const save = async () => {
    setIssues([]);
    setNotice(null);
    const kept = Object.fromEntries(Object.entries(locales).filter(([, v]) => v.body !== undefined));
    const content = { body, ...(defaultLocale && defaultLocale !== 'en' ? { defaultLocale } : {}), ...(Object.keys(kept).length ? { locales: kept } : {}) };
    if (defaultLocale && !LOCALE.test(defaultLocale)) return setIssues([{ path: 'content.defaultLocale', message: t('sms.badLocale') }]);
    try {
      const saved = id
        ? await put<SmsTemplateView>(`/api/templates/${encodeURIComponent(id)}`, { name, content })
        : await post<SmsTemplateView>('/api/templates', { id: newId, name: name || newId, kind, channel: 'sms', content });
      setNotice(`${t('saved')} ${t('journeys.version')} ${saved.currentVersion}`);
      if (!id) navigate(`/templates/${encodeURIComponent(saved.id)}`);
      else setView(saved);
    } catch (e) {
      if (e instanceof ApiError) setIssues(e.issues.length ? e.issues : [{ path: '', message: e.message }]);
    }
  };

  return (
    <div className="template-editor" data-channel="sms">
      <section className="template-form" aria-labelledby="tpl-title">
        <h1 id="tpl-title">
          {id ?? t('templates.new')} <span className="badge">{t('channel.sms')}</span>
        </h1>
        {!id && (
          <label>
            {t('templates.id')}
            <input value={newId} onChange={(e) => setNewId(e.target.value)} placeholder="otp-1" />
          </label>
        )}
        <label>
          {t('journeys.name')}
          <input value={name} disabled={readOnly} onChange={(e) => setName(e.target.value)} />
        </label>
        <div className="row">
          <label>
            {t('field.kind')}
            <select value={kind} disabled={readOnly || id !== null} onChange={(e) => setKind(e.target.value as 'marketing' | 'transactional')}>
              <option value="marketing">{t('sms.kind.marketing')}</option>
              <option value="transactional">{t('sms.kind.transactional')}</option>
            </select>
          </label>
          <label>
            {t('sms.defaultLocale')}
            <input value={defaultLocale} size={8} disabled={readOnly} onChange={(e) => setDefaultLocale(e.target.value.trim())} />
          </label>
        </div>
        <LocaleTabs
          defaultLocale={defaultLocale}
          locales={Object.keys(locales)}
          active={active}
          readOnly={readOnly}
          onSelect={setActive}
          onAdd={(key) => {
            setLocales({ ...locales, [key]: {} });
            setActive(key);
          }}
          onRemove={(key) => {
            const { [key]: _gone, ...rest } = locales;
            setLocales(rest);
            setActive('');
          }}
        />
        <div role="tabpanel" aria-label={active || t('templates.locale.default', { locale: defaultLocale })} lang={locale}>
          <label htmlFor="sms-body">{t('sms.body')}</label>
          <textarea id="sms-body" rows={6} dir={dir} value={ownText} placeholder={active ? body : undefined} disabled={readOnly} onChange={(e) => setText(e.target.value)} />
          <SmsCounter text={withOptOut(text, locale, marketing)} replaceTypographic={settings?.replaceTypographic ?? false} maxSegments={settings?.maxSegments ?? 6} />
          {marketing && <p className="muted small">{t('sms.optOutNote')}</p>}
          <p className="muted small">{t('sms.liquidNote')}</p>
          {!readOnly && <AssistPanel channel="sms" source={{ body: text }} onPick={pickSuggestion} />}
        </div>
        {issues.length > 0 && (
          <ul className="error" role="alert" data-testid="template-issues">
            {issues.map((i) => (
              <li key={i.path + i.message}>{`${i.path}: ${i.message}`}</li>
            ))}
          </ul>
        )}
        {view && view.current.warnings.length > 0 && (
          <ul className="muted">
            {view.current.warnings.map((w) => (
              <li key={w}>⚠ {w}</li>
            ))}
          </ul>
        )}
        {notice && (
          <p className="ok" role="status">
            {notice}
          </p>
        )}
        {!readOnly && (
          <button type="button" className="primary" onClick={() => void save()}>
            {t('save')}
          </button>
        )}
      </section>
      <section className="template-preview" aria-labelledby="preview-title">
        <h2 id="preview-title">{t('templates.preview')}</h2>
        <PhoneBubble sender={sender} text={text.trim()} optOut={marketing ? optOutLine(locale) : null} dir={dir} lang={locale} />
      </section>
    </div>
  );
}
