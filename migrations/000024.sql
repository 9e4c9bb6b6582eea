-- Insights (docs/insights.md): the prediction models of a workspace and each contact's scores.
-- Times are epoch milliseconds.

-- One model per workspace and kind (conversion_30d | churn_30d), replaced on each training.
-- `model` holds the feature names, their standardisation and the coefficients; `calibration` the
-- reliability bins measured on the held-out (later) cut; `train_cut` / `eval_cut` are the instants
-- whose state was used to train and to evaluate.
CREATE TABLE insight_models (
  workspace_id text NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  kind text NOT NULL,
  status text NOT NULL,
  trained_at bigint NOT NULL,
  train_cut bigint NOT NULL,
  eval_cut bigint NOT NULL,
  scored_cut bigint NOT NULL,
  train_size integer NOT NULL,
  train_positives integer NOT NULL,
  eval_size integer NOT NULL,
  eval_positives integer NOT NULL,
  auc double precision,
  brier double precision,
  calibration {{json}} NOT NULL,
  model {{json}} NOT NULL,
  duration_ms integer NOT NULL,
  PRIMARY KEY (workspace_id, kind)
);

-- Each contact's latest scores (NULL: that model is not trained) and the features that contributed
-- most to each (`{ conversion_30d: [{ feature, value, contribution }], churn_30d: [...] }`).
-- Segments read it by (workspace_id, contact_id).
CREATE TABLE contact_predictions (
  workspace_id text NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  contact_id text NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
  conversion_30d double precision,
  churn_30d double precision,
  explanation {{json}} NOT NULL,
  scored_at bigint NOT NULL,
  PRIMARY KEY (workspace_id, contact_id)
);
CREATE INDEX contact_predictions_conversion ON contact_predictions (workspace_id, conversion_30d);
CREATE INDEX contact_predictions_churn ON contact_predictions (workspace_id, churn_30d);
