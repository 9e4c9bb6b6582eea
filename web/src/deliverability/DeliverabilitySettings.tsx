/**
 * Settings › Deliverability: the reputation breaker's thresholds and alerts, the sunset policy
 * (GET/PUT /api/deliverability/settings), skips by reason over 30 days (GET
 * /api/deliverability/skips), and the sending-domain check (GET /api/deliverability/domains).
 * Rates are shown as percentages and stored as fractions.
 */
import { useEffect, useState, type FormEvent } from 'react';
import { ApiError, get, put, type Issue } from '../api';
import { useI18n } from '../i18n';
import { DomainCheck } from './DomainCheck';

interface Settings {
  breaker: { enabled: boolean; complaintRate: number; hardBounceRate: number; windowHours: number; minSample: number; alertTemplateId: string | null; webhookUrl: string | null };
  sunset: { enabled: boolean; inactiveDays: number; reengageDaysBefore: number };
}

const pct = (f: number) => String(Math.round(f * 100_000) / 1000);

export function DeliverabilitySettings({ admin }: { admin: boolean }) {
  const { t, num } = useI18n();
  const [s, setS] = useState<Settings | null>(null);
  const [complaint, setComplaint] = useState('');
  const [bounce, setBounce] = useState('');
  const [skips, setSkips] = useState<{ reason: string; count: number }[]>([]);
  const [issues, setIssues] = useState<Issue[]>([]);
  const [saved, setSaved] = useState(false);

  const show = (v: Settings) => {
    setS(v);
    setComplaint(pct(v.breaker.complaintRate));
    setBounce(pct(v.breaker.hardBounceRate));
  };
  useEffect(() => {
    get<Settings>('/api/deliverability/settings').then(show, () => {});
    get<{ data: { reason: string; count: number }[] }>('/api/deliverability/skips').then(
      (r) => setSkips(r.data),
      () => {},
    );
  }, []);
  if (!s) return null;
  const b = s.breaker;
  const su = s.sunset;
  const setB = (patch: Partial<Settings['breaker']>) => setS({ ...s, breaker: { ...b, ...patch } });
  const setSu = (patch: Partial<Settings['sunset']>) => setS({ ...s, sunset: { ...su, ...patch } });

  const save = async (e: FormEvent) => {
    e.preventDefault();
    setIssues([]);
    setSaved(false);
    try {
      show(await put<Settings>('/api/deliverability/settings', { ...s, breaker: { ...b, complaintRate: Number(complaint) / 100, hardBounceRate: Number(bounce) / 100 } }));
      setSaved(true);
    } catch (err) {
      if (err instanceof ApiError) setIssues(err.issues.length ? err.issues : [{ path: '', message: err.message }]);
    }
  };

  return (
    <section className="card" aria-labelledby="dlv-title">
      <h2 id="dlv-title">{t('dlv.title')}</h2>
      <form onSubmit={(e) => void save(e)}>
        <fieldset disabled={!admin}>
          <legend>
            <label className="check">
              <input type="checkbox" checked={b.enabled} onChange={(e) => setB({ enabled: e.target.checked })} /> {t('dlv.breaker')}
            </label>
          </legend>
          <p className="muted small">{t('dlv.breakerHint')}</p>
          <div className="row">
            <label>
              {t('dlv.complaintRate')}
              <input type="number" step="0.01" min="0.01" max="100" value={complaint} onChange={(e) => setComplaint(e.target.value)} />
            </label>
            <label>
              {t('dlv.hardBounceRate')}
              <input type="number" step="0.1" min="0.1" max="100" value={bounce} onChange={(e) => setBounce(e.target.value)} />
            </label>
            <label>
              {t('dlv.windowHours')}
              <input type="number" min={1} max={720} value={b.windowHours} onChange={(e) => setB({ windowHours: Number(e.target.value) })} />
            </label>
            <label>
              {t('dlv.minSample')}
              <input type="number" min={1} value={b.minSample} onChange={(e) => setB({ minSample: Number(e.target.value) })} />
            </label>
          </div>
          <div className="row">
            <label>
              {t('dlv.alertTemplate')}
              <input value={b.alertTemplateId ?? ''} onChange={(e) => setB({ alertTemplateId: e.target.value.trim() || null })} />
            </label>
            <label>
              {t('dlv.webhookUrl')}
              <input type="url" dir="ltr" value={b.webhookUrl ?? ''} onChange={(e) => setB({ webhookUrl: e.target.value.trim() || null })} />
            </label>
          </div>
        </fieldset>
        <fieldset disabled={!admin}>
          <legend>
            <label className="check">
              <input type="checkbox" checked={su.enabled} onChange={(e) => setSu({ enabled: e.target.checked })} /> {t('dlv.sunset')}
            </label>
          </legend>
          <p className="muted small">{t('dlv.sunsetHint')}</p>
          <div className="row">
            <label>
              {t('dlv.inactiveDays')}
              <input type="number" min={7} max={3650} value={su.inactiveDays} disabled={!su.enabled} onChange={(e) => setSu({ inactiveDays: Number(e.target.value) })} />
            </label>
            <label>
              {t('dlv.reengageDays')}
              <input type="number" min={0} max={365} value={su.reengageDaysBefore} disabled={!su.enabled} onChange={(e) => setSu({ reengageDaysBefore: Number(e.target.value) })} />
            </label>
          </div>
        </fieldset>
        {issues.length > 0 && (
          <p className="error small" role="alert">
            {issues.map((i) => `${i.path.replace(/^body\./, '')}: ${i.message}`).join('; ')}
          </p>
        )}
        {admin && (
          <div className="row">
            <button type="submit" className="primary">
              {t('dlv.save')}
            </button>
            {saved && (
              <span className="ok small" role="status">
                {t('dlv.saved')}
              </span>
            )}
          </div>
        )}
      </form>
      <h3>{t('dlv.skips')}</h3>
      {skips.length === 0 ? (
        <p className="muted small">{t('dlv.noSkips')}</p>
      ) : (
        <ul className="small" data-testid="skips-by-reason">
          {skips.map((k) => (
            <li key={k.reason}>
              <bdi>{k.reason}</bdi>: <strong>{num(k.count)}</strong>
            </li>
          ))}
        </ul>
      )}
      <DomainCheck />
    </section>
  );
}
