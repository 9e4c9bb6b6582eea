/**
 * The analytics overview: the whole workspace (all journeys, broadcasts and channels) over a date
 * range, from ONE request (GET /api/stats/workspace). Key figures with the previous period of equal
 * length and the change; revenue per currency from the events (never summed across currencies); a
 * trend line chart per day and a funnel drop-off chart (inline SVG with a title, a description and
 * the same numbers in a table); breakdowns by channel and by template. Numbers are the server's,
 * formatted with Intl.
 */
import { useEffect, useMemo, useState, type FormEvent } from 'react';
import { get } from '../../api';
import { useI18n } from '../../i18n';
import type { MessageKey } from '../../messages';

interface Counts {
  sent: number;
  delivered: number;
  humanOpens: number;
  uniqueClicks: number;
  unsubscribed: number;
}
interface Figs {
  messages: Counts;
}
interface Keyed extends Figs {
  key: string | null;
}
/** A channel's row (src/stats/channels.ts): opt-outs are its unsubscribes; opens exist for email only. */
interface ChannelRow {
  sent: number;
  delivered: number;
  humanOpens?: number;
  uniqueClicks?: number;
  optOuts?: number;
}
interface Revenue {
  currency: string | null;
  amount: number;
  events: number;
}
interface Overview {
  range: { from: number; to: number };
  previousRange: { from: number; to: number };
  current: { total: Figs; byChannel: Record<string, ChannelRow>; byTemplate: Keyed[]; series: { bucket: number; messages: Counts }[] | null };
  previous: { total: Figs };
  revenue: { current: Revenue[]; previous: Revenue[] };
}

const DAY = 86_400_000;
const KEYS = ['sent', 'delivered', 'humanOpens', 'uniqueClicks', 'unsubscribed'] as const;
const LINES = [
  { key: 'sent', color: '#1f5fbf', dash: '' },
  { key: 'humanOpens', color: '#a4370a', dash: '6 3' },
  { key: 'uniqueClicks', color: '#2e6b12', dash: '2 3' },
] as const;

const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

function defaultRange(): { from: string; to: string } {
  const today = Math.floor(Date.now() / DAY) * DAY;
  return { from: isoDay(today - 29 * DAY), to: isoDay(today) };
}

export function Overview() {
  const { t, num, lang } = useI18n();
  const [form, setForm] = useState(defaultRange);
  const [range, setRange] = useState(form);
  const [data, setData] = useState<Overview | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    setError(null);
    const from = Date.parse(`${range.from}T00:00:00Z`);
    const to = Date.parse(`${range.to}T00:00:00Z`) + DAY; // the "to" day is included
    get<Overview>(`/api/stats/workspace?from=${from}&to=${to}`).then(setData, (e) => setError((e as Error).message));
  }, [range]);
  const pct = useMemo(() => new Intl.NumberFormat(lang, { style: 'percent', maximumFractionDigits: 1, signDisplay: 'exceptZero' }), [lang]);
  const delta = (now: number, before: number) => {
    const diff = now - before;
    const sign = diff > 0 ? '+' : '';
    return before === 0 ? `${sign}${num(diff)}` : `${sign}${num(diff)} (${pct.format(diff / before)})`;
  };
  const money = (amount: number, currency: string | null) => {
    try {
      return currency ? new Intl.NumberFormat(lang, { style: 'currency', currency }).format(amount) : num(amount);
    } catch {
      return `${num(amount)} ${currency}`;
    }
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setRange(form);
  };
  const label = (k: string) => t(`ov.m.${k}` as MessageKey);
  return (
    <section aria-labelledby="ov-title" data-testid="overview">
      <h2 id="ov-title">{t('ov.title')}</h2>
      <form className="row" onSubmit={submit}>
        <label>
          {t('ov.from')} <input type="date" name="from" value={form.from} onChange={(e) => setForm({ ...form, from: e.target.value })} required />
        </label>
        <label>
          {t('ov.to')} <input type="date" name="to" value={form.to} onChange={(e) => setForm({ ...form, to: e.target.value })} required />
        </label>
        <button type="submit">{t('ov.apply')}</button>
      </form>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {!data ? (
        !error && <p>{t('loading')}</p>
      ) : (
        <>
          <table data-testid="ov-figures">
            <caption>{t('ov.compare', { from: isoDay(data.previousRange.from), to: isoDay(data.previousRange.to - DAY) })}</caption>
            <thead>
              <tr>
                <th scope="col">{t('ov.measure')}</th>
                <th scope="col">{t('ov.now')}</th>
                <th scope="col">{t('ov.before')}</th>
                <th scope="col">{t('ov.change')}</th>
              </tr>
            </thead>
            <tbody>
              {KEYS.map((k) => (
                <tr key={k} data-testid={`ov-${k}`}>
                  <th scope="row">{label(k)}</th>
                  <td>{num(data.current.total.messages[k])}</td>
                  <td>{num(data.previous.total.messages[k])}</td>
                  <td>
                    <bdi>{delta(data.current.total.messages[k], data.previous.total.messages[k])}</bdi>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <RevenueTable current={data.revenue.current} previous={data.revenue.previous} money={money} />
          <TrendChart series={data.current.series ?? []} label={label} />
          <FunnelChart counts={data.current.total.messages} label={label} />
          <Breakdown
            title={t('ov.byChannel')}
            testId="ov-by-channel"
            rows={Object.entries(data.current.byChannel).map(([k, c]) => ({
              key: k,
              messages: { sent: c.sent, delivered: c.delivered, humanOpens: c.humanOpens ?? 0, uniqueClicks: c.uniqueClicks ?? 0, unsubscribed: c.optOuts ?? 0 },
            }))}
            label={label}
          />
          <Breakdown title={t('ov.byTemplate')} testId="ov-by-template" rows={data.current.byTemplate.map((r) => ({ key: r.key ?? '—', messages: r.messages }))} label={label} />
        </>
      )}
    </section>
  );
}

function RevenueTable({ current, previous, money }: { current: Revenue[]; previous: Revenue[]; money(a: number, c: string | null): string }) {
  const { t } = useI18n();
  const currencies = [...new Set([...current, ...previous].map((r) => r.currency))];
  return (
    <table data-testid="ov-revenue">
      <caption>{t('ov.revenue')}</caption>
      <thead>
        <tr>
          <th scope="col">{t('ov.currency')}</th>
          <th scope="col">{t('ov.now')}</th>
          <th scope="col">{t('ov.before')}</th>
        </tr>
      </thead>
      <tbody>
        {currencies.length === 0 ? (
          <tr>
            <td colSpan={3} className="muted">
              {t('ov.noRevenue')}
            </td>
          </tr>
        ) : (
          currencies.map((c) => {
            const now = current.find((r) => r.currency === c)?.amount ?? 0;
            const before = previous.find((r) => r.currency === c)?.amount ?? 0;
            return (
              <tr key={c ?? 'none'} data-testid={`ov-revenue-${c ?? 'none'}`}>
                <th scope="row">{c ?? t('ov.noCurrency')}</th>
                <td>
                  <bdi>{money(now, c)}</bdi>
                </td>
                <td>
                  <bdi>{money(before, c)}</bdi>
                </td>
              </tr>
            );
          })
        )}
      </tbody>
    </table>
  );
}

function TrendChart({ series, label }: { series: { bucket: number; messages: Counts }[]; label(k: string): string }) {
  const { t, num, date } = useI18n();
  const W = 640;
  const H = 200;
  const P = 30;
  const max = Math.max(1, ...series.flatMap((p) => LINES.map((l) => p.messages[l.key])));
  const x = (i: number) => P + (series.length < 2 ? (W - 2 * P) / 2 : (i * (W - 2 * P)) / (series.length - 1));
  const y = (v: number) => H - P - (v / max) * (H - 2 * P);
  const desc = series.map((p) => `${date(p.bucket)}: ${LINES.map((l) => `${label(l.key)} ${num(p.messages[l.key])}`).join(', ')}`).join('; ');
  return (
    <figure style={{ margin: '1rem 0' }}>
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-labelledby="ov-trend-t ov-trend-d" style={{ width: '100%', maxWidth: `${W}px`, direction: 'ltr' }} data-testid="ov-trend">
        <title id="ov-trend-t">{t('ov.trend')}</title>
        <desc id="ov-trend-d">{desc || t('ov.noData')}</desc>
        <line x1={P} y1={H - P} x2={W - P} y2={H - P} stroke="#555" />
        <text x={P - 4} y={P} textAnchor="end" fontSize="11" fill="#333">
          {num(max)}
        </text>
        {LINES.map((l) => (
          <polyline key={l.key} fill="none" stroke={l.color} strokeWidth="2" strokeDasharray={l.dash} points={series.map((p, i) => `${x(i)},${y(p.messages[l.key])}`).join(' ')} />
        ))}
      </svg>
      <figcaption className="small">
        {LINES.map((l) => (
          <span key={l.key} style={{ marginInlineEnd: '1rem' }}>
            <svg width="24" height="8" aria-hidden="true">
              <line x1="0" y1="4" x2="24" y2="4" stroke={l.color} strokeWidth="2" strokeDasharray={l.dash} />
            </svg>{' '}
            {label(l.key)}
          </span>
        ))}
      </figcaption>
    </figure>
  );
}

function FunnelChart({ counts, label }: { counts: Counts; label(k: string): string }) {
  const { t, num, lang } = useI18n();
  const steps = (['sent', 'delivered', 'humanOpens', 'uniqueClicks'] as const).map((k) => ({ k, v: counts[k] }));
  const pct = new Intl.NumberFormat(lang, { style: 'percent', maximumFractionDigits: 1 });
  const top = Math.max(1, steps[0]!.v);
  const W = 640;
  const row = 34;
  const text = steps.map((s, i) => `${label(s.k)} ${num(s.v)}${i > 0 ? ` (${pct.format(steps[i - 1]!.v ? s.v / steps[i - 1]!.v : 0)})` : ''}`).join(', ');
  return (
    <figure style={{ margin: '1rem 0' }}>
      <svg viewBox={`0 0 ${W} ${row * steps.length}`} role="img" aria-labelledby="ov-funnel-t ov-funnel-d" style={{ width: '100%', maxWidth: `${W}px` }} data-testid="ov-funnel">
        <title id="ov-funnel-t">{t('ov.funnel')}</title>
        <desc id="ov-funnel-d">{text}</desc>
        {steps.map((s, i) => {
          const w = Math.max(2, (s.v / top) * (W - 260));
          return (
            <g key={s.k} transform={`translate(0, ${i * row})`}>
              <text x="0" y="20" fontSize="13" fill="#222">
                {label(s.k)}
              </text>
              <rect x="130" y="6" width={w} height="20" fill="#1f5fbf" />
              <text x={136 + w} y="20" fontSize="13" fill="#222">
                {num(s.v)}
                {i > 0 ? ` · ${pct.format(steps[i - 1]!.v ? s.v / steps[i - 1]!.v : 0)}` : ''}
              </text>
            </g>
          );
        })}
      </svg>
      <figcaption className="small muted">{t('ov.funnelNote')}</figcaption>
    </figure>
  );
}

function Breakdown({ title, rows, testId, label }: { title: string; rows: { key: string; messages: Counts }[]; testId: string; label(k: string): string }) {
  const { t, num } = useI18n();
  return (
    <table data-testid={testId}>
      <caption>{title}</caption>
      <thead>
        <tr>
          <th scope="col">{t('ov.name')}</th>
          {KEYS.map((k) => (
            <th scope="col" key={k}>
              {label(k)}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => (
          <tr key={r.key}>
            <th scope="row">
              <bdi>{r.key}</bdi>
            </th>
            {KEYS.map((k) => (
              <td key={k}>{num(r.messages[k])}</td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
