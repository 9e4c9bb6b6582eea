/**
 * The editor of a direct mail template (`channel: 'mail'`, docs/mail.md): the paper, the letter (or
 * a postcard's front and back) as HTML with Liquid per locale variant, a return address, and a live
 * print preview: the content as edited is posted to POST /api/mail/preview.pdf (debounced) and the
 * PDF shown in an iframe, exactly as the print house would get it, right-to-left text included.
 * Errors (a character the print font lacks, a missing front) come back with their field.
 */
import { useEffect, useState } from 'react';
import { ApiError, post, postForBlob, put, canEdit, type Issue, type Role } from '../../api';
import { useI18n } from '../../i18n';
import { navigate } from '../../router';
import { isRtl, LocaleTabs } from './LocaleTabs';

export const PAPERS = ['letter-a4', 'letter-us', 'postcard-a6', 'postcard-6x4'] as const;
type Paper = (typeof PAPERS)[number];
interface MailVariant {
  body?: string;
  front?: string;
}
export interface MailTemplateView {
  id: string;
  name: string;
  kind: string;
  channel: string;
  currentVersion: number;
  current: { content: { paper?: Paper; body: string; front?: string; returnAddress?: string[]; defaultLocale?: string; locales?: Record<string, MailVariant> }; warnings: string[] };
}

const SAMPLE_LETTER =
  '<h1>مرحبا {{ contact.first_name | default: "صديقنا" }}،</h1>\n<p>خصم ١٥٪ على منتجات Qatra حتى ٣١ ديسمبر. الرمز: <b>{{ piece.promo_code }}</b></p>\n<img src="{{ piece.qr_image }}" style="width:25mm">';

export function MailTemplateEditor({ id, role, initial }: { id: string | null; role: Role; initial: MailTemplateView | null }) {
  const { t } = useI18n();
  const readOnly = !canEdit(role);
  const c = initial?.current.content;
  const [newId, setNewId] = useState('');
  const [name, setName] = useState(initial?.name ?? '');
  const [kind, setKind] = useState<'marketing' | 'transactional'>(initial?.kind === 'transactional' ? 'transactional' : 'marketing');
  const [paper, setPaper] = useState<Paper>(c?.paper ?? 'letter-a4');
  const [defaultLocale, setDefaultLocale] = useState(c?.defaultLocale ?? 'ar');
  const [body, setBody] = useState(c?.body ?? SAMPLE_LETTER);
  const [front, setFront] = useState(c?.front ?? '<h1 style="margin:12mm">Qatra</h1>');
  const [returnAddress, setReturnAddress] = useState((c?.returnAddress ?? []).join(' · '));
  const [locales, setLocales] = useState<Record<string, MailVariant>>(c?.locales ?? {});
  const [active, setActive] = useState('');
  const [issues, setIssues] = useState<Issue[]>([]);
  const [notice, setNotice] = useState<string | null>(null);
  const [pdfUrl, setPdfUrl] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const postcard = paper.startsWith('postcard');
  const locale = active || defaultLocale;
  const dir = isRtl(locale) ? 'rtl' : 'ltr';
  const own = (field: keyof MailVariant) => (active ? (locales[active]?.[field] ?? '') : field === 'body' ? body : front);
  const setOwn = (field: keyof MailVariant, value: string) => {
    if (!active) return (field === 'body' ? setBody : setFront)(value);
    const next = { ...(locales[active] ?? {}) };
    if (value === '') delete next[field];
    else next[field] = value;
    setLocales({ ...locales, [active]: next });
  };
  const content = () => {
    const kept = Object.fromEntries(
      Object.entries(locales)
        .map(([k, v]) => [k, postcard ? v : { ...(v.body !== undefined ? { body: v.body } : {}) }] as const)
        .filter(([, v]) => Object.keys(v).length > 0),
    );
    return {
      paper,
      body,
      ...(postcard ? { front } : {}),
      ...(returnAddress.trim() ? { returnAddress: [returnAddress.trim()] } : {}),
      ...(defaultLocale ? { defaultLocale } : {}),
      ...(Object.keys(kept).length ? { locales: kept } : {}),
    };
  };

  // Live preview: re-printed 800 ms after the last change.
  const key = JSON.stringify([content(), locale, kind]);
  useEffect(() => {
    let cancelled = false;
    const timer = setTimeout(() => {
      setBusy(true);
      postForBlob('/api/mail/preview.pdf', { kind, content: content(), locale }).then(
        (blob) => {
          if (cancelled) return;
          setIssues([]);
          setPdfUrl((old) => {
            if (old) URL.revokeObjectURL(old);
            return URL.createObjectURL(blob);
          });
          setBusy(false);
        },
        (e) => {
          if (cancelled) return;
          setBusy(false);
          if (e instanceof ApiError) setIssues(e.issues.length ? e.issues : [{ path: '', message: e.message }]);
        },
      );
    }, 800);
    return () => {
      cancelled = true;
      clearTimeout(timer);
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key]);

  const save = async () => {
    setIssues([]);
    setNotice(null);
    try {
      const saved = id
        ? await put<MailTemplateView>(`/api/templates/${encodeURIComponent(id)}`, { name, content: content() })
        : await post<MailTemplateView>('/api/templates', { id: newId, name: name || newId, kind, channel: 'mail', content: content() });
      setNotice(`${t('saved')} ${t('journeys.version')} ${saved.currentVersion}`);
      if (!id) navigate(`/templates/${encodeURIComponent(saved.id)}`);
    } catch (e) {
      if (e instanceof ApiError) setIssues(e.issues.length ? e.issues : [{ path: '', message: e.message }]);
    }
  };

  return (
    <div className="template-editor" data-channel="mail">
      <section className="template-form" aria-labelledby="tpl-title">
        <h1 id="tpl-title">
          {id ?? t('templates.new')} <span className="badge">{t('channel.mail')}</span>
        </h1>
        {!id && (
          <label>
            {t('templates.id')}
            <input value={newId} onChange={(e) => setNewId(e.target.value)} placeholder="welcome-letter" />
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
              <option value="marketing">{t('sms.kind.marketing').split(' (')[0]}</option>
              <option value="transactional">{t('sms.kind.transactional')}</option>
            </select>
          </label>
          <label>
            {t('mail.paper')}
            <select value={paper} disabled={readOnly} onChange={(e) => setPaper(e.target.value as Paper)}>
              {PAPERS.map((p) => (
                <option key={p} value={p}>
                  {t(`mail.paper.${p}`)}
                </option>
              ))}
            </select>
          </label>
          <label>
            {t('sms.defaultLocale')}
            <input value={defaultLocale} size={8} disabled={readOnly} onChange={(e) => setDefaultLocale(e.target.value.trim())} />
          </label>
        </div>
        <label>
          {t('mail.returnAddress')}
          <input value={returnAddress} dir="auto" disabled={readOnly} onChange={(e) => setReturnAddress(e.target.value)} />
        </label>
        <LocaleTabs
          defaultLocale={defaultLocale}
          locales={Object.keys(locales)}
          active={active}
          readOnly={readOnly}
          onSelect={setActive}
          onAdd={(k) => {
            setLocales({ ...locales, [k]: {} });
            setActive(k);
          }}
          onRemove={(k) => {
            const { [k]: _gone, ...rest } = locales;
            setLocales(rest);
            setActive('');
          }}
        />
        <div role="tabpanel" aria-label={active || t('templates.locale.default', { locale: defaultLocale })} lang={locale}>
          {postcard && (
            <>
              <label htmlFor="mail-front">{t('mail.front')}</label>
              <textarea
                id="mail-front"
                className="code"
                rows={6}
                dir={dir}
                value={own('front')}
                placeholder={active ? front : undefined}
                disabled={readOnly}
                onChange={(e) => setOwn('front', e.target.value)}
              />
            </>
          )}
          <label htmlFor="mail-body">{postcard ? t('mail.body.back') : t('mail.body.letter')}</label>
          <textarea
            id="mail-body"
            className="code"
            rows={14}
            dir={dir}
            value={own('body')}
            placeholder={active ? body : undefined}
            disabled={readOnly}
            onChange={(e) => setOwn('body', e.target.value)}
          />
          <p className="muted small" dir="ltr">
            {t('mail.variables')}
          </p>
        </div>
        {issues.length > 0 && (
          <ul className="error" role="alert" data-testid="template-issues">
            {issues.map((i) => (
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
          <button type="button" className="primary" onClick={() => void save()}>
            {t('save')}
          </button>
        )}
      </section>
      <section className="template-preview" aria-labelledby="preview-title">
        <h2 id="preview-title">{t('mail.previewTitle')}</h2>
        {busy && <p className="muted small">{t('mail.previewing')}</p>}
        {pdfUrl && <iframe title={t('mail.previewTitle')} src={pdfUrl} className="mail-preview" data-testid="mail-preview" />}
      </section>
    </div>
  );
}
