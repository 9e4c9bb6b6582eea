/**
 * The sending-domain check (GET /api/deliverability/domains): per From domain, SPF, DKIM and DMARC
 * as found in DNS, what to publish, and the explanation in words (alignment included). Runs on
 * demand: each check asks DNS.
 */
import { useState } from 'react';
import { ApiError, get } from '../api';
import { useI18n } from '../i18n';
import type { MessageKey } from '../messages';

type Status = 'ok' | 'missing' | 'wrong' | 'multiple' | 'error';
interface RecordCheck {
  name: string;
  status: Status;
  found: string[];
  publish: string | null;
  explanation: string[];
}
interface Report {
  domain: string;
  spf: RecordCheck;
  dkim: RecordCheck;
  dmarc: RecordCheck;
  ok: boolean;
  summary: string;
}

export function DomainCheck() {
  const { t } = useI18n();
  const [reports, setReports] = useState<Report[] | null>(null);
  const [providers, setProviders] = useState<{ id: string; name: string; kind: string; domains: Report[] }[]>([]);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const check = async () => {
    setBusy(true);
    setError(null);
    try {
      const answer = await get<{ domains: Report[]; providers: { id: string; name: string; kind: string; domains: Report[] }[] }>('/api/deliverability/domains');
      setReports(answer.domains);
      setProviders(answer.providers);
    } catch (e) {
      setError(e instanceof ApiError ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <div data-testid="domain-check">
      <h3>{t('dlv.domains')}</h3>
      <p className="muted small">{t('dlv.domainsHint')}</p>
      <button type="button" onClick={() => void check()} disabled={busy}>
        {busy ? t('dlv.checking') : t('dlv.check')}
      </button>
      {error && (
        <p className="error small" role="alert">
          {error}
        </p>
      )}
      {reports?.length === 0 && <p className="muted small">{t('dlv.noDomains')}</p>}
      {reports?.map((r) => (
        <div key={r.domain}>
          <h4 dir="ltr">{r.domain}</h4>
          <p className={r.ok ? 'ok small' : 'error small'}>{r.summary}</p>
          <table>
            <thead>
              <tr>
                <th>{t('dlv.record')}</th>
                <th>{t('dlv.status')}</th>
                <th>{t('dlv.name')}</th>
                <th>{t('dlv.publish')}</th>
              </tr>
            </thead>
            <tbody>
              {(['spf', 'dkim', 'dmarc'] as const).map((k) => (
                <tr key={k} data-testid={`dns-${k}`}>
                  <td>{k.toUpperCase()}</td>
                  <td>
                    <span className={`badge ${r[k].status === 'ok' ? 'status-live' : 'status-paused'}`}>{t(`dlv.st.${r[k].status}` as MessageKey)}</span>
                  </td>
                  <td dir="ltr">
                    <code>{r[k].name}</code>
                  </td>
                  <td dir="ltr">{r[k].publish ? <code style={{ wordBreak: 'break-all' }}>{r[k].publish}</code> : '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <ul className="small">{(['spf', 'dkim', 'dmarc'] as const).flatMap((k) => r[k].explanation.map((line, i) => <li key={`${k}${i}`}>{line}</li>))}</ul>
        </div>
      ))}
      {providers.length > 0 && (
        <>
          <h4>{t('dlv.byProvider')}</h4>
          <table data-testid="dns-providers">
            <thead>
              <tr>
                <th scope="col">{t('dlv.providerCol')}</th>
                <th scope="col">{t('dlv.domainCol')}</th>
                <th scope="col">SPF</th>
                <th scope="col">DKIM</th>
                <th scope="col">DMARC</th>
              </tr>
            </thead>
            <tbody>
              {providers.flatMap((p) =>
                p.domains.map((r) => (
                  <tr key={`${p.id}:${r.domain}`}>
                    <td>
                      {p.name} <code dir="ltr">{p.id}</code> ({p.kind})
                    </td>
                    <td dir="ltr">{r.domain}</td>
                    {(['spf', 'dkim', 'dmarc'] as const).map((k) => (
                      <td key={k} title={r[k].explanation.join(' ')}>
                        <span className={`badge ${r[k].status === 'ok' ? 'status-live' : 'status-paused'}`}>{t(`dlv.st.${r[k].status}` as MessageKey)}</span>
                        {r[k].publish && k === 'spf' ? (
                          <>
                            {' '}
                            <code dir="ltr" style={{ wordBreak: 'break-all' }}>
                              {r[k].publish}
                            </code>
                          </>
                        ) : null}
                      </td>
                    ))}
                  </tr>
                )),
              )}
            </tbody>
          </table>
        </>
      )}
    </div>
  );
}
