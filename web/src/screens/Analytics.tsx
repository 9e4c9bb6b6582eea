/**
 * Analytics: a journey's figures (GET /api/journeys/:id/stats?bucket=day and /funnel): key figures
 * with rates, the funnel per step as bars, A/B variants with the server's 95 % intervals and
 * P(best), sent/opened/clicked per day as an inline SVG chart with a table beside it, a CSV link;
 * and a template's figures (GET /api/templates/:id/stats). `Figures` is shared with the
 * broadcasts screen, and shows the split by channel below the key figures (./ChannelSplit.tsx); the
 * funnel names each message step's channel. Without a journey chosen: the workspace overview
 * (./analytics/Overview.tsx). Every number is the server's; the screen only formats them with Intl.
 */
import { useEffect, useMemo, useState } from 'react';
import { get } from '../api';
import { useI18n, type I18n } from '../i18n';
import { navigate } from '../router';
import { messages, type MessageKey } from '../messages';
import { ChannelSplit, type ByChannel } from './ChannelSplit';
import { stepLabel } from '../journey/names';
import type { JourneyNode } from '../journey/model';
import { Overview } from './analytics/Overview';

export interface MessageCounts {
  sent: number;
  delivered: number;
  failed: number;
  skipped: number;
  bounced: number;
  complained: number;
  humanOpens: number;
  machineOnlyOpens: number;
  uniqueClicks: number;
  clicks: number;
  unsubscribed: number;
}
export interface MessageRates {
  delivery: number | null;
  open: number | null;
  clickThrough: number | null;
  unsubscribe: number | null;
  bounce: number | null;
  complaint: number | null;
}
interface Figs {
  messages: MessageCounts;
  rates: MessageRates;
  revenue: number;
  attributedConversions: number;
}
interface RunCounts {
  entered: number;
  completed: number;
  converted: number;
  conversionRate: number | null;
  goalValue: number;
}
interface Ci {
  low: number;
  high: number;
}
interface Variant {
  variant: string;
  holdout: boolean;
  runs: number;
  conversions: number;
  conversionRate: number | null;
  conversionCi: Ci | null;
  clickRate: number | null;
  clickCi: Ci | null;
  probabilityBest: number | null;
}
interface Split {
  node: string;
  note: string | null;
  variants: Variant[];
}
interface SeriesPoint {
  bucket: number;
  messages: MessageCounts;
}
export interface ScopeStats {
  total: Figs;
  byChannel?: ByChannel;
  byNode?: { key: string | null; byChannel: ByChannel }[];
  series: SeriesPoint[] | null;
  runs?: RunCounts;
  experiments?: Split[];
}
interface FunnelNode {
  node: string;
  type: string;
  channel?: string | null;
  reached: number;
  outcomes: Record<string, number>;
}

const enc = encodeURIComponent;

function usePercent(lang: string) {
  return useMemo(() => {
    const f = new Intl.NumberFormat(lang, { style: 'percent', maximumFractionDigits: 1 });
    return (r: number | null | undefined) => (r === null || r === undefined ? '—' : f.format(r));
  }, [lang]);
}

/** Key figures as a description list: each count with its rate (and what the rate is out of). */
export function Figures({ stats, testId }: { stats: ScopeStats; testId?: string }) {
  const { t, num, lang } = useI18n();
  const pct = usePercent(lang);
  const m = stats.total.messages;
  const r = stats.total.rates;
  const money = new Intl.NumberFormat(lang, { maximumFractionDigits: 2 });
  const of = (rate: number | null, base: 'an.ofEntered' | 'an.ofSent' | 'an.ofDelivered') => t('an.rateOf', { rate: pct(rate), base: t(base) });
  const rows: [string, string, string | null, string][] = [];
  if (stats.runs) {
    rows.push(['entered', t('an.entered'), null, num(stats.runs.entered)]);
    rows.push(['completed', t('an.completed'), null, num(stats.runs.completed)]);
    rows.push(['conversions', t('an.conversions'), of(stats.runs.conversionRate, 'an.ofEntered'), num(stats.runs.converted)]);
  }
  rows.push(
    ['sent', t('an.sent'), null, num(m.sent)],
    ['delivered', t('an.delivered'), of(r.delivery, 'an.ofSent'), num(m.delivered)],
    ['human-opens', t('an.humanOpens'), of(r.open, 'an.ofDelivered'), num(m.humanOpens)],
    ['machine-opens', t('an.machineOpens'), null, num(m.machineOnlyOpens)],
    ['clicks', t('an.clicks'), of(r.clickThrough, 'an.ofDelivered'), num(m.uniqueClicks)],
    ['unsubscribes', t('an.unsubscribes'), of(r.unsubscribe, 'an.ofDelivered'), num(m.unsubscribed)],
    ['bounces', t('an.bounces'), of(r.bounce, 'an.ofSent'), num(m.bounced)],
    ['complaints', t('an.complaints'), of(r.complaint, 'an.ofDelivered'), num(m.complained)],
    ['revenue', t('an.revenue'), null, money.format(stats.runs ? stats.runs.goalValue : stats.total.revenue)],
  );
  return (
    <>
      <dl className="figures" data-testid={testId} style={{ display: 'grid', gridTemplateColumns: 'repeat(auto-fill, minmax(150px, 1fr))', gap: '.5rem', margin: 0 }}>
        {rows.map(([id, label, rate, value]) => (
          <div key={id} className="card" style={{ padding: '.5rem .75rem', margin: 0 }} data-testid={`fig-${id}`}>
            <dt className="muted small">{label}</dt>
            <dd style={{ margin: 0, fontSize: '1.35rem', fontWeight: 600 }}>{value}</dd>
            {rate && (
              <dd className="muted small" style={{ margin: 0 }}>
                {rate}
              </dd>
            )}
          </div>
        ))}
      </dl>
      {stats.byChannel && <ChannelSplit byChannel={stats.byChannel} byNode={stats.byNode} testId={testId ? `${testId}-channels` : undefined} />}
    </>
  );
}

function Bar({ value, max, label }: { value: number; max: number; label: string }) {
  const w = max > 0 ? Math.max(value > 0 ? 2 : 0, (value / max) * 100) : 0;
  // The bar grows from the inline start, so it mirrors in Arabic and Persian.
  return (
    <div role="img" aria-label={label} style={{ background: '#eef1f5', borderRadius: 4, height: 14, flex: 1, minWidth: 80 }}>
      <div style={{ width: `${w}%`, height: '100%', background: 'var(--accent)', borderRadius: 4 }} />
    </div>
  );
}

/** `labels`: step id → the step's label (its name, or kind and template: web/src/journey/names.ts). */
function Funnel({ nodes, labels = {} }: { nodes: FunnelNode[]; labels?: Record<string, string> }) {
  const { t, num } = useI18n();
  const max = Math.max(1, ...nodes.map((n) => n.reached));
  return (
    <table data-testid="funnel">
      <thead>
        <tr>
          <th scope="col">{t('an.step')}</th>
          <th scope="col">{t('an.reached')}</th>
        </tr>
      </thead>
      <tbody>
        {nodes.map((n) => (
          <tr key={n.node} data-testid={`funnel-${n.node}`}>
            <th scope="row" style={{ whiteSpace: 'nowrap', verticalAlign: 'top' }}>
              <bdi title={n.node}>{labels[n.node] ?? n.node}</bdi>{' '}
              {!labels[n.node] && <span className="muted small">{`node.${n.type}` in messages.en ? t(`node.${n.type}` as MessageKey) : n.type}</span>}
              {n.channel && (
                <span className="badge" data-testid={`funnel-channel-${n.node}`}>
                  {`an.ch.${n.channel}` in messages.en ? t(`an.ch.${n.channel}` as MessageKey) : n.channel}
                </span>
              )}
            </th>
            <td style={{ width: '100%' }}>
              <div className="row" style={{ margin: 0, fontWeight: 600 }}>
                <span style={{ minWidth: '6.5rem' }}>{t('an.reached')}</span>
                <Bar value={n.reached} max={max} label={`${n.node}: ${num(n.reached)} ${t('an.reached')}`} />
                <span style={{ minWidth: '2.5rem' }}>{num(n.reached)}</span>
              </div>
              {Object.entries(n.outcomes).map(([o, c]) => (
                <div key={o} className="row small muted" style={{ margin: 0 }}>
                  <span style={{ minWidth: '6.5rem', paddingInlineStart: '1rem' }}>
                    <bdi>{o}</bdi>
                  </span>
                  <Bar value={c} max={max} label={`${n.node} → ${o}: ${num(c)}`} />
                  <span style={{ minWidth: '2.5rem' }}>{num(c)}</span>
                </div>
              ))}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Experiments({ splits }: { splits: Split[] }) {
  const { t, num, lang } = useI18n();
  const pct = usePercent(lang);
  const ci = (rate: number | null, c: Ci | null) => `${pct(rate)}${c ? ` (${pct(c.low)} – ${pct(c.high)})` : ''}`;
  if (splits.length === 0) return <p className="muted">{t('an.noAb')}</p>;
  return (
    <>
      {splits.map((s) => (
        <div key={s.node} data-testid={`split-${s.node}`}>
          <h3>{t('an.split', { node: s.node })}</h3>
          <table>
            <thead>
              <tr>
                <th scope="col">{t('an.variant')}</th>
                <th scope="col">{t('an.runs')}</th>
                <th scope="col">{t('an.conversions')}</th>
                <th scope="col">{t('an.convRate')}</th>
                <th scope="col">{t('an.clickRate')}</th>
                <th scope="col">{t('an.pBest')}</th>
              </tr>
            </thead>
            <tbody>
              {s.variants.map((v) => (
                <tr key={v.variant}>
                  <th scope="row">
                    <bdi>{v.variant}</bdi>
                    {v.holdout && <span className="badge">{t('an.holdout')}</span>}
                  </th>
                  <td>{num(v.runs)}</td>
                  <td>{num(v.conversions)}</td>
                  <td>{ci(v.conversionRate, v.conversionCi)}</td>
                  <td>{ci(v.clickRate, v.clickCi)}</td>
                  <td>{pct(v.probabilityBest)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {s.note && <p className="muted small">{s.note}</p>}
        </div>
      ))}
    </>
  );
}

const SERIES = [
  ['sent', 'an.sent', '#1769aa'],
  ['humanOpens', 'an.opened', '#16a34a'],
  ['uniqueClicks', 'an.clicked', '#db2777'],
] as const;

/** Per-day lines in a plain SVG; the same numbers as a table for screen readers and copying. */
function OverTime({ series, i18n }: { series: SeriesPoint[]; i18n: I18n }) {
  const { t, num, lang } = i18n;
  const day = new Intl.DateTimeFormat(lang, { dateStyle: 'medium', timeZone: 'UTC' });
  if (series.length === 0) return <p className="muted">{t('an.noData')}</p>;
  const W = 600,
    H = 170,
    P = 24;
  const max = Math.max(1, ...series.flatMap((p) => SERIES.map(([k]) => p.messages[k])));
  // Grouped bars, one group per day: readable with a single day too, where lines would be dots.
  const slot = (W - 2 * P) / series.length;
  const bar = Math.min(28, (slot * 0.7) / SERIES.length);
  const y = (v: number) => H - P - (v / max) * (H - 2 * P - 10);
  const summary = series.map((p) => `${day.format(p.bucket)}: ${SERIES.map(([k, l]) => `${t(l)} ${num(p.messages[k])}`).join(', ')}`).join('; ');
  return (
    <div>
      {/* A time axis reads left to right in every language, as the canvas does. */}
      <svg
        viewBox={`0 0 ${W} ${H}`}
        role="img"
        aria-label={`${t('an.overTime')}. ${summary}`}
        style={{ width: '100%', maxWidth: W, direction: 'ltr', background: 'var(--card)', border: '1px solid var(--line)', borderRadius: 8 }}
        data-testid="series-chart"
      >
        <line x1={P} y1={H - P} x2={W - P} y2={H - P} stroke="#b7c2d0" />
        <text x={4} y={y(max) + 4} fontSize="10" fill="#667085">
          {num(max)}
        </text>
        <line x1={P} y1={y(max)} x2={W - P} y2={y(max)} stroke="#eef1f5" />
        {series.map((p, i) => {
          const x0 = P + i * slot + (slot - bar * SERIES.length) / 2;
          return (
            <g key={p.bucket}>
              {SERIES.map(([k, , color], j) => (
                <rect key={k} x={x0 + j * bar} y={y(p.messages[k])} width={bar - 2} height={H - P - y(p.messages[k])} fill={color} />
              ))}
              <text x={P + i * slot + slot / 2} y={H - 8} fontSize="10" textAnchor="middle" fill="#667085">
                {day.format(p.bucket)}
              </text>
            </g>
          );
        })}
      </svg>
      <div className="row small">
        {SERIES.map(([k, l, color]) => (
          <span key={k}>
            <span aria-hidden="true" style={{ color }}>
              ■
            </span>{' '}
            {t(l)}
          </span>
        ))}
      </div>
      <details>
        <summary>{t('an.asTable')}</summary>
        <table>
          <thead>
            <tr>
              <th scope="col">{t('an.day')}</th>
              {SERIES.map(([k, l]) => (
                <th key={k} scope="col">
                  {t(l)}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {series.map((p) => (
              <tr key={p.bucket}>
                <th scope="row">{day.format(p.bucket)}</th>
                {SERIES.map(([k]) => (
                  <td key={k}>{num(p.messages[k])}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </div>
  );
}

export function Analytics({ journeyId }: { journeyId: string | null }) {
  const i18n = useI18n();
  const { t } = i18n;
  const [journeys, setJourneys] = useState<{ id: string; name: string }[]>([]);
  const [templates, setTemplates] = useState<{ id: string; name: string }[]>([]);
  const [stats, setStats] = useState<ScopeStats | null>(null);
  const [funnel, setFunnel] = useState<FunnelNode[] | null>(null);
  const [stepLabels, setStepLabels] = useState<Record<string, string>>({});
  const [error, setError] = useState<string | null>(null);
  const [templateId, setTemplateId] = useState('');
  const [templateStats, setTemplateStats] = useState<ScopeStats | null>(null);
  useEffect(() => {
    get<{ journeys: { id: string; name: string }[] }>('/api/journeys').then(
      (r) => setJourneys(r.journeys),
      () => {},
    );
    get<{ data: { id: string; name: string }[] }>('/api/templates').then(
      (r) => setTemplates(r.data),
      () => {},
    );
  }, []);
  useEffect(() => {
    setStats(null);
    setFunnel(null);
    setError(null);
    if (!journeyId) return;
    // bucket=day is not the default query, so the figures are computed now, not from a snapshot.
    get<ScopeStats>(`/api/journeys/${enc(journeyId)}/stats?bucket=day`).then(setStats, (e) => setError((e as Error).message));
    get<{ nodes: FunnelNode[] }>(`/api/journeys/${enc(journeyId)}/funnel`).then(
      (r) => setFunnel(r.nodes),
      () => setFunnel([]),
    );
    get<{ document: { nodes: JourneyNode[] } }>(`/api/journeys/${enc(journeyId)}`).then(
      (d) => setStepLabels(Object.fromEntries(d.document.nodes.map((n) => [n.id, stepLabel(n, Object.fromEntries(templates.map((x) => [x.id, x.name])), t)]))),
      () => setStepLabels({}),
    );
  }, [journeyId, templates]); // eslint-disable-line react-hooks/exhaustive-deps
  useEffect(() => {
    setTemplateStats(null);
    if (templateId) get<ScopeStats>(`/api/templates/${enc(templateId)}/stats`).then(setTemplateStats, (e) => setError((e as Error).message));
  }, [templateId]);
  return (
    <section aria-labelledby="analytics-title">
      <h1 id="analytics-title">{t('an.title')}</h1>
      <div className="row">
        <label htmlFor="an-journey">{t('an.journey')}</label>
        <select id="an-journey" value={journeyId ?? ''} onChange={(e) => navigate(e.target.value ? `/analytics/${enc(e.target.value)}` : '/analytics')}>
          <option value="">{t('bc.pick')}</option>
          {journeys.map((j) => (
            <option key={j.id} value={j.id}>
              {j.name}
            </option>
          ))}
        </select>
        {journeyId && (
          <a className="button" href={`/api/journeys/${enc(journeyId)}/stats?format=csv`} download>
            {t('an.csv')}
          </a>
        )}
      </div>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {!journeyId ? (
        <>
          <p className="muted">{t('an.chooseJourney')}</p>
          <Overview />
        </>
      ) : !stats ? (
        !error && <p>{t('loading')}</p>
      ) : (
        <>
          <section aria-labelledby="an-key" style={{ marginBlockStart: '1.25rem' }}>
            <h2 id="an-key">{t('an.keyFigures')}</h2>
            <Figures stats={stats} testId="journey-figures" />
          </section>
          <section aria-labelledby="an-funnel" style={{ marginBlockStart: '1.25rem' }}>
            <h2 id="an-funnel">{t('an.funnel')}</h2>
            {funnel ? <Funnel nodes={funnel} labels={stepLabels} /> : <p>{t('loading')}</p>}
          </section>
          <section aria-labelledby="an-ab" style={{ marginBlockStart: '1.25rem' }}>
            <h2 id="an-ab">{t('an.ab')}</h2>
            <Experiments splits={stats.experiments ?? []} />
          </section>
          <section aria-labelledby="an-time" style={{ marginBlockStart: '1.25rem' }}>
            <h2 id="an-time">{t('an.overTime')}</h2>
            <OverTime series={stats.series ?? []} i18n={i18n} />
          </section>
        </>
      )}
      <section aria-labelledby="an-template" className="card" style={{ marginBlockStart: '1rem' }}>
        <h2 id="an-template">{t('an.templateStats')}</h2>
        <div className="row">
          <label htmlFor="an-template-pick">{t('an.chooseTemplate')}</label>
          <select id="an-template-pick" value={templateId} onChange={(e) => setTemplateId(e.target.value)}>
            <option value="">{t('bc.pick')}</option>
            {templates.map((tp) => (
              <option key={tp.id} value={tp.id}>
                {tp.name}
              </option>
            ))}
          </select>
          {templateId && (
            <a className="button" href={`/api/templates/${enc(templateId)}/stats?format=csv`} download>
              {t('an.csv')}
            </a>
          )}
        </div>
        {templateId && (templateStats ? <Figures stats={templateStats} testId="template-figures" /> : <p>{t('loading')}</p>)}
      </section>
    </section>
  );
}
