/**
 * The editor of a Telegram or WhatsApp template (`channel: 'telegram' | 'whatsapp'`): name, kind,
 * default locale, the message text per locale variant (../screens/templates/LocaleTabs.tsx), and the
 * channel's own part on the default content: Telegram's url buttons (./TelegramButtons.tsx) or the
 * approved WhatsApp template's name, language and parameters (./WhatsappFields.tsx). Saving is
 * refused in the form while a field shows a problem; the server's issues are shown at their field
 * when it names one, else in the list under the form.
 */
import { useState } from 'react';
import { ApiError, post, put, canEdit, type Issue, type Role } from '../api';
import { useI18n } from '../i18n';
import { navigate } from '../router';
import { LocaleTabs } from '../screens/templates/LocaleTabs';
import { isRtlLocale } from '../sms/counter';
import { buttonProblem, TelegramButtons, type TelegramButton } from './TelegramButtons';
import { whatsappProblems, WhatsappFields, type WhatsappContent } from './WhatsappFields';

export type SocialChannel = 'telegram' | 'whatsapp';

interface SocialContent {
  body: string;
  defaultLocale?: string;
  locales?: Record<string, { body?: string }>;
  buttons?: TelegramButton[];
  whatsapp?: WhatsappContent;
}

export interface SocialTemplateView {
  id: string;
  name: string;
  kind: string;
  channel: string;
  currentVersion: number;
  current: { content: SocialContent; warnings: string[] };
}

const LOCALE = /^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8})*$/;

export function SocialTemplateEditor({ channel, id, role, initial }: { channel: SocialChannel; id: string | null; role: Role; initial: SocialTemplateView | null }) {
  const { t } = useI18n();
  const readOnly = !canEdit(role);
  const content = initial?.current.content;
  const [newId, setNewId] = useState('');
  const [name, setName] = useState(initial?.name ?? '');
  const [kind, setKind] = useState<'marketing' | 'transactional'>(initial?.kind === 'transactional' ? 'transactional' : 'marketing');
  const [defaultLocale, setDefaultLocale] = useState(content?.defaultLocale ?? 'en');
  const [body, setBody] = useState(content?.body ?? '');
  const [locales, setLocales] = useState<Record<string, { body?: string }>>(content?.locales ?? {});
  const [buttons, setButtons] = useState<TelegramButton[]>(content?.buttons ?? []);
  const [whatsapp, setWhatsapp] = useState<WhatsappContent | null>(content?.whatsapp ?? (channel === 'whatsapp' && !initial ? { name: '', language: 'en', parameters: [] } : null));
  const [active, setActive] = useState('');
  const [issues, setIssues] = useState<Issue[]>([]);
  const [notice, setNotice] = useState<string | null>(null);

  const locale = active || defaultLocale;
  const ownText = active ? (locales[active]?.body ?? '') : body;
  const setText = (v: string) => {
    if (!active) return setBody(v);
    const next = { ...(locales[active] ?? {}) };
    if (v === '') delete next.body;
    else next.body = v;
    setLocales({ ...locales, [active]: next });
  };
  const dir = isRtlLocale(locale) ? 'rtl' : 'ltr';
  const formHasProblems = channel === 'telegram' ? buttons.some((b) => buttonProblem(b, 'text') || buttonProblem(b, 'url')) : whatsapp !== null && Object.keys(whatsappProblems(whatsapp)).length > 0;

  const save = async () => {
    setIssues([]);
    setNotice(null);
    if (defaultLocale && !LOCALE.test(defaultLocale)) return setIssues([{ path: 'content.defaultLocale', message: t('sms.badLocale') }]);
    if (formHasProblems) return;
    const kept = Object.fromEntries(Object.entries(locales).filter(([, v]) => v.body !== undefined));
    const next: SocialContent = {
      body,
      ...(defaultLocale && defaultLocale !== 'en' ? { defaultLocale } : {}),
      ...(Object.keys(kept).length ? { locales: kept } : {}),
      ...(channel === 'telegram' && buttons.length ? { buttons: buttons.map((b) => ({ text: b.text.trim(), url: b.url.trim() })) } : {}),
      ...(channel === 'whatsapp' && whatsapp ? { whatsapp } : {}),
    };
    try {
      const saved = id
        ? await put<SocialTemplateView>(`/api/templates/${encodeURIComponent(id)}`, { name, content: next })
        : await post<SocialTemplateView>('/api/templates', { id: newId, name: name || newId, kind, channel, content: next });
      setNotice(`${t('saved')} ${t('journeys.version')} ${saved.currentVersion}`);
      if (!id) navigate(`/templates/${encodeURIComponent(saved.id)}`);
    } catch (e) {
      if (e instanceof ApiError) setIssues(e.issues.length ? e.issues : [{ path: '', message: e.message }]);
    }
  };
  const atField = (i: Issue) => /buttons\.\d+\.(text|url)$|whatsapp\.(name|language|parameters\.\d+)$/.test(i.path);

  return (
    <div className="template-editor" data-channel={channel}>
      <section className="template-form" aria-labelledby="tpl-title">
        <h1 id="tpl-title">
          {id ?? t('templates.new')} <span className="badge">{t(`channel.${channel}`)}</span>
        </h1>
        {!id && (
          <label>
            {t('templates.id')}
            <input value={newId} onChange={(e) => setNewId(e.target.value)} placeholder={channel === 'telegram' ? 'tg-welcome' : 'wa-order'} />
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
            {t('social.defaultLocale')}
            <input value={defaultLocale} size={8} disabled={readOnly} onChange={(e) => setDefaultLocale(e.target.value.trim())} />
          </label>
        </div>
        {channel === 'whatsapp' && <WhatsappFields value={whatsapp} onChange={setWhatsapp} issues={issues} readOnly={readOnly} />}
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
          <label htmlFor="social-body">{t('social.body')}</label>
          <textarea id="social-body" rows={6} dir={dir} value={ownText} placeholder={active ? body : undefined} disabled={readOnly} onChange={(e) => setText(e.target.value)} />
          {channel === 'telegram' && <p className="muted small">{t('tg.bodyNote')}</p>}
          <p className="muted small">{t('social.liquidNote')}</p>
        </div>
        {channel === 'telegram' && <TelegramButtons buttons={buttons} onChange={setButtons} issues={issues} readOnly={readOnly} />}
        {issues.filter((i) => !atField(i)).length > 0 && (
          <ul className="error" role="alert" data-testid="template-issues">
            {issues
              .filter((i) => !atField(i))
              .map((i) => (
                <li key={i.path + i.message}>{`${i.path}: ${i.message}`}</li>
              ))}
          </ul>
        )}
        {notice && (
          <p className="ok" role="status">
            {notice}
          </p>
        )}
        {!readOnly && (
          <button type="button" className="primary" disabled={formHasProblems} onClick={() => void save()}>
            {t('save')}
          </button>
        )}
      </section>
    </div>
  );
}
