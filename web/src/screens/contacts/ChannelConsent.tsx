/**
 * A contact's consent per channel, with the address it applies to: email and phone. Each shows
 * subscribed / unsubscribed / pending (double opt-in) / unknown (no record), and the last
 * change's source; when that change came from an SMS reply (`sms_reply`), the person's own words (`detail`, «لغو», "STOP please").
 * Admins can subscribe or unsubscribe (PUT /api/contacts/:id/consent/:channel, source `admin`).
 */
import { useEffect, useState } from 'react';
import { ApiError, get, put, canAdmin, type Role } from '../../api';
import { useI18n } from '../../i18n';

interface Current {
  channel: string;
  topic: string;
  status: 'subscribed' | 'unsubscribed' | 'pending';
  source: string | null;
  updatedAt: number;
}
interface Change {
  id: number;
  channel: string;
  topic: string;
  status: string;
  source: string | null;
  detail: string | null;
  createdAt: number;
}

/** The channel's last whole-channel change (topic ''), reading every page of its history (oldest first). */
async function lastChange(contactId: string, channel: string): Promise<Change | null> {
  let cursor: string | null = null;
  let last: Change | null = null;
  for (let page = 0; page < 50; page++) {
    const r: { data: Change[]; nextCursor: string | null } = await get(
      `/api/contacts/${encodeURIComponent(contactId)}/consent/history?channel=${channel}&limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
    );
    for (const c of r.data) if (c.topic === '') last = c;
    if (!r.nextCursor) break;
    cursor = r.nextCursor;
  }
  return last;
}

export function ChannelConsent({ contactId, email, phone, role }: { contactId: string; email: string | null; phone: string | null; role: Role }) {
  const { t, date } = useI18n();
  const [current, setCurrent] = useState<Current[] | null>(null);
  const [last, setLast] = useState<Record<string, Change | null>>({});
  const [error, setError] = useState<string | null>(null);
  const channels: { channel: 'email' | 'sms'; address: string | null }[] = [
    { channel: 'email', address: email },
    { channel: 'sms', address: phone },
  ];
  const load = async () => {
    // Both read before either is shown, so the status and its source never disagree on screen.
    const [r, entries] = await Promise.all([
      get<{ data: Current[] }>(`/api/contacts/${encodeURIComponent(contactId)}/consent`),
      Promise.all(channels.map(async ({ channel }) => [channel, await lastChange(contactId, channel)] as const)),
    ]);
    setLast(Object.fromEntries(entries));
    setCurrent(r.data);
  };
  useEffect(() => {
    load().catch((e) => setError((e as Error).message));
  }, [contactId]); // eslint-disable-line react-hooks/exhaustive-deps

  const change = async (channel: string, status: 'subscribed' | 'unsubscribed') => {
    setError(null);
    try {
      await put(`/api/contacts/${encodeURIComponent(contactId)}/consent/${channel}`, { status, source: 'admin' });
      await load();
    } catch (e) {
      setError(e instanceof ApiError ? e.message : String(e));
    }
  };

  return (
    <section aria-labelledby="channel-consent-title" data-testid="channel-consent">
      <h2 id="channel-consent-title">{t('consent.byChannel')}</h2>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <table>
        <tbody>
          {channels.map(({ channel, address }) => {
            const now = current?.find((c) => c.channel === channel && c.topic === '');
            const status = now?.status ?? 'unknown';
            const ch = last[channel];
            return (
              <tr key={channel} data-testid={`consent-${channel}`} data-status={status}>
                <th scope="row">{t(`channel.${channel}`)}</th>
                <td dir="ltr">{address ?? '—'}</td>
                <td>
                  <span className="badge">{t(`consent.${status}`)}</span>
                </td>
                <td className="small">
                  {ch && (
                    <>
                      {ch.source ?? ''} · {date(ch.createdAt)}
                      {ch.source === 'sms_reply' && ch.detail && (
                        <>
                          {' '}
                          · {t('consent.replied')} «<bdi data-testid="consent-reply">{ch.detail}</bdi>»
                        </>
                      )}
                    </>
                  )}
                </td>
                <td>
                  {canAdmin(role) && current && (
                    <>
                      {status !== 'subscribed' && (
                        <button type="button" className="link" onClick={() => void change(channel, 'subscribed')}>
                          {t('consent.subscribe')}
                        </button>
                      )}{' '}
                      {status !== 'unsubscribed' && (
                        <button type="button" className="link" onClick={() => void change(channel, 'unsubscribed')}>
                          {t('consent.unsubscribe')}
                        </button>
                      )}
                    </>
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </section>
  );
}
