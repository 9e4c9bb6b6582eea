/**
 * A contact's timeline: events, messages, consent changes and skipped sends merged newest first (GET /api/contacts/:id/timeline,
 * cursor pages of 25 appended by "Show older"). A message shows its status, opens and clicks, and
 * opens what it looked like (GET /api/messages/:id/content) in a sandboxed frame.
 */
import { useEffect, useState } from 'react';
import { get } from '../api';
import { useI18n } from '../i18n';
import type { MessageKey } from '../messages';
import { codeLabel } from '../codes';

interface EventEntry {
  kind: 'event';
  at: number;
  id: string;
  type: string;
  name: string;
  properties: Record<string, unknown>;
}
interface MessageEntry {
  kind: 'message';
  at: number;
  id: string;
  channel: string;
  status: string;
  reason: string | null;
  to: string | null;
  subject: string | null;
  journeyId: string | null;
  nodeId: string | null;
  templateId: string | null;
  openCount: number;
  clickCount: number;
}
/** A consent change (the ledger) and a send skipped before any message was recorded, with its reason. */
interface ConsentEntry {
  kind: 'consent';
  at: number;
  id: string;
  channel: string;
  topic: string;
  status: string;
  source: string | null;
}
interface SkippedEntry {
  kind: 'skipped_send';
  at: number;
  id: string;
  channel: string | null;
  reason: string | null;
  journeyId: string | null;
  nodeId: string | null;
  broadcastId: string | null;
}
type Entry = EventEntry | MessageEntry | ConsentEntry | SkippedEntry;
interface Content {
  source: 'outbox' | 'template' | 'none';
  subject: string | null;
  html: string | null;
  text: string | null;
  direction: 'ltr' | 'rtl' | null;
}

const PAGE = 25;
/** The frame loads nothing from the network: opening a message must not count as an open. */
const NO_REMOTE = '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; style-src \'unsafe-inline\'; img-src data:">';

function MessageView({ entry }: { entry: MessageEntry }) {
  const { t } = useI18n();
  const [content, setContent] = useState<Content | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    get<Content>(`/api/messages/${encodeURIComponent(entry.id)}/content`).then(setContent, (e) => setError((e as Error).message));
  }, [entry.id]);
  if (error)
    return (
      <p className="error" role="alert">
        {error}
      </p>
    );
  if (!content) return <p>{t('loading')}</p>;
  if (content.source === 'none') return <p className="muted">{t('tl.noContent')}</p>;
  return (
    <div className="message" data-testid="timeline-message-content">
      <p className="muted small">{t(content.source === 'outbox' ? 'tl.fromOutbox' : 'tl.rerendered')}</p>
      {content.html ? <iframe title={content.subject ?? entry.id} sandbox="" srcDoc={NO_REMOTE + content.html} dir={content.direction ?? undefined} /> : <pre>{content.text}</pre>}
    </div>
  );
}

export function ContactTimeline({ contactId }: { contactId: string }) {
  const { t, date } = useI18n();
  const [entries, setEntries] = useState<Entry[] | null>(null);
  const [next, setNext] = useState<string | null>(null);
  const [open, setOpen] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const load = (cursor: string | null) =>
    get<{ data: Entry[]; nextCursor: string | null }>(`/api/contacts/${encodeURIComponent(contactId)}/timeline?limit=${PAGE}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`).then(
      (r) => {
        setEntries((old) => (cursor && old ? [...old, ...r.data] : r.data));
        setNext(r.nextCursor);
      },
      (e) => setError((e as Error).message),
    );
  useEffect(() => {
    setEntries(null);
    void load(null);
  }, [contactId]);
  return (
    <section aria-labelledby="timeline-title">
      <h2 id="timeline-title">{t('tl.title')}</h2>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {entries === null ? (
        <p>{t('loading')}</p>
      ) : entries.length === 0 ? (
        <p className="muted">{t('tl.none')}</p>
      ) : (
        <ol className="timeline" data-testid="timeline">
          {entries.map((e) => (
            <li key={`${e.kind}:${e.id}`} className={`tl-${e.kind}`} data-testid={`timeline-${e.kind}`}>
              <time dateTime={new Date(e.at).toISOString()} className="muted small">
                {date(e.at)}
              </time>
              {e.kind === 'event' ? (
                <div>
                  <span className="badge">{t('tl.event')}</span>{' '}
                  <strong>
                    <bdi>{e.name || e.type}</bdi>
                  </strong>
                  {Object.keys(e.properties).length > 0 && (
                    <code className="small tl-props" dir="ltr">
                      {JSON.stringify(e.properties)}
                    </code>
                  )}
                </div>
              ) : e.kind === 'consent' ? (
                <div>
                  <span className="badge">{t('tl.consent')}</span>{' '}
                  <strong>
                    <bdi dir="ltr">
                      {e.channel}
                      {e.topic ? ` / ${e.topic}` : ''}
                    </bdi>
                  </strong>{' '}
                  <span className={`badge status-${e.status}`}>
                    <bdi>{codeLabel(t, 'sub.status', e.status)}</bdi>
                  </span>
                  {e.source && (
                    <span className="muted small">
                      {' '}
                      · <bdi dir="ltr">{e.source}</bdi>
                    </span>
                  )}
                </div>
              ) : e.kind === 'skipped_send' ? (
                <div>
                  <span className="badge">{t('tl.skipped')}</span>{' '}
                  <strong>
                    <bdi dir="ltr">{e.channel ?? ''}</bdi>
                  </strong>
                  {e.journeyId && (
                    <span className="muted small">
                      {' '}
                      · {t('tl.journey')}{' '}
                      <bdi dir="ltr">
                        {e.journeyId}
                        {e.nodeId ? ` / ${e.nodeId}` : ''}
                      </bdi>
                    </span>
                  )}
                  {e.broadcastId && (
                    <span className="muted small">
                      {' '}
                      · {t('tl.broadcast')} <bdi dir="ltr">{e.broadcastId}</bdi>
                    </span>
                  )}
                  {e.reason && (
                    <div className="muted small">
                      <bdi>{e.reason}</bdi>
                    </div>
                  )}
                </div>
              ) : (
                <div>
                  <span className="badge">{t('tl.message')}</span>{' '}
                  <strong>
                    <bdi>{e.subject ?? e.templateId ?? e.channel}</bdi>
                  </strong>{' '}
                  <span className={`badge status-${e.status}`} data-testid="timeline-message-status">
                    {t(`tl.status.${e.status}` as MessageKey)}
                  </span>{' '}
                  <span className="small" data-testid="timeline-message-figures">
                    {t('tl.opens', { n: e.openCount })} · {t('tl.clicks', { n: e.clickCount })}
                  </span>
                  {e.journeyId && (
                    <span className="muted small">
                      {' '}
                      · {t('tl.journey')}{' '}
                      <bdi dir="ltr">
                        {e.journeyId}
                        {e.nodeId ? ` / ${e.nodeId}` : ''}
                      </bdi>
                    </span>
                  )}
                  {e.reason && (
                    <div className="muted small">
                      <bdi>{e.reason}</bdi>
                    </div>
                  )}
                  <div>
                    <button type="button" className="link" aria-expanded={open === e.id} onClick={() => setOpen(open === e.id ? null : e.id)}>
                      {t(open === e.id ? 'tl.hide' : 'tl.view')}
                    </button>
                  </div>
                  {open === e.id && <MessageView entry={e} />}
                </div>
              )}
            </li>
          ))}
        </ol>
      )}
      {next && (
        <button type="button" onClick={() => void load(next)}>
          {t('tl.older')}
        </button>
      )}
    </section>
  );
}
