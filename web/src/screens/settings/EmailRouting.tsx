/**
 * The workspace's email providers, their circuits, warm-up and the routing rules (GET
 * /api/email/providers): which provider carries what, which circuit is open since when and why,
 * today's warm-up allowance and use, the recipient domains backing off after 4xx answers; and the
 * editor of all of it (../../deliverability/ProviderListEditor.tsx, PUT /api/email/providers).
 */
import { useEffect, useState } from 'react';
import { get } from '../../api';
import { useI18n } from '../../i18n';
import { ProviderListEditor, type ProviderListAnswer } from '../../deliverability/ProviderListEditor';

interface Circuit {
  state: 'closed' | 'open' | 'half_open';
  failures: number;
  since: number | null;
  lastError: string | null;
}
interface Routing extends ProviderListAnswer {
  providers: (ProviderListAnswer['providers'][number] & { circuit: Circuit; today: { warmupDay: number | null; allowance: number | null; used: number; inFlight: number } })[];
  policy: { failures: number; windowSeconds: number; coolDownSeconds: number };
  deferrals: { domain: string; failures: number; until: number; lastError: string | null }[];
}

export function EmailRouting() {
  const { t, date } = useI18n();
  const [routing, setRouting] = useState<Routing | null>(null);
  useEffect(() => {
    get<Routing>('/api/email/providers').then(setRouting, () => setRouting(null));
  }, []);
  if (!routing) return null;
  return (
    <section className="card" aria-labelledby="routing-title">
      <h2 id="routing-title">{t('routing.title')}</h2>
      {routing.providers.length === 0 ? (
        <p>{t('routing.none')}</p>
      ) : (
        <>
          <table>
            <thead>
              <tr>
                <th scope="col">{t('routing.provider')}</th>
                <th scope="col">{t('routing.kind')}</th>
                <th scope="col">{t('routing.circuit')}</th>
                <th scope="col">{t('routing.since')}</th>
                <th scope="col">{t('routing.lastError')}</th>
                <th scope="col">{t('routing.warmupToday')}</th>
                <th scope="col">{t('routing.inFlight')}</th>
              </tr>
            </thead>
            <tbody>
              {routing.providers.map((p) => (
                <tr key={p.id}>
                  <td>
                    {p.name} <code dir="ltr">{p.id}</code>
                  </td>
                  <td dir="ltr">{p.kind}</td>
                  <td>{t(`routing.${p.circuit.state}`)}</td>
                  <td>{p.circuit.since === null ? '—' : date(p.circuit.since)}</td>
                  <td dir="ltr">{p.circuit.lastError ?? '—'}</td>
                  <td data-testid={`warmup-${p.id}`}>
                    {p.today.warmupDay === null
                      ? '—'
                      : p.today.allowance === null
                        ? t('routing.warmupDone')
                        : t('routing.warmupDay', { day: p.today.warmupDay, used: p.today.used, allowance: p.today.allowance })}
                  </td>
                  <td data-testid={`in-flight-${p.id}`}>{p.connections ? t('routing.inFlightOf', { n: p.today.inFlight, cap: p.connections }) : '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <h3>{t('routing.rules')}</h3>
          {routing.rules.length === 0 ? (
            <p>{t('routing.noRules')}</p>
          ) : (
            <ol>
              {routing.rules.map((r, i) => (
                <li key={i}>
                  {t(r.kind ? `routing.${r.kind}` : 'routing.anyKind')} {r.domains ? t('routing.to', { domains: r.domains.join(', ') }) : ''} →{' '}
                  <span dir="ltr">{r.providers.map((p) => (p.weight !== undefined ? `${p.id} (${p.weight})` : p.id)).join(' → ')}</span>
                </li>
              ))}
            </ol>
          )}
          <p>{t('routing.policy', { failures: routing.policy.failures, window: routing.policy.windowSeconds, coolDown: routing.policy.coolDownSeconds })}</p>
          {routing.deferrals.length > 0 && (
            <>
              <h3>{t('routing.deferrals')}</h3>
              <ul>
                {routing.deferrals.map((d) => (
                  <li key={d.domain}>
                    <span dir="ltr">{d.domain}</span> {t('routing.deferral', { n: d.failures, until: date(d.until) })}
                  </li>
                ))}
              </ul>
            </>
          )}
        </>
      )}
      {/* One place in the tree: saving the first providers shows the summary above without remounting the editor (its "Saved." stays). */}
      <ProviderListEditor initial={routing} onSaved={() => void get<Routing>('/api/email/providers').then(setRouting)} />
    </section>
  );
}
