/**
 * The figures split by channel (the stats answer's `byChannel`, and each step's `byNode[].byChannel`
 * for journeys): one table row per channel (sent, delivered with its rate, failed, undelivered,
 * clicks, opt-outs, segments, reported cost; opens, bounces and complaints where the channel has
 * them) and, for a journey, one row per step and channel, both narrowed by one channel filter.
 * "Delivered" is in the channel's terms (an SMS by its delivery receipt); see docs/stats.md.
 */
import { useState } from 'react';
import { useI18n } from '../i18n';
import type { MessageKey } from '../messages';

export interface ChannelFigs {
  sent: number;
  delivered: number;
  undelivered: number;
  failed: number;
  pending: number;
  clicks: number;
  uniqueClicks: number;
  optOuts: number;
  segments: number;
  costMicros: number;
  humanOpens?: number;
  bounces?: number;
  complaints?: number;
  rates: { delivery: number | null; clickThrough: number | null; optOut: number | null };
}
export type ByChannel = Record<string, ChannelFigs>;

const CHANNEL_NAMES: Record<string, MessageKey> = { email: 'an.ch.email', sms: 'an.ch.sms', webhook: 'an.ch.webhook' };

export function ChannelSplit({ byChannel, byNode, testId }: { byChannel: ByChannel; byNode?: { key: string | null; byChannel: ByChannel }[] | undefined; testId?: string }) {
  const { t, num, lang } = useI18n();
  const [only, setOnly] = useState('');
  const channels = Object.keys(byChannel);
  if (channels.length === 0) return null;
  const pct = new Intl.NumberFormat(lang, { style: 'percent', maximumFractionDigits: 1 });
  // Costs are millionths of the workspace's currency; shown as an amount of it.
  const money = new Intl.NumberFormat(lang, { maximumFractionDigits: 4 });
  const name = (c: string) => (c in CHANNEL_NAMES ? t(CHANNEL_NAMES[c]!) : c);
  const opt = (n: number | undefined) => (n === undefined ? '—' : num(n));
  const shown = (c: string) => only === '' || only === c;
  const steps = (byNode ?? []).flatMap((r) => Object.entries(r.byChannel).map(([c, f]) => ({ node: r.key ?? '', channel: c, f }))).filter((s) => shown(s.channel));
  const cells = (f: ChannelFigs) => (
    <>
      <td>{num(f.sent)}</td>
      <td>
        {num(f.delivered)}
        {f.rates.delivery !== null && <span className="muted small"> ({pct.format(f.rates.delivery)})</span>}
      </td>
      <td>{num(f.failed)}</td>
      <td>{num(f.undelivered)}</td>
      <td>{num(f.uniqueClicks)}</td>
      <td>{num(f.optOuts)}</td>
      <td>{num(f.segments)}</td>
      <td>{money.format(f.costMicros / 1e6)}</td>
    </>
  );
  const head = (first: MessageKey[]) => (
    <thead>
      <tr>
        {[...first, 'an.sent', 'an.delivered', 'an.failed', 'an.undelivered', 'an.clicks', 'an.optOuts', 'an.segments', 'an.cost'].map((k) => (
          <th key={k} scope="col">
            {t(k as MessageKey)}
          </th>
        ))}
      </tr>
    </thead>
  );
  return (
    <section data-testid={testId} style={{ marginBlockStart: '.75rem' }}>
      <div className="row">
        <h3 style={{ margin: 0 }}>{t('an.byChannel')}</h3>
        <label>
          {t('an.channel')}{' '}
          <select value={only} onChange={(e) => setOnly(e.target.value)} data-testid="channel-filter">
            <option value="">{t('an.allChannels')}</option>
            {channels.map((c) => (
              <option key={c} value={c}>
                {name(c)}
              </option>
            ))}
          </select>
        </label>
      </div>
      <table>
        <thead>
          <tr>
            {(
              ['an.channel', 'an.sent', 'an.delivered', 'an.failed', 'an.undelivered', 'an.clicks', 'an.optOuts', 'an.segments', 'an.cost', 'an.humanOpens', 'an.bounces', 'an.complaints'] as const
            ).map((k) => (
              <th key={k} scope="col">
                {t(k)}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {channels.filter(shown).map((c) => {
            const f = byChannel[c]!;
            return (
              <tr key={c} data-testid={`channel-${c}`}>
                <th scope="row">{name(c)}</th>
                {cells(f)}
                <td>{opt(f.humanOpens)}</td>
                <td>{opt(f.bounces)}</td>
                <td>{opt(f.complaints)}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {steps.length > 0 && (
        <details>
          <summary>{t('an.stepsByChannel')}</summary>
          <table data-testid="steps-by-channel">
            {head(['an.step', 'an.channel'])}
            <tbody>
              {steps.map((s) => (
                <tr key={`${s.node}\u0000${s.channel}`} data-testid={`step-${s.node}-${s.channel}`}>
                  <th scope="row">
                    <bdi>{s.node}</bdi>
                  </th>
                  <td>{name(s.channel)}</td>
                  {cells(s.f)}
                </tr>
              ))}
            </tbody>
          </table>
        </details>
      )}
    </section>
  );
}
