/**
 * The trend section of the Insights screen: GET /api/insights/series by day or hour, for the
 * workspace or split by journey, template, channel, … (the five busiest keys drawn), one measure at
 * a time in a small SVG chart (../insights/LineChart.tsx), with the flagged anomalies of that
 * measure marked where they started. The chart reads left to right in every language, so the
 * date labels lose the right-to-left marks Arabic dates carry.
 */
import { useEffect, useMemo, useState } from 'react';
import { get } from '../api';
import { useI18n } from '../i18n';
import type { MessageKey } from '../messages';
import { LineChart, type ChartSeries } from '../insights/LineChart';
import { COUNTS, RATES, isRate, valueOf, type Anomaly, type ChartMetric, type SeriesAnswer, type SeriesDimension } from '../insights/types';

const DIMENSIONS: SeriesDimension[] = ['workspace', 'journey', 'broadcast', 'template', 'channel', 'provider'];
const METRICS: ChartMetric[] = [...(Object.keys(RATES) as ChartMetric[]), ...COUNTS];
const DAY = 86_400_000;

export function InsightsSeries({ anomalies }: { anomalies: Anomaly[] }) {
  const { t, num, lang } = useI18n();
  const [bucket, setBucket] = useState<'day' | 'hour'>('day');
  const [by, setBy] = useState<SeriesDimension>('workspace');
  const [metric, setMetric] = useState<ChartMetric>('hard_bounce_rate');
  const [data, setData] = useState<SeriesAnswer | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    setError(null);
    // Days: the last 8 weeks (the baseline looks back 4); hours: the last 2 days.
    const to = Math.ceil(Date.now() / 3_600_000) * 3_600_000;
    const from = to - (bucket === 'day' ? 56 * DAY : 2 * DAY);
    get<SeriesAnswer>(`/api/insights/series?bucket=${bucket}&by=${by}&from=${from}&to=${to}`).then(setData, (e: Error) => setError(e.message));
  }, [bucket, by]);

  const series = useMemo<ChartSeries[]>(() => {
    if (!data) return [];
    const byKey = new Map<string, SeriesAnswer['points']>();
    for (const p of data.points) byKey.set(p.key, [...(byKey.get(p.key) ?? []), p]);
    const busiest = [...byKey.entries()].sort((a, b) => b[1].reduce((n, p) => n + p.sends, 0) - a[1].reduce((n, p) => n + p.sends, 0)).slice(0, 5);
    return busiest.map(([key, points]) => ({
      name: key || t('insights.by.workspace'),
      points: points.sort((a, b) => a.bucket - b.bucket).map((p) => [p.bucket, valueOf(p, metric)] as [number, number | null]),
    }));
  }, [data, metric, t]);

  const dates = new Intl.DateTimeFormat(lang, bucket === 'day' ? { dateStyle: 'medium' } : { dateStyle: 'short', timeStyle: 'short' });
  const percent = new Intl.NumberFormat(lang, { style: 'percent', maximumFractionDigits: 1 });
  const markers = anomalies.filter((a) => a.metric === metric).map((a) => ({ x: a.startedAt, label: a.explanation.summary }));

  return (
    <section className="card" aria-labelledby="insights-series-title" data-testid="insights-series">
      <h2 id="insights-series-title">{t('insights.series')}</h2>
      <div className="row">
        <label>
          {t('insights.metric')}
          <select value={metric} onChange={(e) => setMetric(e.target.value as ChartMetric)} data-testid="series-metric">
            {METRICS.map((m) => (
              <option key={m} value={m}>
                {t(`insights.metric.${m}` as MessageKey)}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('insights.by')}
          <select value={by} onChange={(e) => setBy(e.target.value as SeriesDimension)}>
            {DIMENSIONS.map((d) => (
              <option key={d} value={d}>
                {t(`insights.by.${d}`)}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('insights.bucket')}
          <select value={bucket} onChange={(e) => setBucket(e.target.value as 'day' | 'hour')}>
            <option value="day">{t('insights.bucket.day')}</option>
            <option value="hour">{t('insights.bucket.hour')}</option>
          </select>
        </label>
      </div>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {data && series.length === 0 && <p className="muted">{t('insights.noData')}</p>}
      {series.length > 0 && (
        <LineChart
          title={t(`insights.metric.${metric}` as MessageKey)}
          series={series}
          markers={markers}
          formatY={(n) => (isRate(metric) ? percent.format(n) : num(Math.round(n)))}
          formatX={(ms) => dates.format(ms).replace(/[\u200e\u200f\u061c]/g, '')}
        />
      )}
    </section>
  );
}
