/**
 * The editor of a workspace's email provider list (PUT /api/email/providers): add, edit, reorder
 * and remove providers, their throttle, connection cap and warm-up; routing rules with weights; per-domain
 * throttles. Secrets are write-only: the field starts empty, says whether one is set, and an empty
 * field keeps the stored one. The API's validation errors are shown at the field they name
 * (`body.rules.0.domains.1`), and the whole list is saved at once or not at all.
 */
import { useState, type ReactNode } from 'react';
import { ApiError, put, type Issue } from '../api';
import { useI18n } from '../i18n';

export interface ListedProvider {
  id: string;
  name: string;
  kind: string;
  settings: Record<string, unknown>;
  secretsSet: Record<string, boolean>;
  throttle: { limit: number; per: Per } | null;
  warmup: { startDate: string; schedule?: number[]; firstDay: number; factor: number; days: number } | null;
  connections?: number | null;
}
export interface ProviderListAnswer {
  providers: ListedProvider[];
  rules: { kind?: 'transactional' | 'marketing'; domains?: string[]; providers: { id: string; weight?: number }[] }[];
  policy: Record<string, number>;
  throttles: { domains: string[]; limit: number; per: Per; connections?: number }[];
}
type Per = 'second' | 'minute' | 'hour';
const KINDS = ['smtp', 'outbox', 'ses', 'postmark', 'sendgrid', 'mailgun'];

interface DraftProvider {
  id: string;
  name: string;
  kind: string;
  host: string;
  port: string;
  user: string;
  /** Write-only: empty keeps the stored secret. */
  password: string;
  /** Other kinds: settings and new secrets as JSON. */
  settingsJson: string;
  secretsJson: string;
  secretsSet: Record<string, boolean>;
  throttleLimit: string;
  throttlePer: Per;
  connections: string;
  warmupStart: string;
  warmupSchedule: string;
}
interface DraftRule {
  kind: '' | 'transactional' | 'marketing';
  domains: string;
  providers: string;
}
interface DraftThrottle {
  domains: string;
  limit: string;
  per: Per;
  connections: string;
}

const list = (text: string) =>
  text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

function toDraft(p: ListedProvider): DraftProvider {
  const smtp = (p.settings.smtp ?? {}) as { host?: string; port?: number; user?: string };
  return {
    id: p.id,
    name: p.name,
    kind: p.kind,
    host: smtp.host ?? '',
    port: smtp.port ? String(smtp.port) : '',
    user: smtp.user ?? '',
    password: '',
    settingsJson: p.kind === 'smtp' ? '' : JSON.stringify(p.settings),
    secretsJson: '',
    secretsSet: p.secretsSet,
    throttleLimit: p.throttle ? String(p.throttle.limit) : '',
    throttlePer: p.throttle?.per ?? 'second',
    connections: p.connections ? String(p.connections) : '',
    warmupStart: p.warmup?.startDate ?? '',
    warmupSchedule: p.warmup?.schedule?.join(', ') ?? '',
  };
}

function toBody(providers: DraftProvider[], rules: DraftRule[], throttles: DraftThrottle[], policy: Record<string, number>): unknown {
  const parseJson = (text: string, fallback: unknown) => {
    try {
      return text.trim() ? JSON.parse(text) : fallback;
    } catch {
      return text; // sent as it is: the API names the field
    }
  };
  return {
    providers: providers.map((p) => ({
      id: p.id,
      name: p.name,
      kind: p.kind,
      settings:
        p.kind === 'smtp'
          ? { smtp: { host: p.host, ...(p.port ? { port: Number(p.port) } : {}), ...(p.user ? { user: p.user } : {}) } }
          : parseJson(p.settingsJson, p.kind === 'outbox' ? {} : { esp: { kind: p.kind } }),
      ...(p.kind === 'smtp' ? (p.password ? { secrets: { password: p.password } } : {}) : p.secretsJson.trim() ? { secrets: parseJson(p.secretsJson, {}) } : {}),
      throttle: p.throttleLimit ? { limit: Number(p.throttleLimit), per: p.throttlePer } : null,
      connections: p.connections ? Number(p.connections) : null,
      warmup: p.warmupStart ? { startDate: p.warmupStart, ...(p.warmupSchedule.trim() ? { schedule: list(p.warmupSchedule).map(Number) } : {}) } : null,
    })),
    rules: rules.map((r) => ({
      ...(r.kind ? { kind: r.kind } : {}),
      ...(r.domains.trim() ? { domains: list(r.domains) } : {}),
      providers: list(r.providers).map((entry) => {
        const [id, weight] = entry.split(':').map((s) => s.trim());
        return weight === undefined ? { id } : { id, weight: Number(weight) };
      }),
    })),
    policy,
    throttles: throttles.map((t) => ({ domains: list(t.domains), limit: Number(t.limit), per: t.per, ...(t.connections ? { connections: Number(t.connections) } : {}) })),
  };
}

export function ProviderListEditor({ initial, onSaved }: { initial: ProviderListAnswer; onSaved: (saved: ProviderListAnswer) => void }) {
  const { t } = useI18n();
  const [providers, setProviders] = useState<DraftProvider[]>(() => initial.providers.map(toDraft));
  const [rules, setRules] = useState<DraftRule[]>(() =>
    initial.rules.map((r) => ({
      kind: r.kind ?? '',
      domains: r.domains?.join(', ') ?? '',
      providers: r.providers.map((p) => (p.weight === undefined ? p.id : `${p.id}:${p.weight}`)).join(', '),
    })),
  );
  const [throttles, setThrottles] = useState<DraftThrottle[]>(() =>
    initial.throttles.map((x) => ({ domains: x.domains.join(', '), limit: String(x.limit), per: x.per, connections: x.connections ? String(x.connections) : '' })),
  );
  const [issues, setIssues] = useState<Issue[]>([]);
  const [status, setStatus] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const issueAt = (path: string) => issues.find((i) => i.path === path || i.path.startsWith(`${path}.`));
  const field = (path: string, label: string, input: (props: { 'aria-invalid': boolean; 'aria-describedby'?: string }) => ReactNode) => {
    const issue = issueAt(path);
    const errorId = `err-${path.replace(/\W/g, '-')}`;
    return (
      <label key={path}>
        {label}
        {input({ 'aria-invalid': Boolean(issue), ...(issue ? { 'aria-describedby': errorId } : {}) })}
        {issue && (
          <span id={errorId} className="error small" role="alert">
            {issue.message}
          </span>
        )}
      </label>
    );
  };
  const setProvider = (i: number, patch: Partial<DraftProvider>) => setProviders((ps) => ps.map((p, k) => (k === i ? { ...p, ...patch } : p)));
  const move = (i: number, by: number) =>
    setProviders((ps) => {
      const next = [...ps];
      const [p] = next.splice(i, 1);
      next.splice(i + by, 0, p!);
      return next;
    });

  const save = async () => {
    setBusy(true);
    setIssues([]);
    setStatus(null);
    try {
      const saved = await put<ProviderListAnswer>('/api/email/providers', toBody(providers, rules, throttles, initial.policy));
      setProviders(saved.providers.map(toDraft));
      setStatus(t('routing.saved'));
      onSaved(saved);
    } catch (e) {
      if (e instanceof ApiError) setIssues(e.issues.length ? e.issues : [{ path: '', message: e.message }]);
      else setIssues([{ path: '', message: String(e) }]);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form
      data-testid="provider-editor"
      onSubmit={(e) => {
        e.preventDefault();
        void save();
      }}
    >
      <h3>{t('routing.edit')}</h3>
      {providers.map((p, i) => {
        const at = `body.providers.${i}`;
        return (
          <fieldset key={i} data-testid={`provider-${i}`}>
            <legend>{t('routing.providerN', { n: i + 1 })}</legend>
            <div className="row">
              {field(`${at}.id`, t('routing.id'), (a) => (
                <input value={p.id} onChange={(e) => setProvider(i, { id: e.target.value })} dir="ltr" {...a} />
              ))}
              {field(`${at}.name`, t('routing.name'), (a) => (
                <input value={p.name} onChange={(e) => setProvider(i, { name: e.target.value })} {...a} />
              ))}
              {field(`${at}.kind`, t('routing.kind'), (a) => (
                <select value={p.kind} onChange={(e) => setProvider(i, { kind: e.target.value })} {...a}>
                  {KINDS.map((k) => (
                    <option key={k} value={k}>
                      {k}
                    </option>
                  ))}
                </select>
              ))}
            </div>
            {p.kind === 'smtp' ? (
              <div className="row">
                {field(`${at}.settings.smtp.host`, t('routing.host'), (a) => (
                  <input value={p.host} onChange={(e) => setProvider(i, { host: e.target.value })} dir="ltr" {...a} />
                ))}
                {field(`${at}.settings.smtp.port`, t('routing.port'), (a) => (
                  <input value={p.port} inputMode="numeric" onChange={(e) => setProvider(i, { port: e.target.value })} dir="ltr" {...a} />
                ))}
                {field(`${at}.settings.smtp.user`, t('routing.user'), (a) => (
                  <input value={p.user} onChange={(e) => setProvider(i, { user: e.target.value })} dir="ltr" autoComplete="off" {...a} />
                ))}
                {field(`${at}.secrets.password`, t('routing.password'), (a) => (
                  <input
                    type="password"
                    value={p.password}
                    autoComplete="new-password"
                    placeholder={p.secretsSet.password ? t('routing.secretSet') : ''}
                    onChange={(e) => setProvider(i, { password: e.target.value })}
                    {...a}
                  />
                ))}
              </div>
            ) : p.kind !== 'outbox' ? (
              <div className="row">
                {field(`${at}.settings`, t('routing.settingsJson'), (a) => (
                  <textarea rows={2} value={p.settingsJson} placeholder={`{"esp": {"kind": "${p.kind}"}}`} onChange={(e) => setProvider(i, { settingsJson: e.target.value })} dir="ltr" {...a} />
                ))}
                {field(`${at}.secrets`, t('routing.secretsJson'), (a) => (
                  <textarea
                    rows={2}
                    value={p.secretsJson}
                    placeholder={Object.entries(p.secretsSet)
                      .filter(([, set]) => set)
                      .map(([k]) => `${k}: ${t('routing.secretSet')}`)
                      .join(', ')}
                    onChange={(e) => setProvider(i, { secretsJson: e.target.value })}
                    dir="ltr"
                    {...a}
                  />
                ))}
              </div>
            ) : null}
            <div className="row">
              {field(`${at}.throttle.limit`, t('routing.throttle'), (a) => (
                <input value={p.throttleLimit} inputMode="numeric" placeholder={t('routing.noLimit')} onChange={(e) => setProvider(i, { throttleLimit: e.target.value })} {...a} />
              ))}
              {field(`${at}.throttle.per`, t('routing.per'), (a) => (
                <select value={p.throttlePer} onChange={(e) => setProvider(i, { throttlePer: e.target.value as Per })} {...a}>
                  <option value="second">{t('routing.second')}</option>
                  <option value="minute">{t('routing.minute')}</option>
                  <option value="hour">{t('routing.hour')}</option>
                </select>
              ))}
              {field(`${at}.connections`, t('routing.connections'), (a) => (
                <input value={p.connections} inputMode="numeric" placeholder={t('routing.noLimit')} onChange={(e) => setProvider(i, { connections: e.target.value })} {...a} />
              ))}
              {field(`${at}.warmup.startDate`, t('routing.warmupStart'), (a) => (
                <input type="date" value={p.warmupStart} onChange={(e) => setProvider(i, { warmupStart: e.target.value })} {...a} />
              ))}
              {field(`${at}.warmup.schedule`, t('routing.warmupSchedule'), (a) => (
                <input value={p.warmupSchedule} placeholder="50, 100, 500, 1000, 5000, 10000" onChange={(e) => setProvider(i, { warmupSchedule: e.target.value })} dir="ltr" {...a} />
              ))}
            </div>
            <div className="row">
              <button type="button" onClick={() => move(i, -1)} disabled={i === 0}>
                {t('routing.up', { id: p.id })}
              </button>
              <button type="button" onClick={() => move(i, 1)} disabled={i === providers.length - 1}>
                {t('routing.down', { id: p.id })}
              </button>
              <button type="button" onClick={() => setProviders((ps) => ps.filter((_, k) => k !== i))}>
                {t('routing.remove', { id: p.id })}
              </button>
            </div>
          </fieldset>
        );
      })}
      <button
        type="button"
        onClick={() =>
          setProviders((ps) => [
            ...ps,
            { ...toDraft({ id: '', name: '', kind: 'smtp', settings: {}, secretsSet: {}, throttle: null, warmup: null }), id: ps.length === 0 ? 'primary' : `provider-${ps.length + 1}` },
          ])
        }
      >
        {t('routing.addProvider')}
      </button>

      <h3>{t('routing.rules')}</h3>
      {rules.map((r, i) => {
        const at = `body.rules.${i}`;
        const set = (patch: Partial<DraftRule>) => setRules((rs) => rs.map((x, k) => (k === i ? { ...x, ...patch } : x)));
        return (
          <fieldset key={i} data-testid={`rule-${i}`}>
            <legend>{t('routing.ruleN', { n: i + 1 })}</legend>
            <div className="row">
              {field(`${at}.kind`, t('routing.ruleKind'), (a) => (
                <select value={r.kind} onChange={(e) => set({ kind: e.target.value as DraftRule['kind'] })} {...a}>
                  <option value="">{t('routing.anyKind')}</option>
                  <option value="transactional">{t('routing.transactional')}</option>
                  <option value="marketing">{t('routing.marketing')}</option>
                </select>
              ))}
              {field(`${at}.domains`, t('routing.ruleDomains'), (a) => (
                <input value={r.domains} placeholder="gmail.com, *.example.com" onChange={(e) => set({ domains: e.target.value })} dir="ltr" {...a} />
              ))}
              {field(`${at}.providers`, t('routing.ruleProviders'), (a) => (
                <input value={r.providers} placeholder="primary:80, backup:20" onChange={(e) => set({ providers: e.target.value })} dir="ltr" {...a} />
              ))}
              <button type="button" onClick={() => setRules((rs) => rs.filter((_, k) => k !== i))}>
                {t('routing.removeRule', { n: i + 1 })}
              </button>
            </div>
          </fieldset>
        );
      })}
      <button type="button" onClick={() => setRules((rs) => [...rs, { kind: '', domains: '', providers: '' }])}>
        {t('routing.addRule')}
      </button>

      <h3>{t('routing.domainThrottles')}</h3>
      {throttles.map((x, i) => {
        const at = `body.throttles.${i}`;
        const set = (patch: Partial<DraftThrottle>) => setThrottles((ts) => ts.map((y, k) => (k === i ? { ...y, ...patch } : y)));
        return (
          <fieldset key={i} data-testid={`throttle-${i}`}>
            <legend>{t('routing.throttleN', { n: i + 1 })}</legend>
            <div className="row">
              {field(`${at}.domains`, t('routing.ruleDomains'), (a) => (
                <input value={x.domains} placeholder="gmail.com, googlemail.com" onChange={(e) => set({ domains: e.target.value })} dir="ltr" {...a} />
              ))}
              {field(`${at}.limit`, t('routing.throttle'), (a) => (
                <input value={x.limit} inputMode="numeric" onChange={(e) => set({ limit: e.target.value })} {...a} />
              ))}
              {field(`${at}.per`, t('routing.per'), (a) => (
                <select value={x.per} onChange={(e) => set({ per: e.target.value as Per })} {...a}>
                  <option value="second">{t('routing.second')}</option>
                  <option value="minute">{t('routing.minute')}</option>
                  <option value="hour">{t('routing.hour')}</option>
                </select>
              ))}
              {field(`${at}.connections`, t('routing.connections'), (a) => (
                <input value={x.connections} inputMode="numeric" placeholder={t('routing.noLimit')} onChange={(e) => set({ connections: e.target.value })} {...a} />
              ))}
              <button type="button" onClick={() => setThrottles((ts) => ts.filter((_, k) => k !== i))}>
                {t('routing.removeThrottle', { n: i + 1 })}
              </button>
            </div>
          </fieldset>
        );
      })}
      <button type="button" onClick={() => setThrottles((ts) => [...ts, { domains: '', limit: '', per: 'minute', connections: '' }])}>
        {t('routing.addThrottle')}
      </button>

      {issues.length > 0 && (
        <ul className="error" role="alert" data-testid="routing-issues">
          {issues.map((x, i) => (
            <li key={i}>
              {x.path ? <code dir="ltr">{x.path}</code> : null} {x.message}
            </li>
          ))}
        </ul>
      )}
      {status && (
        <p className="ok" role="status">
          {status}
        </p>
      )}
      <p>
        <button type="submit" disabled={busy}>
          {t('routing.save')}
        </button>
      </p>
    </form>
  );
}
