/**
 * The workspace's email providers, their circuits and the routing rules (GET /api/email/providers),
 * shown read-only: which provider carries what, which circuit is open since when and why. The list
 * and rules are edited through PUT /api/email/providers (docs/email.md).
 */
import { useEffect, useState } from 'react';
import { get } from '../../api';
import { useI18n } from '../../i18n';

interface Circuit {
  state: 'closed' | 'open' | 'half_open';
  failures: number;
  since: number | null;
  lastError: string | null;
}
interface Routing {
  providers: { id: string; name: string; kind: string; circuit: Circuit }[];
  rules: { kind?: 'transactional' | 'marketing'; domains?: string[]; providers: { id: string; weight?: number }[] }[];
  policy: { failures: number; windowSeconds: number; coolDownSeconds: number };
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
        </>
      )}
    </section>
  );
}
