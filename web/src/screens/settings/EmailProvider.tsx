/**
 * The workspace's email provider (GET/PUT /api/email/provider): the dev outbox or an SMTP server
 * with its TLS, login, rate limit and DKIM key. Secrets never come back from the server, so the form
 * says "set" and an empty field keeps the stored one. "Send test" (POST /api/email/provider/test)
 * mails an address through the saved settings and shows the provider's answer.
 */
import { useEffect, useState, type FormEvent } from 'react';
import { ApiError, get, post, put, type Issue } from '../../api';
import { useI18n } from '../../i18n';

interface Mailbox {
  address: string;
  name?: string;
}
export interface PublicEmailSettings {
  source: 'workspace' | 'default';
  provider: 'smtp' | 'outbox';
  from: Mailbox;
  transactionalFrom?: Mailbox;
  replyTo?: string;
  postalAddress?: string;
  returnPathDomain?: string;
  tracking: { opens: boolean; clicks: boolean; transactional: boolean };
  topics?: { id: string; name: string; description?: string }[];
  smtp?: {
    host: string;
    port: number;
    secure: boolean;
    requireTls: boolean;
    user?: string;
    hasPassword: boolean;
    maxConnections: number;
    rateLimitPerSecond?: number;
    allowInvalidCertificates: boolean;
  };
  dkim?: { domain: string; selector: string; hasPrivateKey: boolean };
}
type TestResult = { status: 'sent'; messageId: string; providerMessageId: string | null; response: string | null } | { status: 'failed'; error: string; retryable: boolean };

interface Form {
  provider: 'smtp' | 'outbox';
  fromAddress: string;
  fromName: string;
  host: string;
  port: string;
  secure: boolean;
  requireTls: boolean;
  user: string;
  password: string;
  removePassword: boolean;
  rate: string;
  dkimDomain: string;
  dkimSelector: string;
  dkimKey: string;
}

function formOf(s: PublicEmailSettings): Form {
  return {
    provider: s.provider,
    fromAddress: s.from.address,
    fromName: s.from.name ?? '',
    host: s.smtp?.host ?? '',
    port: String(s.smtp?.port ?? 587),
    secure: s.smtp?.secure ?? false,
    requireTls: s.smtp?.requireTls ?? false,
    user: s.smtp?.user ?? '',
    password: '',
    removePassword: false,
    rate: s.smtp?.rateLimitPerSecond ? String(s.smtp.rateLimitPerSecond) : '',
    dkimDomain: s.dkim?.domain ?? '',
    dkimSelector: s.dkim?.selector ?? '',
    dkimKey: '',
  };
}

/** The PUT body: everything the server showed (minus flags), with the form's fields over it. */
function bodyOf(s: PublicEmailSettings, f: Form): Record<string, unknown> {
  const { source: _source, smtp: _smtp, dkim: _dkim, ...rest } = s;
  const body: Record<string, unknown> = { ...rest, provider: f.provider, from: { address: f.fromAddress.trim(), ...(f.fromName.trim() ? { name: f.fromName.trim() } : {}) } };
  if (f.provider === 'smtp' || f.host.trim()) {
    body.smtp = {
      host: f.host.trim(),
      port: Number(f.port),
      secure: f.secure,
      requireTls: f.requireTls,
      ...(f.user.trim() ? { user: f.user.trim() } : {}),
      ...(f.password ? { password: f.password } : f.removePassword ? { password: null } : {}),
      ...(s.smtp ? { maxConnections: s.smtp.maxConnections, allowInvalidCertificates: s.smtp.allowInvalidCertificates } : {}),
      ...(f.rate.trim() ? { rateLimitPerSecond: Number(f.rate) } : {}),
    };
  }
  if (f.dkimDomain.trim()) body.dkim = { domain: f.dkimDomain.trim(), selector: f.dkimSelector.trim(), ...(f.dkimKey ? { privateKey: f.dkimKey } : {}) };
  return body;
}

export function EmailProvider({ admin }: { admin: boolean }) {
  const { t } = useI18n();
  const [settings, setSettings] = useState<PublicEmailSettings | null>(null);
  const [form, setForm] = useState<Form | null>(null);
  const [issues, setIssues] = useState<Issue[]>([]);
  const [saved, setSaved] = useState(false);
  /** Changed since loaded or saved: the test would still use the saved settings. */
  const [dirty, setDirty] = useState(false);
  const [testTo, setTestTo] = useState('');
  const [testing, setTesting] = useState(false);
  const [result, setResult] = useState<TestResult | { status: 'error'; error: string } | null>(null);

  const load = (s: PublicEmailSettings) => {
    setSettings(s);
    setForm(formOf(s));
    setDirty(false);
  };
  useEffect(() => {
    if (admin) get<PublicEmailSettings>('/api/email/provider').then(load, () => {});
  }, [admin]);
  if (!admin) return null;
  if (!settings || !form)
    return (
      <section className="card">
        <p>{t('loading')}</p>
      </section>
    );

  const set = (patch: Partial<Form>) => {
    setSaved(false);
    setDirty(true);
    setForm({ ...form, ...patch });
  };
  const save = async (e: FormEvent) => {
    e.preventDefault();
    setIssues([]);
    setSaved(false);
    try {
      load(await put<PublicEmailSettings>('/api/email/provider', bodyOf(settings, form)));
      setSaved(true);
    } catch (err) {
      setIssues(err instanceof ApiError ? (err.issues.length ? err.issues : [{ path: '', message: err.message }]) : [{ path: '', message: String(err) }]);
    }
  };
  const sendTest = async (e: FormEvent) => {
    e.preventDefault();
    setResult(null);
    setTesting(true);
    try {
      setResult(await post<TestResult>('/api/email/provider/test', { to: testTo }));
    } catch (err) {
      setResult({ status: 'error', error: (err as Error).message });
    } finally {
      setTesting(false);
    }
  };
  const errorsAt = (path: string) => issues.filter((i) => i.path === `body.${path}`).map((i) => i.message);
  const field = (path: string) => {
    const errs = errorsAt(path);
    const id = `email-err-${path.replace(/\./g, '-')}`;
    return {
      props: { 'aria-invalid': errs.length > 0, ...(errs.length ? { 'aria-describedby': id } : {}) },
      errors: errs.length ? (
        <span id={id} className="error small" role="alert">
          {errs.join('; ')}
        </span>
      ) : null,
    };
  };
  const from = field('from.address');
  const host = field('smtp.host');
  const port = field('smtp.port');
  const rate = field('smtp.rateLimitPerSecond');
  const dkim = field('dkim.domain');
  const selector = field('dkim.selector');
  const smtp = form.provider === 'smtp';
  const other = issues.filter((i) => !['body.from.address', 'body.smtp.host', 'body.smtp.port', 'body.smtp.rateLimitPerSecond', 'body.dkim.domain', 'body.dkim.selector'].includes(i.path));

  return (
    <section className="card email-provider" aria-labelledby="email-title">
      <h2 id="email-title">{t('settings.email.title')}</h2>
      <p className="muted small" data-testid="email-source">
        {settings.source === 'default' ? t('settings.email.usingDefaults') : t('settings.email.usingWorkspace')}
      </p>
      <form onSubmit={(e) => void save(e)}>
        <fieldset className="row">
          <legend>{t('settings.email.provider')}</legend>
          <label>
            <input type="radio" name="provider" value="outbox" checked={!smtp} onChange={() => set({ provider: 'outbox' })} /> {t('settings.email.outbox')}
          </label>
          <label>
            <input type="radio" name="provider" value="smtp" checked={smtp} onChange={() => set({ provider: 'smtp' })} /> SMTP
          </label>
        </fieldset>
        <div className="grid2">
          <label>
            {t('settings.email.fromAddress')}
            <input type="email" required value={form.fromAddress} onChange={(e) => set({ fromAddress: e.target.value })} {...from.props} />
            {from.errors}
          </label>
          <label>
            {t('settings.email.fromName')}
            <input value={form.fromName} onChange={(e) => set({ fromName: e.target.value })} />
          </label>
        </div>
        {smtp && (
          <fieldset>
            <legend>{t('settings.email.smtpServer')}</legend>
            <div className="grid2">
              <label>
                {t('settings.email.host')}
                <input value={form.host} required onChange={(e) => set({ host: e.target.value })} placeholder="smtp.example.com" {...host.props} />
                {host.errors}
              </label>
              <label>
                {t('settings.email.port')}
                <input type="number" min={1} max={65535} value={form.port} onChange={(e) => set({ port: e.target.value })} {...port.props} />
                {port.errors}
              </label>
              <label>
                {t('settings.email.user')}
                <input value={form.user} autoComplete="off" onChange={(e) => set({ user: e.target.value })} />
              </label>
              <label>
                {t('settings.email.password')}
                <input
                  type="password"
                  autoComplete="new-password"
                  value={form.password}
                  placeholder={settings.smtp?.hasPassword ? t('settings.email.secretSet') : t('settings.email.secretNotSet')}
                  onChange={(e) => set({ password: e.target.value, removePassword: false })}
                  aria-describedby="pw-state"
                />
                <span id="pw-state" className="muted small" data-testid="password-state">
                  {settings.smtp?.hasPassword ? t('settings.email.passwordSet') : t('settings.email.secretNotSet')}
                </span>
              </label>
            </div>
            {settings.smtp?.hasPassword && (
              <label className="check">
                <input type="checkbox" checked={form.removePassword} onChange={(e) => set({ removePassword: e.target.checked, password: '' })} /> {t('settings.email.removePassword')}
              </label>
            )}
            <label className="check">
              <input type="checkbox" checked={form.secure} onChange={(e) => set({ secure: e.target.checked })} /> {t('settings.email.secure')}
            </label>
            <label className="check">
              <input type="checkbox" checked={form.requireTls} onChange={(e) => set({ requireTls: e.target.checked })} /> {t('settings.email.requireTls')}
            </label>
            <label>
              {t('settings.email.rate')}
              <input type="number" min={1} value={form.rate} onChange={(e) => set({ rate: e.target.value })} placeholder={t('settings.email.unlimited')} {...rate.props} />
              {rate.errors}
            </label>
          </fieldset>
        )}
        <fieldset>
          <legend>DKIM</legend>
          <div className="grid2">
            <label>
              {t('settings.email.dkimDomain')}
              <input value={form.dkimDomain} onChange={(e) => set({ dkimDomain: e.target.value })} placeholder="example.com" {...dkim.props} />
              {dkim.errors}
            </label>
            <label>
              {t('settings.email.dkimSelector')}
              <input value={form.dkimSelector} onChange={(e) => set({ dkimSelector: e.target.value })} placeholder="qatra1" {...selector.props} />
              {selector.errors}
            </label>
          </div>
          <label>
            {t('settings.email.dkimKey')}
            <textarea
              value={form.dkimKey}
              rows={3}
              className="code"
              placeholder={settings.dkim?.hasPrivateKey ? t('settings.email.secretSet') : '-----BEGIN PRIVATE KEY-----'}
              onChange={(e) => set({ dkimKey: e.target.value })}
            />
          </label>
        </fieldset>
        {other.length > 0 && (
          <ul className="error" role="alert">
            {other.map((i) => (
              <li key={i.path + i.message}>
                {i.path ? `${i.path}: ` : ''}
                {i.message}
              </li>
            ))}
          </ul>
        )}
        <div className="row">
          <button type="submit" className="primary">
            {t('save')}
          </button>
          {saved && (
            <span className="ok" role="status">
              {t('saved')}
            </span>
          )}
        </div>
      </form>
      <form className="row send-test" onSubmit={(e) => void sendTest(e)} aria-labelledby="email-test-title">
        <h3 id="email-test-title" className="sr-only">
          {t('settings.email.sendTest')}
        </h3>
        <label>
          {t('settings.email.testTo')}
          <input type="email" required value={testTo} onChange={(e) => setTestTo(e.target.value)} />
        </label>
        <button type="submit" disabled={testing}>
          {testing ? t('settings.email.sending') : t('settings.email.sendTest')}
        </button>
        {dirty && (
          <span className="muted small" role="note">
            {t('settings.email.saveFirst')}
          </span>
        )}
      </form>
      {result &&
        (result.status === 'sent' ? (
          <p className="ok" role="status" data-testid="test-result">
            {t('settings.email.testSent')} <code>{result.messageId}</code>
            {result.response ? (
              <>
                {' '}
                · <span className="muted">{result.response}</span>
              </>
            ) : null}
          </p>
        ) : (
          <p className="error" role="alert" data-testid="test-result">
            {t('settings.email.testFailed')} <code dir="ltr">{result.error}</code>
          </p>
        ))}
    </section>
  );
}
