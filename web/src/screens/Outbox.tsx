/** The outbox: what the outbox provider "sent" (GET /api/outbox), newest first, each message viewable. */
import { useEffect, useState } from 'react';
import { get } from '../api';
import { useI18n } from '../i18n';

/** `viewerHtml`: the message's HTML without its open pixel and click tracking, so viewing it is not an open. */
interface Entry {
  id: number;
  to: string;
  from: string;
  subject: string;
  createdAt: number;
  html: string | null;
  viewerHtml?: string | null;
  text: string | null;
}

export function Outbox() {
  const { t, date } = useI18n();
  const [entries, setEntries] = useState<Entry[] | null>(null);
  const [open, setOpen] = useState<Entry | null>(null);
  useEffect(() => {
    const load = () =>
      get<{ data: Entry[] } | Entry[]>('/api/outbox?limit=50').then(
        (r) => setEntries(Array.isArray(r) ? r : r.data),
        () => setEntries([]),
      );
    load();
    const timer = setInterval(load, 5000);
    return () => clearInterval(timer);
  }, []);
  return (
    <section aria-labelledby="outbox-title" className="outbox">
      <h1 id="outbox-title">{t('outbox.title')}</h1>
      {entries === null ? (
        <p>{t('loading')}</p>
      ) : entries.length === 0 ? (
        <p className="muted">{t('outbox.none')}</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">{t('outbox.sent')}</th>
              <th scope="col">{t('outbox.to')}</th>
              <th scope="col">{t('outbox.subject')}</th>
            </tr>
          </thead>
          <tbody>
            {entries.map((e) => (
              <tr key={e.id} aria-selected={open?.id === e.id}>
                <td>{date(e.createdAt)}</td>
                <td>{e.to}</td>
                <td>
                  <button type="button" className="link" onClick={() => setOpen(e)}>
                    <bdi>{e.subject}</bdi>
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {open && (
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
