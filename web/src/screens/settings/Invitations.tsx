/** Pending invitations: who was invited, as what, until when; an admin withdraws one (its link stops working). */
import { useEffect, useState } from 'react';
import { del, get, type Role } from '../../api';
import { useI18n } from '../../i18n';

interface Invite {
  id: string;
  email: string | null;
  role: Role;
  createdAt: number;
  expiresAt: number;
}

/** `version` (the newest link made here) changes with each new invitation, so the list reloads. */
export function Invitations({ admin, version }: { admin: boolean; version: string }) {
  const { t, date } = useI18n();
  const [invites, setInvites] = useState<Invite[] | null>(null);
  const load = () =>
    void get<{ data: Invite[] }>('/api/users/invites').then(
      (r) => setInvites(r.data),
      () => setInvites([]),
    );
  useEffect(load, [version]);
  if (invites === null) return null;
  return (
    <section aria-labelledby="invites-title" data-testid="invitations">
      <h3 id="invites-title">{t('settings.invites')}</h3>
      {invites.length === 0 ? (
        <p className="muted">{t('settings.invitesNone')}</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">{t('auth.email')}</th>
              <th scope="col">{t('settings.role')}</th>
              <th scope="col">{t('settings.inviteExpires')}</th>
              {admin && <th scope="col" />}
            </tr>
          </thead>
          <tbody>
            {invites.map((i) => (
              <tr key={i.id} data-testid="invitation">
                <td>
                  <bdi>{i.email ?? '—'}</bdi>
                </td>
                <td>{t(`role.${i.role}`)}</td>
                <td>{date(i.expiresAt)}</td>
                {admin && (
                  <td>
                    <button type="button" className="danger" onClick={() => void del(`/api/users/invites/${i.id}`).then(load, load)}>
                      {t('settings.inviteWithdraw')}
                    </button>
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
