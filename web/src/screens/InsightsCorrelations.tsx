/**
 * The correlations section of the Insights screen (GET /api/insights/correlations?goal=): which
 * attributes, segments, events and messages go with a purchase or a journey's goal, with the rates
 * with and without, the lift and its 95% interval and the Benjamini–Hochberg adjusted p-value. Worded
 * as associations, never causes; each row says how to test it (a holdout or an A/B split).
 */
import { useEffect, useState, type FormEvent } from 'react';
import { get } from '../api';
import { useI18n } from '../i18n';
import type { CorrelationReport } from '../insights/types';

export function InsightsCorrelations() {
  const { t, num, lang } = useI18n();
  const [goal, setGoal] = useState('purchase');
  const [journey, setJourney] = useState('');
  const [windowDays, setWindowDays] = useState('30');
  const [asked, setAsked] = useState('goal=purchase&windowDays=30');
  const [report, setReport] = useState<CorrelationReport | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [onlySignificant, setOnlySignificant] = useState(false);

  useEffect(() => {
    setError(null);
    setReport(null);
    get<CorrelationReport>(`/api/insights/correlations?${asked}`).then(setReport, (e: Error) => setError(e.message));
  }, [asked]);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const g = goal === 'journey' ? `journey:${journey.trim()}` : 'purchase';
    setAsked(`goal=${encodeURIComponent(g)}&windowDays=${encodeURIComponent(windowDays.trim())}`);
  };
  const pct = new Intl.NumberFormat(lang, { style: 'percent', maximumFractionDigits: 1 });
  const x = new Intl.NumberFormat(lang, { maximumFractionDigits: 2 });
  const p = (v: number) => (v < 0.001 ? '< 0.001' : new Intl.NumberFormat(lang, { maximumSignificantDigits: 2 }).format(v));
  const rows = report?.rows.filter((r) => !onlySignificant || r.significant) ?? [];

  return (
    <section className="card" aria-labelledby="insights-corr-title" data-testid="insights-correlations">
      <h2 id="insights-corr-title">{t('insights.correlations')}</h2>
      <p className="notice" role="note" data-testid="association-note">
        {t('insights.corr.association')}
      </p>
      <form className="row" onSubmit={submit}>
        <label>
          {t('insights.goal')}
          <select value={goal} onChange={(e) => setGoal(e.target.value)}>
            <option value="purchase">{t('insights.goal.purchase')}</option>
            <option value="journey">{t('insights.goal.journey')}</option>
          </select>
        </label>
        {goal === 'journey' && <input aria-label={t('insights.goal.journey')} value={journey} dir="ltr" onChange={(e) => setJourney(e.target.value)} />}
        <label>
          {t('insights.corr.window')}
          <input type="number" min={1} max={365} value={windowDays} onChange={(e) => setWindowDays(e.target.value)} />
        </label>
        <button type="submit">{t('insights.corr.run')}</button>
        <label className="check">
          <input type="checkbox" checked={onlySignificant} onChange={(e) => setOnlySignificant(e.target.checked)} /> {t('insights.corr.onlySignificant')}
        </label>
      </form>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {report && <p className="muted small">{t('insights.corr.population', { n: report.population, c: report.converted, t: report.tested })}</p>}
      {report && rows.length === 0 && <p className="muted">{t('insights.corr.none')}</p>}
      {rows.length > 0 && (
        <table data-testid="correlations-table">
          <thead>
            <tr>
              <th>{t('insights.corr.label')}</th>
              <th>{t('insights.corr.kind')}</th>
              <th>{t('insights.corr.rateWith')}</th>
              <th>{t('insights.corr.rateWithout')}</th>
              <th>{t('insights.corr.lift')}</th>
              <th>{t('insights.corr.ci')}</th>
              <th>{t('insights.corr.q')}</th>
              <th>{t('insights.corr.significant')}</th>
              <th>{t('insights.corr.test')}</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={`${r.kind}:${r.key}:${r.value}`} data-testid="correlation-row" data-key={r.key} data-significant={r.significant}>
                <td>
                  <bdi>{r.label}</bdi>
                </td>
                <td>{t(`insights.corr.kind.${r.kind}`)}</td>
                <td title={`${r.withConverted}/${r.withN}`}>
                  {pct.format(r.rateWith)} <span className="muted small">({num(r.withN)})</span>
                </td>
                <td title={`${r.withoutConverted}/${r.withoutN}`}>
                  {pct.format(r.rateWithout)} <span className="muted small">({num(r.withoutN)})</span>
                </td>
                <td>{r.lift === null ? '—' : `×${x.format(r.lift)}`}</td>
                <td>
                  <bdi dir="ltr">{r.liftCi ? `${x.format(r.liftCi.low)}–${x.format(r.liftCi.high)}` : '—'}</bdi>
                </td>
                <td>
                  <bdi dir="ltr" className="nowrap">
                    {p(r.qValue)}
                  </bdi>
                </td>
                <td>{r.significant ? t('insights.yes') : t('insights.no')}</td>
                <td className="small">
                  <bdi dir="ltr">{r.test.how}</bdi>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
