/**
 * The workspace's default quiet hours and frequency cap (GET/PUT /api/workspace/messaging), which
 * every journey and broadcast without its own follows. Each can be switched off; the outcome says
 * what happens to a message held by it (defer: later; skip: not sent).
 */
import { useEffect, useState, type FormEvent } from 'react';
import { ApiError, get, put, type Issue } from '../../api';
import { useI18n } from '../../i18n';

type Outcome = 'defer' | 'skip';
interface Defaults {
  quietHours: { start: string; end: string; outcome: Outcome } | null;
  frequencyCap: { max: number; per: string; channel?: string; outcome: Outcome } | null;
}

export function MessagingDefaults({ admin }: { admin: boolean }) {
  const { t } = useI18n();
  const [loaded, setLoaded] = useState(false);
  const [quiet, setQuiet] = useState(false);
  const [start, setStart] = useState('21:00');
  const [end, setEnd] = useState('08:00');
  const [quietOutcome, setQuietOutcome] = useState<Outcome>('defer');
  const [capped, setCapped] = useState(false);
  const [max, setMax] = useState('3');
  const [per, setPer] = useState('1w');
  const [capOutcome, setCapOutcome] = useState<Outcome>('defer');
  const [channel, setChannel] = useState<string | undefined>(undefined);
  const [issues, setIssues] = useState<Issue[]>([]);
  const [saved, setSaved] = useState(false);

  const show = (d: Defaults) => {
    setQuiet(d.quietHours !== null);
    if (d.quietHours) {
      setStart(d.quietHours.start);
      setEnd(d.quietHours.end);
      setQuietOutcome(d.quietHours.outcome);
    }
    setCapped(d.frequencyCap !== null);
    if (d.frequencyCap) {
      setMax(String(d.frequencyCap.max));
      setPer(d.frequencyCap.per);
      setCapOutcome(d.frequencyCap.outcome);
      setChannel(d.frequencyCap.channel);
    }
    setLoaded(true);
  };
  useEffect(() => {
    get<Defaults>('/api/workspace/messaging').then(show, () => {});
  }, []);
  if (!loaded) return null;

  const save = async (e: FormEvent) => {
    e.preventDefault();
    setIssues([]);
    setSaved(false);
    try {
      show(
        await put<Defaults>('/api/workspace/messaging', {
          quietHours: quiet ? { start, end, outcome: quietOutcome } : null,
          frequencyCap: capped ? { max: Number(max), per: per.trim(), outcome: capOutcome, ...(channel ? { channel } : {}) } : null,
        }),
      );
      setSaved(true);
    } catch (err) {
      if (err instanceof ApiError) setIssues(err.issues.length ? err.issues : [{ path: '', message: err.message }]);
    }
  };
  const errs = (path: string) => issues.filter((i) => i.path.startsWith(`body.${path}`));
  const errorList = (path: string) => {
    const list = errs(path);
    return list.length ? (
      <span id={`guard-err-${path}`} className="error small" role="alert">
        {list.map((i) => `${i.path.replace(/^body\./, '')}: ${i.message}`).join('; ')}
      </span>
    ) : null;
  };
  const invalid = (path: string) => ({ 'aria-invalid': errs(path).length > 0, ...(errs(path).length ? { 'aria-describedby': `guard-err-${path}` } : {}) });

  return (
    <form className="card" onSubmit={(e) => void save(e)} aria-labelledby="guards-title">
      <h2 id="guards-title">{t('settings.guards.title')}</h2>
      <p className="muted small">{t('settings.guards.hint')}</p>
      <fieldset disabled={!admin}>
        <legend>
          <label className="check">
            <input type="checkbox" checked={quiet} onChange={(e) => setQuiet(e.target.checked)} /> {t('settings.guards.quiet')}
          </label>
        </legend>
        <div className="row">
          <label>
            {t('settings.guards.from')}
            <input type="time" value={start} disabled={!quiet} onChange={(e) => setStart(e.target.value)} {...invalid('quietHours.start')} />
          </label>
          <label>
            {t('settings.guards.until')}
            <input type="time" value={end} disabled={!quiet} onChange={(e) => setEnd(e.target.value)} {...invalid('quietHours.end')} />
          </label>
          <label>
            {t('settings.guards.outcome')}
            <select value={quietOutcome} disabled={!quiet} onChange={(e) => setQuietOutcome(e.target.value as Outcome)}>
              <option value="defer">{t('settings.guards.defer')}</option>
              <option value="skip">{t('settings.guards.skip')}</option>
            </select>
          </label>
        </div>
        <p className="muted small">{t('settings.guards.quietHint')}</p>
        {errorList('quietHours')}
      </fieldset>
      <fieldset disabled={!admin}>
        <legend>
          <label className="check">
            <input type="checkbox" checked={capped} onChange={(e) => setCapped(e.target.checked)} /> {t('settings.guards.cap')}
          </label>
        </legend>
        <div className="row">
          <label>
            {t('settings.guards.max')}
            <input type="number" min={1} value={max} disabled={!capped} onChange={(e) => setMax(e.target.value)} {...invalid('frequencyCap.max')} />
          </label>
          <label>
            {t('settings.guards.per')}
            <input value={per} disabled={!capped} onChange={(e) => setPer(e.target.value)} placeholder="1w" dir="ltr" {...invalid('frequencyCap.per')} />
          </label>
          <label>
            {t('settings.guards.outcome')}
            <select value={capOutcome} disabled={!capped} onChange={(e) => setCapOutcome(e.target.value as Outcome)}>
              <option value="defer">{t('settings.guards.defer')}</option>
              <option value="skip">{t('settings.guards.skip')}</option>
            </select>
          </label>
        </div>
        <p className="muted small">{t('settings.guards.perHint')}</p>
        {errorList('frequencyCap')}
      </fieldset>
      {issues
        .filter((i) => !i.path.startsWith('body.quietHours') && !i.path.startsWith('body.frequencyCap'))
        .map((i) => (
          <p key={i.path + i.message} className="error" role="alert">
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
  );
}
