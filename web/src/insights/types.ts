/**
 * The shapes the Insights screen reads, as the server's /api/insights routes answer them
 * (src/insights/insights.routes.ts: series and anomalies; correlations.routes.ts; predict.routes.ts).
 */
export type SeriesDimension = 'workspace' | 'journey' | 'broadcast' | 'template' | 'channel' | 'provider';

export interface SeriesPoint {
  bucket: number;
  key: string;
  sends: number;
  deliveries: number;
  humanOpens: number;
  clicks: number;
  bounces: number;
  hardBounces: number;
  complaints: number;
  unsubscribes: number | null;
  conversions: number | null;
  revenue: number | null;
}

export interface SeriesAnswer {
  bucket: 'hour' | 'day';
  by: SeriesDimension;
  from: number;
  to: number;
  points: SeriesPoint[];
}

export interface DrillValue {
  value: string;
  observed: number;
  expected: number;
  ratio: number | null;
  share: number;
  volumeShare: number;
}

export interface Explanation {
  summary: string;
  observed: number;
  expected: number;
  dimensions: { dimension: string; values: DrillValue[] }[];
}

export interface Anomaly {
  id: string;
  metric: string;
  scope: { kind: 'workspace' | 'channel' | 'journey'; id: string };
  direction: 'up' | 'down';
  bucketMs: number;
  startedAt: number;
  lastSeenAt: number;
  observed: number;
  expected: number;
  score: number;
  volume: number;
  status: 'open' | 'resolved';
  alertedAt: number | null;
  explanation: Explanation;
}

export interface Interval {
  low: number;
  high: number;
}

export interface CorrelationRow {
  kind: 'attribute' | 'segment' | 'event' | 'message';
  label: string;
  key: string;
  value: string;
  withN: number;
  withConverted: number;
  withoutN: number;
  withoutConverted: number;
  rateWith: number;
  rateWithout: number;
  difference: number;
  differenceCi: Interval;
  lift: number | null;
  liftCi: Interval | null;
  pValue: number;
  qValue: number;
  significant: boolean;
  interpretation: 'association';
  test: { design: 'holdout' | 'ab_split'; how: string };
}

export interface CorrelationReport {
  goal: string;
  interpretation: 'association';
  note: string;
  window: { from: number; to: number; candidatesBefore: number; lookbackFrom: number };
  population: number;
  converted: number;
  tested: number;
  rows: CorrelationRow[];
}

export interface CalibrationBin {
  low: number;
  high: number;
  count: number;
  meanPredicted: number | null;
  observedRate: number | null;
}

export interface Model {
  kind: 'conversion_30d' | 'churn_30d';
  status: 'trained' | 'insufficient_data';
  trainedAt: number;
  trainCut: number;
  evalCut: number;
  scoredCut: number;
  trainSize: number;
  trainPositives: number;
  evalSize: number;
  evalPositives: number;
  auc: number | null;
  brier: number | null;
  calibration: CalibrationBin[];
  durationMs: number;
}

/** The rates the screen derives from a point's counts (null when the denominator is 0 or unknown). */
export const RATES = {
  open_rate: (p: SeriesPoint) => ratio(p.humanOpens, p.deliveries),
  click_rate: (p: SeriesPoint) => ratio(p.clicks, p.deliveries),
  hard_bounce_rate: (p: SeriesPoint) => ratio(p.hardBounces, p.sends),
  complaint_rate: (p: SeriesPoint) => ratio(p.complaints, p.deliveries),
  unsubscribe_rate: (p: SeriesPoint) => (p.unsubscribes === null ? null : ratio(p.unsubscribes, p.deliveries)),
} as const;

export const COUNTS = ['sends', 'deliveries', 'humanOpens', 'clicks', 'bounces', 'hardBounces', 'complaints', 'unsubscribes', 'conversions', 'revenue'] as const;

export type ChartMetric = keyof typeof RATES | (typeof COUNTS)[number];

function ratio(n: number, d: number): number | null {
  return d > 0 ? n / d : null;
}

export function valueOf(p: SeriesPoint, metric: ChartMetric): number | null {
  if (metric in RATES) return RATES[metric as keyof typeof RATES](p);
  return p[metric as (typeof COUNTS)[number]];
}

export const isRate = (metric: string) => metric.endsWith('_rate');
