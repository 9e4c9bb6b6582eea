/**
 * The SMS section of the settings: the workspace's SMS settings (GET/PUT /api/channels/sms/settings)
 * and its SMS providers (./SmsProviders.tsx). A PUT replaces the whole settings object, so fields
 * this form does not show (`countryRules`) are sent back as loaded. Errors name their field.
 */
import { useEffect, useState, type FormEvent } from 'react';
import { ApiError, get, put, type Issue } from '../../api';
import { useI18n } from '../../i18n';
import { SmsProviders } from './SmsProviders';

export interface SmsSettings {
  defaultCountry?: string;
  senderIds: Record<string, string>;
  helpText: string;
  keywords: { stop: string[]; start: string[]; help: string[] };
  quietHours: { start: string; end: string };
  maxSegments: number;
  replaceTypographic: boolean;
  countryRules: Record<string, unknown>;
}

type KeywordKind = keyof SmsSettings['keywords'];
const KEYWORD_KINDS: KeywordKind[] = ['stop', 'start', 'help'];
const words = (s: string) =>
  s
    .split(/[,،\n]/)
    .map((w) => w.trim())
    .filter(Boolean);

export function SmsSettingsSection({ admin }: { admin: boolean }) {
  const { t } = useI18n();
  const [loaded, setLoaded] = useState<SmsSettings | null>(null);
  const [country, setCountry] = useState('');
  const [senders, setSenders] = useState<[string, string][]>([]);
  const [helpText, setHelpText] = useState('');
  const [keywords, setKeywords] = useState<Record<KeywordKind, string>>({ stop: '', start: '', help: '' });
  const [start, setStart] = useState('21:00');
  const [end, setEnd] = useState('08:00');
  const [maxSegments, setMaxSegments] = useState('6');
  const [replace, setReplace] = useState(false);
  const [issues, setIssues] = useState<Issue[]>([]);
  const [saved, setSaved] = useState(false);

  const show = (s: SmsSettings) => {
    setLoaded(s);
    setCountry(s.defaultCountry ?? '');
    setSenders(Object.entries(s.senderIds));
    setHelpText(s.helpText);
    setKeywords({ stop: s.keywords.stop.join(', '), start: s.keywords.start.join(', '), help: s.keywords.help.join(', ') });
    setStart(s.quietHours.start);
    setEnd(s.quietHours.end);
    setMaxSegments(String(s.maxSegments));
    setReplace(s.replaceTypographic);
  };
  useEffect(() => {
    get<SmsSettings>('/api/channels/sms/settings').then(show, () => {});
  }, []);
  if (!loaded) return null;

  const save = async (e: FormEvent) => {
    e.preventDefault();
    setIssues([]);
    setSaved(false);
    try {
      show(
        await put<SmsSettings>('/api/channels/sms/settings', {
          ...(country.trim() ? { defaultCountry: country.trim().toUpperCase() } : {}),
          senderIds: Object.fromEntries(senders.filter(([k, v]) => k.trim() || v.trim()).map(([k, v]) => [k.trim() === 'default' ? 'default' : k.trim().toUpperCase(), v.trim()])),
          helpText,
          keywords: { stop: words(keywords.stop), start: words(keywords.start), help: words(keywords.help) },
          quietHours: { start, end },
          maxSegments: Number(maxSegments),
          replaceTypographic: replace,
          countryRules: loaded.countryRules,
        }),
      );
      setSaved(true);
    } catch (err) {
      if (err instanceof ApiError) setIssues(err.issues.length ? err.issues : [{ path: '', message: err.message }]);
    }
  };
  const errs = (path: string) => issues.filter((i) => i.path === `body.${path}` || i.path.startsWith(`body.${path}.`));
  const errorOf = (path: string) => {
    const list = errs(path);
    return list.length ? (
      <span id={`sms-err-${path}`} className="error small" role="alert">
        {list.map((i) => `${i.path.replace(/^body\./, '')}: ${i.message}`).join('; ')}
      </span>
    ) : null;
  };
  const invalid = (path: string) => ({ 'aria-invalid': errs(path).length > 0, ...(errs(path).length ? { 'aria-describedby': `sms-err-${path}` } : {}) });

  return (
    <section className="card" aria-labelledby="sms-title" data-testid="sms-settings">
      <h2 id="sms-title">{t('sms.settings.title')}</h2>
      <form onSubmit={(e) => void save(e)}>
        <fieldset disabled={!admin}>
          <div className="row">
            <label>
              {t('sms.settings.defaultCountry')}
              <input value={country} size={4} maxLength={2} dir="ltr" placeholder="SA" onChange={(e) => setCountry(e.target.value)} {...invalid('defaultCountry')} />
              {errorOf('defaultCountry')}
            </label>
            <label>
              {t('sms.settings.maxSegments')}
              <input type="number" min={1} max={10} value={maxSegments} onChange={(e) => setMaxSegments(e.target.value)} {...invalid('maxSegments')} />
              {errorOf('maxSegments')}
            </label>
            <label>
              {t('settings.guards.from')}
              <input type="time" value={start} onChange={(e) => setStart(e.target.value)} {...invalid('quietHours.start')} />
            </label>
            <label>
              {t('settings.guards.until')}
              <input type="time" value={end} onChange={(e) => setEnd(e.target.value)} {...invalid('quietHours.end')} />
            </label>
          </div>
          <p className="muted small">{t('sms.settings.quietHint')}</p>
          {errorOf('quietHours')}
          <fieldset>
            <legend>{t('sms.settings.senderIds')}</legend>
            {senders.map(([k, v], i) => (
              <div className="row" key={i}>
                <input
                  aria-label={t('sms.settings.senderCountry')}
                  value={k}
                  size={8}
                  dir="ltr"
                  placeholder="default"
                  onChange={(e) => setSenders(senders.map((s, j) => (j === i ? [e.target.value, s[1]] : s)))}
                />
                <input
                  aria-label={t('sms.settings.sender')}
                  value={v}
                  maxLength={16}
                  dir="ltr"
                  onChange={(e) => setSenders(senders.map((s, j) => (j === i ? [s[0], e.target.value] : s)))}
                  {...invalid(`senderIds.${k}`)}
                />
                <button type="button" className="link" onClick={() => setSenders(senders.filter((_, j) => j !== i))}>
                  {t('delete')}
                </button>
              </div>
            ))}
            <button type="button" onClick={() => setSenders([...senders, [senders.some(([k]) => k === 'default') ? '' : 'default', '']])}>
              {t('sms.settings.addSender')}
            </button>
            <p className="muted small">{t('sms.settings.senderHint')}</p>
            {errorOf('senderIds')}
          </fieldset>
          <label>
            {t('sms.settings.helpText')}
            <textarea rows={2} value={helpText} dir="auto" onChange={(e) => setHelpText(e.target.value)} {...invalid('helpText')} />
            {errorOf('helpText')}
          </label>
          {KEYWORD_KINDS.map((k) => (
            <label key={k}>
              {t(`sms.settings.keywords.${k}`)}
              <input value={keywords[k]} dir="auto" placeholder={t('sms.settings.keywordsHint')} onChange={(e) => setKeywords({ ...keywords, [k]: e.target.value })} {...invalid(`keywords.${k}`)} />
              {errorOf(`keywords.${k}`)}
            </label>
          ))}
          <label className="check">
            <input type="checkbox" checked={replace} onChange={(e) => setReplace(e.target.checked)} /> {t('sms.settings.replaceTypographic')}
          </label>
        </fieldset>
        {issues
          .filter((i) => !/^body\.(defaultCountry|maxSegments|quietHours|senderIds|helpText|keywords)/.test(i.path))
          .map((i) => (
            <p key={i.path + i.message} className="error" role="alert">
              {i.path ? `${i.path.replace(/^body\.?/, '')}: ` : ''}
              {i.message}
            </p>
          ))}
        {admin && (
          <div className="row">
            <button type="submit" className="primary">
              {t('save')}
            </button>
            {saved && (
              <span className="ok" role="status">
                {t('saved')}
              </span>
            )}
          </div>
        )}
      </form>
      <SmsProviders admin={admin} />
    </section>
  );
}
