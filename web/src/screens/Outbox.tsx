/**
 * The outbox: what the outbox provider "sent" (GET /api/outbox), newest first, each message
 * viewable; tabs filter by channel (`?channel=`). An SMS is shown as a phone bubble with its
 * number, sender and the encoding and segments the sender recorded in `headers`.
 */
import { useEffect, useState } from 'react';
import { get } from '../api';
import { useI18n } from '../i18n';
import { TEMPLATE_CHANNELS } from '../channels';
import { PhoneBubble } from '../sms/PhoneBubble';

/** `viewerHtml`: the message's HTML without its open pixel and click tracking, so viewing it is not an open. */
interface Entry {
  id: number;
  channel?: string;
  to: string;
  from: string;
  subject: string;
  createdAt: number;
  headers?: Record<string, string>;
  html: string | null;
  viewerHtml?: string | null;
  text: string | null;
}

const isSms = (e: Entry) => e.channel === 'sms';

export function Outbox() {
  const { t, date } = useI18n();
  const [channel, setChannel] = useState('');
  const [entries, setEntries] = useState<Entry[] | null>(null);
  const [open, setOpen] = useState<Entry | null>(null);
  useEffect(() => {
    setEntries(null);
    const load = () =>
      get<{ data: Entry[] } | Entry[]>(`/api/outbox?limit=50${channel ? `&channel=${channel}` : ''}`).then(
        (r) => setEntries(Array.isArray(r) ? r : r.data),
        () => setEntries([]),
      );
    load();
    const timer = setInterval(load, 5000);
    return () => clearInterval(timer);
  }, [channel]);
  const smsMeta = (e: Entry) =>
    [e.headers?.encoding === 'ucs2' ? t('sms.ucs2') : e.headers?.encoding === 'gsm7' ? t('sms.gsm7') : null, e.headers?.segments ? t('sms.segments', { n: Number(e.headers.segments) }) : null]
      .filter(Boolean)
      .join(' · ');
  return (
    <section aria-labelledby="outbox-title" className="outbox">
      <h1 id="outbox-title">{t('outbox.title')}</h1>
      <div role="tablist" aria-label={t('field.channel')} className="row">
        {['', ...TEMPLATE_CHANNELS].map((c) => (
          <button
            key={c || 'all'}
            type="button"
            role="tab"
            aria-selected={channel === c}
            onClick={() => {
              setChannel(c);
              setOpen(null);
            }}
          >
            {c ? t(`channel.${c as 'email' | 'sms'}`) : t('outbox.allChannels')}
          </button>
        ))}
      </div>
      {entries === null ? (
        <p>{t('loading')}</p>
      ) : entries.length === 0 ? (
        <p className="muted">{t('outbox.none')}</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">{t('outbox.sent')}</th>
              <th scope="col">{t('field.channel')}</th>
              <th scope="col">{t('outbox.to')}</th>
              <th scope="col">{t('outbox.subject')}</th>
            </tr>
          </thead>
          <tbody>
            {entries.map((e) => (
              <tr key={e.id} aria-selected={open?.id === e.id}>
                <td>{date(e.createdAt)}</td>
                <td>{e.channel ? t(`channel.${e.channel === 'sms' ? 'sms' : 'email'}`) : ''}</td>
                <td dir="ltr">{e.to}</td>
                <td>
                  <button type="button" className="link" onClick={() => setOpen(e)}>
                    <bdi>{isSms(e) ? (e.text ?? '').slice(0, 60) : e.subject}</bdi>
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {open && isSms(open) && (
        <article className="message" aria-label={t('outbox.smsTo', { to: open.to })} data-testid="outbox-sms">
          <h2 dir="ltr">{open.to}</h2>
          <p className="muted">
            {t('outbox.smsFrom', { from: open.from })} · {smsMeta(open)}
          </p>
          <PhoneBubble sender={open.from} text={open.text ?? ''} dir="auto" footer={smsMeta(open)} />
        </article>
      )}
      {open && !isSms(open) && (
        <article className="message" aria-label={open.subject}>
          <h2>
            <bdi>{open.subject}</bdi>
          </h2>
          <p className="muted">
            {open.from} → {open.to}
          </p>
          {open.viewerHtml ? <iframe title={open.subject} sandbox="" srcDoc={open.viewerHtml} /> : <pre>{open.text}</pre>}
        </article>
      )}
    </section>
  );
}
