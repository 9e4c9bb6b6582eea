/**
 * Templates: the list, and the editor with errors at their line and a live preview
 * (POST /api/templates/:id/preview) at desktop and mobile widths for a chosen contact, in the
 * direction the server decided (rtl for a Persian or Arabic contact). Locale variants are edited in
 * tabs (./templates/LocaleTabs.tsx), each in its language's direction (ar, fa: right to left); the
 * preview renders the text as edited, unsaved (POST /api/templates/preview), in the tab's locale.
 * Merge tags come from the workspace's contacts (./templates/MergeTagPicker.tsx); an MJML body is
 * edited as blocks (./templates/blocks/) when every part of it is one the blocks can show.
 */
import { useEffect, useMemo, useRef, useState } from 'react';
import { ApiError, get, post, put, canEdit, type Issue, type Role } from '../api';
import { useI18n } from '../i18n';
import { Link, navigate } from '../router';
import { isRtl, LocaleTabs, type Variant } from './templates/LocaleTabs';
import { SmsTemplateEditor, type SmsTemplateView } from './templates/SmsTemplateEditor';
import { AssistPanel, type AssistLang, type AssistTask, type Suggestion } from '../assistant/AssistPanel';
import { MailTemplateEditor, type MailTemplateView } from './templates/MailTemplateEditor';
import { TEMPLATE_CHANNELS, type TemplateChannel } from '../channels';
import { SocialTemplateEditor, type SocialChannel, type SocialTemplateView } from '../social/SocialTemplateEditor';
import { GalleryEmpty } from '../setup/EmptyStates';
import { MergeTagPicker, useLastField } from './templates/MergeTagPicker';
import { BlockEditor } from './templates/blocks/BlockEditor';
import { parseMjml } from './templates/blocks/model';

/** The channels a new template may be written for: those of ../channels plus direct mail. */
const EDITOR_CHANNELS = [...TEMPLATE_CHANNELS, 'mail', 'telegram', 'whatsapp'] as const;
type EditorChannel = TemplateChannel | 'mail' | SocialChannel;
const isSocial = (c: string): c is SocialChannel => c === 'telegram' || c === 'whatsapp';

interface Template {
  id: string;
  name: string;
  channel: string;
  kind: string;
  currentVersion: number;
  archived: boolean;
  updatedAt: number;
}
interface View extends Template {
  current: { content: { subject?: string; preheader?: string; body: string; defaultLocale?: string; locales?: Record<string, Variant>; [k: string]: unknown }; warnings: string[] };
  versions: { version: number; createdAt: number }[];
}
interface Preview {
  locale: string;
  direction: 'ltr' | 'rtl';
  subject: string;
  html: string;
  warnings: string[];
}

export function TemplatesList({ role }: { role: Role }) {
  const { t, date, num } = useI18n();
  const [list, setList] = useState<Template[] | null>(null);
  useEffect(() => {
    get<{ data: Template[] }>('/api/templates').then(
      (r) => setList(r.data),
      () => setList([]),
    );
  }, []);
  return (
    <section aria-labelledby="templates-title">
      <div className="row">
        <h1 id="templates-title">{t('templates.title')}</h1>
        <span className="spacer" />
        {canEdit(role) && (
          <Link className="button primary" to="/templates/new">
            {t('templates.new')}
          </Link>
        )}
      </div>
      {list === null ? (
        <p>{t('loading')}</p>
      ) : list.length === 0 ? (
        <GalleryEmpty kind="templates" />
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">{t('journeys.name')}</th>
              <th scope="col">{t('field.kind')}</th>
              <th scope="col">{t('field.channel')}</th>
              <th scope="col">{t('journeys.version')}</th>
              <th scope="col">{t('journeys.updated')}</th>
            </tr>
          </thead>
          <tbody>
            {list.map((x) => (
              <tr key={x.id}>
                <td>
                  <Link to={`/templates/${encodeURIComponent(x.id)}`} title={x.id}>
                    {x.name}
                  </Link>
                </td>
                <td>{x.kind}</td>
                <td>{x.channel}</td>
                <td>{num(x.currentVersion)}</td>
                <td>{date(x.updatedAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

/**
 * A template's editor by its channel: a new template starts with the channel chosen here; an
 * existing one is loaded first to learn its channel (SMS: ./templates/SmsTemplateEditor.tsx).
 */
export function TemplateEditor({ id, role }: { id: string | null; role: Role }) {
  const { t } = useI18n();
  const [channel, setChannel] = useState<EditorChannel | null>(id ? null : 'email');
  const [smsView, setSmsView] = useState<SmsTemplateView | null>(null);
  const [mailView, setMailView] = useState<MailTemplateView | null>(null);
  const [socialView, setSocialView] = useState<SocialTemplateView | null>(null);
  useEffect(() => {
    if (!id) return;
    get<SmsTemplateView>(`/api/templates/${encodeURIComponent(id)}`).then(
      (v) => {
        if (v.channel === 'sms') setSmsView(v);
        if (v.channel === 'mail') setMailView(v as unknown as MailTemplateView);
        if (isSocial(v.channel)) setSocialView(v as unknown as SocialTemplateView);
        setChannel(v.channel === 'sms' || v.channel === 'mail' || isSocial(v.channel) ? v.channel : 'email');
      },
      () => setChannel('email'),
    );
  }, [id]);
  if (channel === null) return <p>{t('loading')}</p>;
  return (
    <>
      {!id && (
        <div role="radiogroup" aria-label={t('field.channel')} className="row">
          {EDITOR_CHANNELS.map((c) => (
            <label key={c} className="check">
              <input type="radio" name="template-channel" value={c} checked={channel === c} onChange={() => setChannel(c)} /> {t(`channel.${c}`)}
            </label>
          ))}
        </div>
      )}
      {channel === 'sms' ? (
        <SmsTemplateEditor id={id} role={role} initial={smsView} />
      ) : channel === 'mail' ? (
        <MailTemplateEditor id={id} role={role} initial={mailView} />
      ) : isSocial(channel) ? (
        <SocialTemplateEditor key={channel} channel={channel} id={id} role={role} initial={socialView} />
      ) : (
        <EmailTemplateEditor id={id} role={role} />
      )}
    </>
  );
}

/** Issue messages from the server read `12:5: message` for a position inside the field. */
function lineOf(i: Issue): number | null {
  const m = /^(\d+):(\d+): /.exec(i.message);
  return m ? Number(m[1]) : null;
}

function CodeEditor({
  id,
  value,
  onChange,
  errorLines,
  disabled,
  label,
  dir,
  lang,
}: {
  id: string;
  value: string;
  onChange(v: string): void;
  errorLines: Set<number>;
  disabled: boolean;
  label: string;
  dir: 'ltr' | 'rtl';
  lang: string;
}) {
  const lines = value.split('\n').length;
  const gutter = useRef<HTMLDivElement>(null);
  return (
    <div className="code-editor">
      <div className="gutter" ref={gutter} aria-hidden="true">
        {Array.from({ length: lines }, (_, i) => (
          <div key={i} className={errorLines.has(i + 1) ? 'bad' : undefined}>
            {i + 1}
          </div>
        ))}
      </div>
      <textarea
        id={id}
        aria-label={label}
        dir={dir}
        lang={lang}
        data-merge-target=""
        className="code"
        spellCheck={false}
        disabled={disabled}
        value={value}
        onChange={(e) => onChange(e.target.value)}
        onScroll={(e) => gutter.current && (gutter.current.scrollTop = e.currentTarget.scrollTop)}
        rows={18}
      />
    </div>
  );
}

function EmailTemplateEditor({ id, role }: { id: string | null; role: Role }) {
  const { t, date } = useI18n();
  const readOnly = !canEdit(role);
  const [view, setView] = useState<View | null>(null);
  const [newId, setNewId] = useState('');
  const [name, setName] = useState('');
  /** The saved name: the heading (the id stays an engineer's detail, in its tooltip). */
  const [savedName, setSavedName] = useState('');
  const [subject, setSubject] = useState('');
  const [preheader, setPreheader] = useState('');
  const [body, setBody] = useState('<p>Hello {{ contact.first_name | default: "there" }}!</p>\n<p>{{ workspace.postal_address }} · <a href="{{ unsubscribe_url }}">Unsubscribe</a></p>');
  const [issues, setIssues] = useState<Issue[]>([]);
  const [notice, setNotice] = useState<string | null>(null);
  const [contactRef, setContactRef] = useState('');
  const [preview, setPreview] = useState<Preview | null>(null);
  const [previewError, setPreviewError] = useState<string | null>(null);
  const [previewIssues, setPreviewIssues] = useState<Issue[]>([]);
  const [mode, setMode] = useState<'blocks' | 'code'>('blocks');
  const formRef = useRef<HTMLElement>(null);
  const lastField = useLastField(formRef);
  const [width, setWidth] = useState<'desktop' | 'mobile'>('desktop');
  const [version, setVersion] = useState<number | null>(null);
  const [testTo, setTestTo] = useState('');
  const [testResult, setTestResult] = useState<{ ok: boolean; text: string } | null>(null);
  const [locales, setLocales] = useState<Record<string, Variant>>({});
  /** '' edits the default content; otherwise the variant of that locale. */
  const [active, setActive] = useState('');

  const loadContent = (c: View['current']['content']) => {
    setSubject(c.subject ?? '');
    setPreheader(c.preheader ?? '');
    setBody(c.body);
    setLocales(c.locales ?? {});
    if (active && !c.locales?.[active]) setActive('');
  };
  const variant = active ? (locales[active] ?? {}) : null;
  const setVariant = (field: keyof Variant, value: string) => {
    const next: Variant = { ...(locales[active] ?? {}) };
    if (value === '') delete next[field];
    else next[field] = value;
    setLocales({ ...locales, [active]: next });
  };
  const fieldValue = { subject: variant ? (variant.subject ?? '') : subject, preheader: variant ? (variant.preheader ?? '') : preheader, body: variant ? (variant.body ?? '') : body };
  const setField = (field: 'subject' | 'preheader' | 'body', value: string) => {
    if (variant) return setVariant(field, value);
    ({ subject: setSubject, preheader: setPreheader, body: setBody })[field](value);
  };
  const defaultLocale = view?.current.content.defaultLocale ?? 'en';
  /** The language being written in this tab, and its direction: ar and fa right to left. */
  const editLocale = active || defaultLocale;
  const textDir = isRtl(editLocale) ? 'rtl' : 'ltr';
  const isMjml = /^\s*<mjml[\s>]/i.test(fieldValue.body);
  const parsedBlocks = useMemo(() => (isMjml ? parseMjml(fieldValue.body) : null), [isMjml, fieldValue.body]);
  /** A writing-assistant suggestion picked into the form (a translation becomes that locale's variant); saving is still the person's. */
  const pickSuggestion = (s: Suggestion, task: AssistTask, to: AssistLang | null) => {
    if (task === 'translate' && to) {
      const v: Variant = { ...(s.subject ? { subject: s.subject } : {}), ...(s.preheader ? { preheader: s.preheader } : {}), ...(s.body ? { body: s.body } : {}) };
      setLocales({ ...locales, [to]: v });
      setActive(to);
    } else if (s.subject !== undefined) setField('subject', s.subject);
  };

  useEffect(() => {
    if (!id) return;
    get<View>(`/api/templates/${encodeURIComponent(id)}`).then((v) => {
      setView(v);
      setName(v.name);
      setSavedName(v.name);
      loadContent(v.current.content);
    });
  }, [id]);

  /** The content as edited: variants with no field of their own are dropped; no variants at all, no `locales` key. */
  const currentContent = () => {
    const kept = Object.fromEntries(Object.entries(locales).filter(([, v]) => Object.keys(v).length > 0));
    const { locales: _old, ...base } = view?.current.content ?? { body };
    return { ...base, subject, preheader: preheader || undefined, body, ...(Object.keys(kept).length ? { locales: kept } : {}) };
  };

  /** Numbers preview requests: an answer to an older one (a slow MJML compile) must not replace a newer one. */
  const previewSeq = useRef(0);
  const renderPreview = async () => {
    const seq = ++previewSeq.current;
    setPreviewError(null);
    let contact: { contactId?: string } = {};
    if (contactRef.trim()) {
      const ref = contactRef.trim();
      if (ref.includes('@')) {
        const found = await get<{ data: { id: string }[] }>(`/api/contacts?email=${encodeURIComponent(ref)}&limit=1`);
        if (!found.data[0]) return setPreviewError(`no contact ${ref}`);
        contact = { contactId: found.data[0].id };
      } else contact = { contactId: ref };
    }
    try {
      // On a variant's tab, that variant; on the default tab with a contact, the contact's locale picks (as a send does).
      const locale = active || (contact.contactId ? undefined : defaultLocale);
      const answer = await post<Preview>('/api/templates/preview', {
        kind: view?.kind === 'transactional' ? 'transactional' : 'marketing',
        content: currentContent(),
        ...contact,
        ...(locale ? { locale } : {}),
      });
      if (seq !== previewSeq.current) return;
      setPreviewIssues([]);
      setPreview(answer);
    } catch (e) {
      if (seq !== previewSeq.current) return;
      if (e instanceof ApiError && e.issues.length) setPreviewIssues(e.issues);
      else setPreviewError((e as Error).message);
    }
  };

  // The preview follows the text as edited (400 ms after the last change), saved or not.
  useEffect(() => {
    // An existing template previews once it is loaded, not the new-template placeholder first.
    if (id && !view) return;
    const timer = setTimeout(() => void renderPreview(), 400);
    return () => clearTimeout(timer);
  }, [view, contactRef, active, subject, preheader, body, locales]); // eslint-disable-line react-hooks/exhaustive-deps

  /** Loads an older version into the editor (saving it makes it the newest version again). */
  const openVersion = async (v: number) => {
    const r = await get<{ content: View['current']['content'] }>(`/api/templates/${encodeURIComponent(id!)}/versions/${v}`);
    loadContent(r.content);
    setVersion(v === view?.currentVersion ? null : v);
  };

  const sendTest = async () => {
    setTestResult(null);
    try {
      const r = await post<{ result: { status: string; reason?: string } }>('/api/messages/send', { templateId: id, email: testTo });
      setTestResult({ ok: r.result.status === 'sent', text: `${r.result.status}${r.result.reason ? `: ${r.result.reason}` : ''}` });
    } catch (e) {
      setTestResult({ ok: false, text: (e as Error).message });
    }
  };

  const save = async () => {
    setIssues([]);
    setNotice(null);
    const content = currentContent();
    try {
      const saved = id
        ? await put<View & { newVersion: boolean }>(`/api/templates/${encodeURIComponent(id)}`, { name, content })
        : await post<View>('/api/templates', { id: newId, name: name || newId, kind: 'marketing', channel: 'email', content });
      setNotice(`${t('saved')} ${t('journeys.version')} ${saved.currentVersion}`);
      if (!id) navigate(`/templates/${encodeURIComponent(saved.id)}`);
      else setView(saved);
    } catch (e) {
      if (e instanceof ApiError) setIssues(e.issues.length ? e.issues : [{ path: '', message: e.message }]);
    }
  };

  // Issues of the tab being edited: `content.locales.fa.body` belongs to the fa tab.
  const inTab = (i: Issue) => (active ? i.path.includes(`locales.${active}.`) : !i.path.includes('locales.'));
  const bodyIssues = [...issues, ...previewIssues].filter((i) => i.path.endsWith('body') && inTab(i));
  const errorLines = new Set(bodyIssues.map(lineOf).filter((n): n is number => n !== null));
  const fieldIssues = (field: string) => issues.filter((i) => i.path.endsWith(field) && (field === 'id' || inTab(i))).map((i) => i.message);

  return (
    <div className="template-editor">
      <section className="template-form" aria-labelledby="tpl-title" ref={formRef}>
        <h1 id="tpl-title" title={id ?? undefined}>
          {id ? savedName || id : t('templates.new')}
        </h1>
        {!id && (
          <label>
            {t('templates.id')}
            <input value={newId} onChange={(e) => setNewId(e.target.value)} placeholder="welcome-1" aria-invalid={fieldIssues('id').length > 0} />
          </label>
        )}
        {fieldIssues('id').map((m) => (
          <p key={m} className="error">
            {m}
          </p>
        ))}
        <label>
          {t('journeys.name')}
          <input value={name} disabled={readOnly} onChange={(e) => setName(e.target.value)} />
        </label>
        <LocaleTabs
          defaultLocale={view?.current.content.defaultLocale ?? 'en'}
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
        <div role="tabpanel" aria-label={active || t('templates.locale.default', { locale: defaultLocale })} lang={editLocale} dir={textDir} data-testid="locale-panel">
          <label>
            {t('templates.subject')}
            <input
              value={fieldValue.subject}
              data-merge-target=""
              dir={textDir}
              lang={editLocale}
              disabled={readOnly}
              placeholder={variant ? subject : undefined}
              onChange={(e) => setField('subject', e.target.value)}
              aria-invalid={fieldIssues('subject').length > 0}
            />
          </label>
          {fieldIssues('subject').map((m) => (
            <p key={m} className="error">
              subject: {m}
            </p>
          ))}
          <label>
            {t('templates.preheader')}
            <input
              value={fieldValue.preheader}
              data-merge-target=""
              dir={textDir}
              lang={editLocale}
              disabled={readOnly}
              placeholder={variant ? preheader : undefined}
              onChange={(e) => setField('preheader', e.target.value)}
            />
          </label>
          <div className="row">
            <label htmlFor={mode === 'blocks' && parsedBlocks?.ok ? undefined : 'tpl-body'}>{t('templates.body')}</label>
            <span className="spacer" />
            {!readOnly && <MergeTagPicker target={lastField} />}
            {isMjml && (
              <div role="group" aria-label={t('tpl.mode')}>
                <button type="button" aria-pressed={mode === 'blocks'} onClick={() => setMode('blocks')}>
                  {t('tpl.mode.blocks')}
                </button>
                <button type="button" aria-pressed={mode === 'code'} onClick={() => setMode('code')}>
                  {t('tpl.mode.code')}
                </button>
              </div>
            )}
          </div>
          {isMjml && mode === 'blocks' && parsedBlocks && !parsedBlocks.ok && (
            <p className="notice" role="note" data-testid="blocks-unsupported">
              {t('tpl.blocks.unsupported', { reason: parsedBlocks.reason, line: parsedBlocks.line })}
            </p>
          )}
          {isMjml && mode === 'blocks' && parsedBlocks?.ok ? (
            <BlockEditor doc={parsedBlocks.doc} dir={textDir} lang={editLocale} disabled={readOnly} onChange={(mjml) => setField('body', mjml)} />
          ) : (
            <CodeEditor
              id="tpl-body"
              label={t('templates.body')}
              value={fieldValue.body}
              onChange={(v) => setField('body', v)}
              errorLines={errorLines}
              disabled={readOnly}
              dir={textDir}
              lang={editLocale}
            />
          )}
          {!readOnly && <AssistPanel channel="email" source={fieldValue} onPick={pickSuggestion} />}
        </div>
        {issues.length > 0 && (
          <ul className="error" role="alert" data-testid="template-issues">
            {issues.map((i) => (
              <li key={i.path + i.message}>{lineOf(i) ? `${i.path} ${t('templates.line', { line: lineOf(i)! })}: ${i.message.replace(/^\d+:\d+: /, '')}` : `${i.path}: ${i.message}`}</li>
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
        {view && (
          <section aria-labelledby="tpl-versions">
            <h2 id="tpl-versions">{t('journeys.versions')}</h2>
            <ul className="versions">
              {[...view.versions].reverse().map((v) => (
                <li key={v.version}>
                  <button type="button" className="link" aria-current={(version ?? view.currentVersion) === v.version ? 'true' : undefined} onClick={() => void openVersion(v.version)}>
                    v{v.version}
                  </button>{' '}
                  <span className="muted">{date(v.createdAt)}</span>
                </li>
              ))}
            </ul>
          </section>
        )}
        {view && !readOnly && (
          <form
            className="row"
            onSubmit={(e) => {
              e.preventDefault();
              void sendTest();
            }}
          >
            <label>
              {t('templates.testTo')} <input type="email" required value={testTo} onChange={(e) => setTestTo(e.target.value)} />
            </label>
            <button type="submit">{t('templates.sendTest')}</button>
            {testResult && (
              <span className={testResult.ok ? 'ok' : 'error'} role={testResult.ok ? 'status' : 'alert'}>
                {testResult.text}
              </span>
            )}
          </form>
        )}
      </section>
      <section className="template-preview" aria-labelledby="preview-title">
        <div className="row">
          <h2 id="preview-title">{t('templates.preview')}</h2>
          <span className="spacer" />
          <div role="group" aria-label={t('templates.preview')}>
            <button type="button" aria-pressed={width === 'desktop'} onClick={() => setWidth('desktop')}>
              {t('templates.desktop')}
            </button>
            <button type="button" aria-pressed={width === 'mobile'} onClick={() => setWidth('mobile')}>
              {t('templates.mobile')}
            </button>
          </div>
        </div>
        <label>
          {t('templates.previewAs')}
          <input value={contactRef} onChange={(e) => setContactRef(e.target.value)} placeholder={t('templates.sample')} />
        </label>
        {previewError && (
          <p className="error" role="alert">
            {previewError}
          </p>
        )}
        {previewIssues.length > 0 && (
          <ul className="error" role="alert" data-testid="preview-issues">
            {previewIssues.map((i) => (
              <li key={i.path + i.message}>{lineOf(i) ? `${i.path} ${t('templates.line', { line: lineOf(i)! })}: ${i.message.replace(/^\d+:\d+: /, '')}` : `${i.path}: ${i.message}`}</li>
            ))}
          </ul>
        )}
        {preview && (
          <>
            <p className="muted" data-testid="preview-meta">
              {t('tpl.preview.unsaved')} · {t('templates.direction', { dir: preview.direction })} · {preview.locale}
            </p>
            <div className={`device ${width}`} dir={preview.direction} data-testid="preview-device" data-direction={preview.direction}>
              <div className="subject" dir={preview.direction}>
                {preview.subject}
              </div>
              <iframe title={t('templates.preview')} sandbox="" srcDoc={preview.html} data-testid="preview-frame" />
            </div>
          </>
        )}
      </section>
    </div>
  );
}
