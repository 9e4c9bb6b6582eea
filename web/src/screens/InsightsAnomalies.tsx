/**
 * The flagged anomalies of the Insights screen (GET /api/insights/anomalies), latest first, each
 * with the server's one-line explanation; "Explain" opens its drill-down: per dimension (recipient
 * domain, template, locale, provider, journey, segment) the values that carry the change, how many
 * times what was expected, and their share of the change against their share of the messages.
 */
import { Fragment, useState } from 'react';
import { useI18n } from '../i18n';
import type { MessageKey } from '../messages';
import type { Anomaly, Explanation } from '../insights/types';

export function InsightsAnomalies({ anomalies }: { anomalies: Anomaly[] }) {
  const { t, lang } = useI18n();
  const [open, setOpen] = useState<string | null>(null);
  const dates = new Intl.DateTimeFormat(lang, { dateStyle: 'medium' });
  const value = (a: Anomaly, v: number) =>
    a.metric.endsWith('_rate') ? new Intl.NumberFormat(lang, { style: 'percent', maximumFractionDigits: 2 }).format(v) : new Intl.NumberFormat(lang, { maximumFractionDigits: 1 }).format(v);
  const metricName = (m: string) => {
    const key = `insights.metric.${m}` as MessageKey;
    const s = t(key);
    return s === key ? m : s;
  };
  return (
    <section className="card" aria-labelledby="insights-anomalies-title" data-testid="insights-anomalies">
      <h2 id="insights-anomalies-title">{t('insights.anomalies')}</h2>
      <p className="muted small">{t('insights.anomalies.hint')}</p>
      {anomalies.length === 0 ? (
        <p className="muted">{t('insights.anomalies.none')}</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th>{t('insights.anomaly.what')}</th>
              <th>{t('insights.anomaly.scope')}</th>
              <th>{t('insights.anomaly.started')}</th>
              <th>{t('insights.anomaly.observedExpected')}</th>
              <th>{t('insights.anomaly.status')}</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {anomalies.map((a) => (
              <Fragment key={a.id}>
                <tr data-testid="anomaly-row" data-metric={a.metric}>
                  <td>
                    {metricName(a.metric)} {a.direction === 'up' ? '▲' : '▼'} <span className="sr-only">{t(`insights.anomaly.${a.direction}`)}</span>
                  </td>
                  <td>
                    <bdi>{a.scope.kind === 'workspace' ? t('insights.anomaly.scope.workspace') : `${t(`insights.by.${a.scope.kind}`)}: ${a.scope.id}`}</bdi>
                  </td>
                  <td>{dates.format(a.startedAt)}</td>
                  <td>
                    {value(a, a.observed)} / {value(a, a.expected)}
                  </td>
                  <td>{t(`insights.anomaly.status.${a.status}`)}</td>
                  <td>
                    <button type="button" aria-expanded={open === a.id} onClick={() => setOpen(open === a.id ? null : a.id)}>
                      {t('insights.drill')}
                    </button>
                  </td>
                </tr>
                <tr>
                  <td colSpan={6} className="small">
                    <bdi dir="ltr">{a.explanation.summary}</bdi>
                  </td>
                </tr>
                {open === a.id && (
                  <tr>
                    <td colSpan={6}>
                      <DrillDown explanation={a.explanation} />
                    </td>
                  </tr>
                )}
              </Fragment>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function DrillDown({ explanation }: { explanation: Explanation }) {
  const { t, lang } = useI18n();
  const pct = new Intl.NumberFormat(lang, { style: 'percent', maximumFractionDigits: 0 });
  const times = new Intl.NumberFormat(lang, { maximumFractionDigits: 1 });
  const dims = explanation.dimensions.filter((d) => d.values.length > 0);
  return (
    <div className="drill-down" data-testid="drill-down" role="region" aria-label={t('insights.drill.title')}>
      <h3>{t('insights.drill.title')}</h3>
      {dims.map((d) => (
        <table key={d.dimension} data-dimension={d.dimension}>
          <caption>{t(`insights.drill.dimension.${d.dimension}` as MessageKey)}</caption>
          <thead>
            <tr>
              <th>{t('insights.drill.value')}</th>
              <th>{t('insights.drill.ratio')}</th>
              <th>{t('insights.drill.share')}</th>
              <th>{t('insights.drill.volumeShare')}</th>
            </tr>
          </thead>
          <tbody>
            {d.values.map((v) => (
              <tr key={v.value}>
                <td>
                  <bdi>{v.value}</bdi>
                </td>
                <td>{v.ratio === null ? '—' : `×${times.format(v.ratio)}`}</td>
                <td>{pct.format(v.share)}</td>
                <td>{pct.format(v.volumeShare)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ))}
    </div>
  );
}
