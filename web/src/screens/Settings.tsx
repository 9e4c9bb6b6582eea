/**
 * Settings: the workspace, its email provider (with "send test"), topics, default quiet hours and
 * frequency cap, API keys for machines (and the website snippet's tag, next to them), and the people with their roles. The larger sections are
 * their own components in ./settings/.
 */
import { useEffect, useState, type FormEvent } from 'react';
import { ApiError, del, get, patch, post, canAdmin, type Role, type Session } from '../api';
import { useI18n } from '../i18n';
import { EmailProvider } from './settings/EmailProvider';
import { EmailRouting } from './settings/EmailRouting';
import { MessagingDefaults } from './settings/MessagingDefaults';
import { Topics } from './settings/Topics';
import { SmsSettingsSection } from './settings/SmsSettings';
import { WebsiteTracking } from './settings/WebsiteTracking';
import { AssistantSettingsSection } from '../assistant/AssistantSettings';
import { KeyOrigins } from './settings/KeyOrigins';
import { DeliverabilitySettings } from '../deliverability/DeliverabilitySettings';
import { Invitations } from './settings/Invitations';

interface Workspace {
  id: string;
  name: string;
  timezone: string;
  postalAddress: string;
  allowPrivateWebhookTargets: boolean;
}
interface Key {
  id: string;
  kind: string;
  name: string;
  prefix: string;
  createdAt: number;
  lastUsedAt: number | null;
  revokedAt: number | null;
  allowedOrigins: string[] | null;
}
interface Member {
  id: string;
  email: string;
  name: string;
  role: Role;
}

const ROLES: Role[] = ['owner', 'admin', 'editor', 'viewer'];

export function Settings({ session }: { session: Session }) {
  const { t, date } = useI18n();
  const admin = canAdmin(session.role);
  const [ws, setWs] = useState<Workspace | null>(null);
  const [keys, setKeys] = useState<Key[]>([]);
  const [members, setMembers] = useState<Member[]>([]);
  const [secret, setSecret] = useState<string | null>(null);
  const [link, setLink] = useState<{ email: string; url: string; mailed: boolean; reason?: string } | null>(null);
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const [keyKind, setKeyKind] = useState('write');
  const [keyName, setKeyName] = useState('');
  const [secretKind, setSecretKind] = useState('write');
  const [inviteEmail, setInviteEmail] = useState('');
  const [inviteRole, setInviteRole] = useState<Role>('editor');

  const reload = () => {
    get<Workspace>('/api/workspace').then(setWs, () => {});
    get<{ data: Key[] }>('/api/keys').then(
      (r) => setKeys(r.data),
      () => {},
    );
    get<{ data: Member[] }>('/api/users').then(
      (r) => setMembers(r.data),
      () => {},
    );
  };
  useEffect(reload, []);
  const attempt = async (fn: () => Promise<unknown>) => {
    setMessage(null);
    try {
      await fn();
      reload();
    } catch (e) {
      setMessage({ ok: false, text: e instanceof ApiError ? e.message : String(e) });
    }
  };

  const saveWs = (e: FormEvent) => {
    e.preventDefault();
    if (ws)
      void attempt(async () => {
        await patch('/api/workspace', { name: ws.name, timezone: ws.timezone, postalAddress: ws.postalAddress, allowPrivateWebhookTargets: ws.allowPrivateWebhookTargets });
        setMessage({ ok: true, text: t('saved') });
      });
  };

  return (
    <div className="settings">
      <h1>{t('settings.title')}</h1>
      {message && (
        <p className={message.ok ? 'ok' : 'error'} role={message.ok ? 'status' : 'alert'}>
          {message.text}
        </p>
      )}
      {ws && (
        <form className="card" onSubmit={saveWs} aria-labelledby="ws-title">
          <h2 id="ws-title">{t('settings.workspace')}</h2>
          <label>
            {t('settings.name')}
            <input value={ws.name} disabled={!admin} onChange={(e) => setWs({ ...ws, name: e.target.value })} />
          </label>
          <label>
            {t('settings.timezone')}
            <input value={ws.timezone} disabled={!admin} onChange={(e) => setWs({ ...ws, timezone: e.target.value })} />
          </label>
          <label>
            {t('settings.postal')}
            <textarea value={ws.postalAddress} disabled={!admin} onChange={(e) => setWs({ ...ws, postalAddress: e.target.value })} />
          </label>
          <label className="check">
            <input type="checkbox" checked={ws.allowPrivateWebhookTargets} disabled={!admin} onChange={(e) => setWs({ ...ws, allowPrivateWebhookTargets: e.target.checked })} />{' '}
            {t('settings.privateWebhooks')}
          </label>
          {admin && (
            <button type="submit" className="primary">
              {t('save')}
            </button>
          )}
        </form>
      )}
      <EmailProvider admin={admin} />
      {admin && <EmailRouting />}
      <Topics admin={admin} />
      <MessagingDefaults admin={admin} />
      <DeliverabilitySettings admin={admin} />
      <SmsSettingsSection admin={admin} />
      <AssistantSettingsSection admin={admin} />
      <section className="card" aria-labelledby="keys-title">
        <h2 id="keys-title">{t('settings.keys')}</h2>
        <table>
          <thead>
            <tr>
              <th scope="col">{t('settings.name')}</th>
              <th scope="col">{t('settings.kind')}</th>
              <th scope="col">{t('settings.prefix')}</th>
              <th scope="col">{t('settings.lastUsed')}</th>
              <th scope="col">{t('settings.origins')}</th>
              <th scope="col" />
            </tr>
          </thead>
          <tbody>
            {keys.map((k) => (
              <tr key={k.id}>
                <td>{k.name}</td>
                <td>{k.kind}</td>
                <td>
                  <code>{k.prefix}…</code>
                </td>
                <td>{k.revokedAt ? t('settings.revoked') : k.lastUsedAt ? date(k.lastUsedAt) : '—'}</td>
                <td>
                  <KeyOrigins key={`${k.id}:${(k.allowedOrigins ?? []).join(' ')}`} id={k.id} name={k.name} kind={k.kind} origins={k.allowedOrigins} admin={admin && !k.revokedAt} onSaved={reload} />
                </td>
                <td>
                  {admin && !k.revokedAt && (
                    <button type="button" className="danger" onClick={() => void attempt(() => post(`/api/keys/${k.id}/revoke`))}>
                      {t('revoke')}
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        {admin && (
          <form
            className="row"
            onSubmit={(e) => {
              e.preventDefault();
              void attempt(async () => {
                setSecret((await post<{ secret: string }>('/api/keys', { kind: keyKind, name: keyName || undefined })).secret);
                setSecretKind(keyKind);
              });
            }}
          >
            <label>
              {t('settings.kind')}
              <select value={keyKind} onChange={(e) => setKeyKind(e.target.value)}>
                <option value="write">write</option>
                <option value="admin">admin</option>
              </select>
            </label>
            <label>
              {t('settings.name')}
              <input value={keyName} onChange={(e) => setKeyName(e.target.value)} />
            </label>
            <button type="submit">{t('settings.newKey')}</button>
          </form>
        )}
        {secret && (
          <p className="ok" role="status">
            {t('settings.secretOnce')} <code data-testid="new-key-secret">{secret}</code>
          </p>
        )}
      </section>
      <WebsiteTracking admin={admin} writeKey={secret && secretKind === 'write' ? secret : null} />
      <section className="card" aria-labelledby="users-title">
        <h2 id="users-title">{t('settings.users')}</h2>
        <table>
          <tbody>
            {members.map((m) => (
              <tr key={m.id}>
                <td>{m.name}</td>
                <td>{m.email}</td>
                <td>
                  <select
                    aria-label={`${t('settings.role')} ${m.email}`}
                    value={m.role}
                    disabled={!admin || m.id === session.user.id}
                    onChange={(e) => void attempt(() => patch(`/api/users/${m.id}`, { role: e.target.value }))}
                  >
                    {ROLES.map((r) => (
                      <option key={r} value={r}>
                        {t(`role.${r}`)}
                      </option>
                    ))}
                  </select>
                </td>
                <td>
                  {admin && m.id !== session.user.id && (
                    <button
                      type="button"
                      className="danger"
                      aria-label={`${t('settings.removeMember')} ${m.email}`}
                      onClick={() => {
                        if (confirm(t('settings.removeConfirm', { email: m.email }))) void attempt(() => del(`/api/users/${m.id}`));
                      }}
                    >
                      {t('settings.removeMember')}
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        {admin && (
          <form
            className="row"
            onSubmit={(e) => {
              e.preventDefault();
              void attempt(async () => {
                const r = await post<{ setupUrl: string; email: string; mail?: { status: string; reason?: string } }>('/api/users/invites', { email: inviteEmail, role: inviteRole });
                setLink({ email: r.email, url: r.setupUrl, mailed: r.mail?.status === 'sent', ...(r.mail?.reason ? { reason: r.mail.reason } : {}) });
              });
            }}
          >
            <label>
              {t('auth.email')}
              <input type="email" required value={inviteEmail} onChange={(e) => setInviteEmail(e.target.value)} />
            </label>
            <label>
              {t('settings.role')}
              <select value={inviteRole} onChange={(e) => setInviteRole(e.target.value as Role)}>
                {ROLES.map((r) => (
                  <option key={r} value={r}>
                    {t(`role.${r}`)}
                  </option>
                ))}
              </select>
            </label>
            <button type="submit">{t('settings.invite')}</button>
          </form>
        )}
        {link && (
          <p className="ok" role="status">
            {link.mailed ? t('settings.inviteMailed', { email: link.email }) : t('settings.inviteNotMailed', { email: link.email, reason: link.reason ?? '—' })}{' '}
            <code data-testid="invite-link">{link.url}</code>
          </p>
        )}
        <Invitations admin={admin} version={link?.url ?? ''} />
      </section>
    </div>
  );
}
