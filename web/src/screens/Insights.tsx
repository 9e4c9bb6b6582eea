/**
 * The Insights screen (issue 22): the series with the flagged anomalies marked, the anomalies with
 * their drill-down, the correlations with conversion (worded as associations) and the prediction
 * models' held-out quality. Everything is read from /api/insights (../insights/types.ts); nothing
 * here changes data.
 */
import { useEffect, useState } from 'react';
import { get } from '../api';
import { useI18n } from '../i18n';
import type { Anomaly } from '../insights/types';
import { InsightsSeries } from './InsightsSeries';
import { InsightsAnomalies } from './InsightsAnomalies';
import { InsightsCorrelations } from './InsightsCorrelations';
import { InsightsModels } from './InsightsModels';

export function Insights() {
  const { t } = useI18n();
  const [anomalies, setAnomalies] = useState<Anomaly[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    get<{ data: Anomaly[] }>('/api/insights/anomalies?limit=100').then(
      (r) => setAnomalies(r.data),
      (e: Error) => setError(e.message),
    );
  }, []);
  return (
    <div className="insights" data-testid="insights">
      <h1>{t('insights.title')}</h1>
      <p className="muted">{t('insights.intro')}</p>
      <InsightsSeries anomalies={anomalies ?? []} />
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {anomalies && <InsightsAnomalies anomalies={anomalies} />}
      <InsightsCorrelations />
      <InsightsModels />
    </div>
  );
}
