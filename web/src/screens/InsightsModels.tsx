/**
 * The prediction section of the Insights screen (GET /api/insights/models): for predicted conversion
 * and churn, the held-out AUC and Brier score, the train and held-out sizes, the calibration plot and
 * the distribution of held-out scores (../insights/CalibrationPlot.tsx).
 */
import { useEffect, useState } from 'react';
import { get } from '../api';
import { useI18n } from '../i18n';
import { CalibrationPlot, ScoreHistogram } from '../insights/CalibrationPlot';
import type { Model } from '../insights/types';

export function InsightsModels() {
  const { t, lang } = useI18n();
  const [models, setModels] = useState<Model[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    get<{ data: Model[] }>('/api/insights/models').then(
      (r) => setModels(r.data),
      (e: Error) => setError(e.message),
    );
  }, []);
  const f = new Intl.NumberFormat(lang, { maximumFractionDigits: 3 });
  return (
    <section className="card" aria-labelledby="insights-models-title" data-testid="insights-models">
      <h2 id="insights-models-title">{t('insights.models')}</h2>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {models && models.length === 0 && <p className="muted">{t('insights.model.none')}</p>}
      <div className="row">
        {models?.map((m) => (
          <div key={m.kind} className="model" data-testid="model" data-kind={m.kind}>
            <h3>{t(`insights.model.${m.kind}`)}</h3>
            {m.status === 'insufficient_data' ? (
              <p className="muted">{t('insights.model.insufficient')}</p>
            ) : (
              <>
                <dl>
                  <dt>{t('insights.model.auc')}</dt>
                  <dd data-testid="model-auc">{m.auc === null ? '—' : f.format(m.auc)}</dd>
                  <dt>{t('insights.model.brier')}</dt>
                  <dd>{m.brier === null ? '—' : f.format(m.brier)}</dd>
                </dl>
                <p className="muted small">{t('insights.model.sizes', { train: m.trainSize, tp: m.trainPositives, evaluated: m.evalSize, ep: m.evalPositives })}</p>
                <figure>
                  <figcaption>{t('insights.model.calibration')}</figcaption>
                  <CalibrationPlot bins={m.calibration} title={t('insights.model.calibration')} axisX={t('insights.model.predicted')} axisY={t('insights.model.observed')} />
                </figure>
                <figure>
                  <figcaption>{t('insights.model.distribution')}</figcaption>
                  <ScoreHistogram bins={m.calibration} title={t('insights.model.distribution')} />
                </figure>
              </>
            )}
          </div>
        ))}
      </div>
    </section>
  );
}
