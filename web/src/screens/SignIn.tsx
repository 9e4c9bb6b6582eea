/** Sign-in, and account set-up from a one-time link (`/app/setup#token=…`). */
import { useEffect, useState, type FormEvent } from 'react';
import { ApiError, post, setCsrfToken, type Session } from '../api';
import { LANGS, useI18n, type Lang } from '../i18n';

function LangPicker() {
  const { t, lang, setLang } = useI18n();
  return (
    <select aria-label={t('language')} value={lang} onChange={(e) => setLang(e.target.value as Lang)}>
      {LANGS.map((l) => (
        <option key={l.code} value={l.code}>
          {l.label}
        </option>
      ))}
    </select>
  );
}

export function SignIn({ onDone }: { onDone(s: Session): void }) {
  const { t } = useI18n();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const s = await post<Session>('/api/auth/login', { email, password });
      setCsrfToken(s.csrfToken);
      onDone(s);
    } catch (err) {
      setError(err instanceof ApiError ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <main className="auth">
      <form className="card" onSubmit={submit} aria-labelledby="signin-title">
        <div className="row">
          <h1 id="signin-title">{t('auth.title')}</h1>
          <span className="spacer" />
          <LangPicker />
        </div>
        <label>
          {t('auth.email')}
          <input type="email" autoComplete="username" required value={email} onChange={(e) => setEmail(e.target.value)} />
        </label>
        <label>
          {t('auth.password')}
          <input type="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} />
        </label>
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
        <button className="primary" type="submit" disabled={busy}>
          {t('auth.signIn')}
        </button>
      </form>
    </main>
  );
}

export function Setup({ onDone }: { onDone(s: Session): void }) {
  const { t } = useI18n();
  const token = new URLSearchParams(location.hash.slice(1)).get('token') ?? '';
  const [invite, setInvite] = useState<{ role: string; email: string | null } | null>(null);
  const [email, setEmail] = useState('');
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    post<{ role: string; email: string | null }>('/api/auth/setup/inspect', { token }).then(setInvite, (e) => setError(e instanceof ApiError ? e.message : String(e)));
  }, [token]);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    try {
      const s = await post<Session>('/api/auth/setup', { token, email: invite?.email ?? email, name, password });
      setCsrfToken(s.csrfToken);
      history.replaceState(null, '', '/app/journeys');
      onDone(s);
    } catch (err) {
      setError(err instanceof ApiError ? err.message : String(err));
    }
  };
  return (
    <main className="auth">
      <form className="card" onSubmit={submit} aria-labelledby="setup-title">
        <div className="row">
          <h1 id="setup-title">{t('auth.setupTitle')}</h1>
          <span className="spacer" />
          <LangPicker />
        </div>
        {invite && <p>{t('auth.setupRole', { role: t(`role.${invite.role}` as 'role.owner') })}</p>}
        <label>
          {t('auth.email')}
          <input type="email" required readOnly={!!invite?.email} value={invite?.email ?? email} onChange={(e) => setEmail(e.target.value)} />
        </label>
        <label>
          {t('auth.name')}
          <input value={name} onChange={(e) => setName(e.target.value)} />
        </label>
        <label>
          {t('auth.password')}
          <input type="password" autoComplete="new-password" required minLength={10} aria-describedby="pw-hint" value={password} onChange={(e) => setPassword(e.target.value)} />
        </label>
        <small id="pw-hint" className="muted">
          {t('auth.passwordHint')}
        </small>
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
        <button className="primary" type="submit" disabled={!invite}>
          {t('auth.create')}
        </button>
      </form>
    </main>
  );
}
