/** The shell: the session (or the sign-in / setup screens), navigation, language and the screens. */
import { useCallback, useEffect, useState } from 'react';
import { ApiError, get, post, setCsrfToken, whenSignedOut, type Session } from './api';
import { LANGS, useI18n, type Lang } from './i18n';
import { Link, match, navigate, usePath } from './router';
import { SignIn, Setup } from './screens/SignIn';
import { JourneysList } from './screens/JourneysList';
import { JourneyEditor } from './journey/JourneyEditor';
import { TemplatesList, TemplateEditor } from './screens/Templates';
import { ContactsList, ContactProfile } from './screens/Contacts';
import { ContactsImport } from './screens/ContactsImport';
import { Outbox } from './screens/Outbox';
import { SegmentsList, SegmentEditor } from './screens/Segments';
import { Settings } from './screens/Settings';
import { Broadcasts } from './screens/Broadcasts';
import { Analytics } from './screens/Analytics';
import { Simulate } from './screens/Simulate';
import { Insights } from './screens/Insights';
import { Posts } from './posts/Posts';
import { MailBatches } from './mail/Batches';
import { Gallery } from './gallery/Gallery';
import { SetupChecklist } from './setup/Checklist';
import { WorkspaceSwitcher } from './workspaces/WorkspaceSwitcher';

export function App() {
  const { t } = useI18n();
  const path = usePath();
  const [session, setSession] = useState<Session | null | undefined>(undefined);

  const adopt = useCallback((s: Session | null) => {
    setCsrfToken(s?.csrfToken ?? null);
    setSession(s);
  }, []);

  useEffect(() => {
    whenSignedOut(() => adopt(null));
    // ?optional=1: signed out is a 204, not a 401 the browser would log as an error on every load.
    get<Session | null>('/api/auth/session?optional=1').then(
      (s) => adopt(s ?? null),
      () => adopt(null),
    );
  }, [adopt]);

  if (session === undefined) return <p className="center">{t('loading')}</p>;
  if (path.startsWith('/setup'))
    return (
      <Setup
        onDone={(s) => {
          adopt(s);
          navigate('/journeys');
        }}
      />
    );
  if (!session) return <SignIn onDone={adopt} />;
  // Keyed by workspace: switching remounts every screen, so none shows the previous workspace's data.
  return <Shell key={session.workspace.id} session={session} path={path} onSignedOut={() => adopt(null)} onSwitched={adopt} />;
}

function Shell({ session, path, onSignedOut, onSwitched }: { session: Session; path: string; onSignedOut(): void; onSwitched(s: Session): void }) {
  const { t, lang, setLang } = useI18n();
  const nav = [
    ['/journeys', 'nav.journeys'],
    ['/templates', 'nav.templates'],
    ['/segments', 'nav.segments'],
    ['/contacts', 'nav.contacts'],
    ['/broadcasts', 'nav.broadcasts'],
    ['/posts', 'nav.posts'],
    ['/analytics', 'nav.analytics'],
    ['/insights', 'nav.insights'],
    ['/mail', 'nav.mail'],
    ['/outbox', 'nav.outbox'],
    ['/settings', 'nav.settings'],
  ] as const;
  const signOut = async (everywhere: boolean) => {
    await post(everywhere ? '/api/auth/logout-all' : '/api/auth/logout').catch(() => {});
    onSignedOut();
  };
  let m: Record<string, string> | null;
  let screen;
  if ((m = match('/journeys/:id/simulate', path))) screen = <Simulate key={m.id} id={m.id!} />;
  else if ((m = match('/journeys/:id', path))) screen = <JourneyEditor key={m.id} id={m.id === 'new' ? null : m.id!} role={session.role} />;
  else if (path.startsWith('/templates') && (m = match('/templates/:id', path))) screen = <TemplateEditor key={m.id} id={m.id === 'new' ? null : m.id!} role={session.role} />;
  else if (path.startsWith('/templates')) screen = <TemplatesList role={session.role} />;
  else if ((m = match('/segments/:id', path))) screen = <SegmentEditor key={m.id} id={m.id === 'new' ? null : m.id!} role={session.role} />;
  else if (path.startsWith('/segments')) screen = <SegmentsList role={session.role} />;
  else if (path === '/contacts/import') screen = <ContactsImport />;
  else if ((m = match('/contacts/:id', path))) screen = <ContactProfile key={m.id} id={m.id!} role={session.role} />;
  else if (path.startsWith('/contacts')) screen = <ContactsList role={session.role} />;
  else if (path.startsWith('/broadcasts')) screen = <Broadcasts role={session.role} />;
  else if ((m = match('/posts/:id', path))) screen = <Posts key={m.id} role={session.role} id={m.id!} />;
  else if (path.startsWith('/posts')) screen = <Posts role={session.role} id={null} />;
  else if ((m = match('/analytics/:id', path))) screen = <Analytics key={m.id} journeyId={m.id!} />;
  else if (path.startsWith('/analytics')) screen = <Analytics journeyId={null} />;
  else if (path.startsWith('/insights')) screen = <Insights />;
  else if (path.startsWith('/mail')) screen = <MailBatches role={session.role} />;
  else if (path.startsWith('/outbox')) screen = <Outbox />;
  else if (path.startsWith('/gallery')) screen = <Gallery role={session.role} />;
  else if (path.startsWith('/settings')) screen = <Settings session={session} />;
  else screen = <JourneysList role={session.role} />;

  return (
    <div className="shell">
      <a className="skip-link" href="#main" onClick={(e) => (e.preventDefault(), document.getElementById('main')?.focus())}>
        {t('skipToContent')}
      </a>
      <header className="topbar">
        <strong className="brand">
          <img src="/app/favicon.svg" alt="" width="20" height="20" />
          {t('appName')}
        </strong>
        <WorkspaceSwitcher session={session} onSwitched={onSwitched} />
        <span className="spacer" />
        <label>
          <span className="sr-only">{t('language')}</span>
          <select aria-label={t('language')} value={lang} onChange={(e) => setLang(e.target.value as Lang)}>
            {LANGS.map((l) => (
              <option key={l.code} value={l.code}>
                {l.label}
              </option>
            ))}
          </select>
        </label>
        <span data-testid="whoami">
          {session.user.email} · {t(`role.${session.role}`)}
        </span>
        <button type="button" onClick={() => signOut(false)}>
          {t('auth.signOut')}
        </button>
        <button type="button" className="link" onClick={() => signOut(true)}>
          {t('auth.signOutEverywhere')}
        </button>
      </header>
      <nav className="sidebar" aria-label={t('nav.main')}>
        {nav.map(([to, key]) => (
          <Link key={to} to={to} aria-current={path.startsWith(to) || (to === '/journeys' && path === '/') ? 'page' : undefined}>
            {t(key)}
          </Link>
        ))}
      </nav>
      <main className="content" id="main" tabIndex={-1}>
        {session.workspace.archivedAt ? (
          <p className="notice" role="note">
            {t('ws.archivedNotice')}
          </p>
        ) : null}
        {session.role === 'viewer' && (
          <p className="notice" role="note">
            {t('readOnly')}
          </p>
        )}
        {(path === '/' || path === '/journeys') && <SetupChecklist workspaceId={session.workspace.id} />}
        {screen}
      </main>
    </div>
  );
}
