/**
 * Contacts: search (name, part of an email, phone, user id; a segment and an attribute filter;
 * GET /api/contacts/search) with cursor pages and the total, a link to the CSV import
 * (editors and admins), and a profile with attributes, the timeline of events and messages
 * (./ContactTimeline.tsx), lists, journeys with their path, and consent history. Every list is paged by the server, so the
 * screen stays fast with 100k contacts.
 */
import { useEffect, useState, type FormEvent } from 'react';
import { canEdit, get, type Role } from '../api';
import { useI18n } from '../i18n';
import { codeLabel } from '../codes';
import { Link } from '../router';
import { ContactTimeline } from './ContactTimeline';
import { ChannelConsent } from './contacts/ChannelConsent';
import { SunsetNote } from '../deliverability/SunsetNote';
import { PostalAddressForm, type PostalAddress } from './contacts/PostalAddressForm';
import { ContactsEmpty } from '../setup/EmptyStates';
import { contactTitle } from './contacts/name';

interface Contact {
  id: string;
  userId: string | null;
  email: string | null;
  phone: string | null;
  address?: PostalAddress | null;
  timezone: string | null;
  locale: string | null;
  attributes: Record<string, unknown>;
  createdAt: number;
}

const PAGE = 50;

interface Filters {
  q: string;
  segmentId: string;
  attrName: string;
  attrValue: string;
}
const NO_FILTERS: Filters = { q: '', segmentId: '', attrName: '', attrValue: '' };

/** True when the person narrowed the list (an empty workspace shows how to send data instead). */
const filtered = (f: Filters) => !!(f.q.trim() || f.segmentId || f.attrName.trim());

function searchUrl(f: Filters, cursor: string | null): string {
  const p = new URLSearchParams({ limit: String(PAGE) });
  if (f.q.trim()) p.set('q', f.q.trim());
  if (f.segmentId) p.set('segmentId', f.segmentId);
  if (f.attrName.trim()) p.set(`attr.${f.attrName.trim()}`, f.attrValue);
  if (cursor) p.set('cursor', cursor);
  return `/api/contacts/search?${p.toString()}`;
}

export function ContactsList({ role }: { role: Role }) {
  const { t, date } = useI18n();
  const [form, setForm] = useState<Filters>(NO_FILTERS);
  const [applied, setApplied] = useState<Filters>(NO_FILTERS);
  const [segments, setSegments] = useState<{ id: string; name: string }[]>([]);
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const [page, setPage] = useState<{ data: Contact[]; nextCursor: string | null; total: number } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const cursor = cursors[cursors.length - 1] ?? null;
  useEffect(() => {
    get<{ data: { id: string; name: string }[] }>('/api/segments?limit=200').then(
      (r) => setSegments(r.data),
      () => {},
    );
  }, []);
  useEffect(() => {
    setError(null);
    get<{ data: Contact[]; nextCursor: string | null; total: number }>(searchUrl(applied, cursor)).then(setPage, (e) => {
      setError((e as Error).message);
      setPage({ data: [], nextCursor: null, total: 0 });
    });
  }, [applied, cursor]);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setCursors([null]);
    setApplied(form);
  };
  const set = (k: keyof Filters) => (e: { target: { value: string } }) => setForm({ ...form, [k]: e.target.value });
  return (
    <section aria-labelledby="contacts-title">
      <div className="row">
        <h1 id="contacts-title">{t('contacts.title')}</h1>
        <span className="spacer" />
        {canEdit(role) && (
          <Link to="/contacts/import" className="button">
            {t('imp.open')}
          </Link>
        )}
      </div>
      <form className="row" role="search" onSubmit={submit}>
        <label className="grow">
          <span className="sr-only">{t('csearch.placeholder')}</span>
          <input type="search" name="q" placeholder={t('csearch.placeholder')} value={form.q} onChange={set('q')} />
        </label>
        <label>
          {t('csearch.segment')}{' '}
          <select name="segmentId" value={form.segmentId} onChange={set('segmentId')}>
            <option value="">{t('csearch.anySegment')}</option>
            {segments.map((s) => (
              <option key={s.id} value={s.id}>
                {s.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('csearch.attr')} <input name="attrName" size={10} value={form.attrName} onChange={set('attrName')} />
        </label>
        <label>
          {t('csearch.attrValue')} <input name="attrValue" size={10} value={form.attrValue} onChange={set('attrValue')} />
        </label>
        <button type="submit">{t('search')}</button>
        <button
          type="button"
          onClick={() => {
            setForm(NO_FILTERS);
            setCursors([null]);
            setApplied(NO_FILTERS);
          }}
        >
          {t('csearch.clear')}
        </button>
      </form>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {page && (
        <p className="muted" role="status" data-testid="contacts-total">
          {t('csearch.total', { n: page.total })}
        </p>
      )}
      {!page ? (
        <p>{t('loading')}</p>
      ) : page.data.length === 0 ? (
        filtered(applied) ? (
          <p className="muted">{t('contacts.none')}</p>
        ) : (
          <ContactsEmpty canImport={canEdit(role)} />
        )
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">{t('csearch.name')}</th>
              <th scope="col">{t('auth.email')}</th>
              <th scope="col">{t('csearch.phone')}</th>
              <th scope="col">userId</th>
              <th scope="col">{t('contacts.locale')}</th>
              <th scope="col">{t('contacts.created')}</th>
            </tr>
          </thead>
          <tbody>
            {page.data.map((c) => (
              <tr key={c.id}>
                <td>
                  <Link to={`/contacts/${c.id}`}>
                    <bdi>{contactTitle(c)}</bdi>
                  </Link>
                </td>
                <td>{c.email ?? '—'}</td>
                <td>
                  <bdi dir="ltr">{c.phone ?? '—'}</bdi>
                </td>
                <td>{c.userId ?? '—'}</td>
                <td>{c.locale ?? '—'}</td>
                <td>{date(c.createdAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <div className="row">
        <button type="button" disabled={cursors.length < 2} onClick={() => setCursors(cursors.slice(0, -1))}>
          {t('previous')}
        </button>
        <button type="button" disabled={!page?.nextCursor} onClick={() => page?.nextCursor && setCursors([...cursors, page.nextCursor])}>
          {t('next')}
        </button>
      </div>
    </section>
  );
}

interface Consent {
  id: number;
  channel: string;
  topic: string;
  status: string;
  source: string | null;
  ip: string | null;
  /** The person's words, when an SMS reply changed the consent. */
  detail?: string | null;
  createdAt: number;
}
interface Membership {
  listId: string;
  status: string;
  list: { name: string };
}
interface Run {
  id: string;
  journeyId: string;
  status: string;
  currentNode: string | null;
  enteredAt: number;
  steps: { node: string; outcome: string; executedAt: number }[];
}

export function ContactProfile({ id, role }: { id: string; role: Role }) {
  const { t, date } = useI18n();
  const [contact, setContact] = useState<Contact | null>(null);
  const [consent, setConsent] = useState<Consent[]>([]);
  const [lists, setLists] = useState<Membership[]>([]);
  const [runs, setRuns] = useState<Run[]>([]);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    const enc = encodeURIComponent(id);
    get<Contact>(`/api/contacts/${enc}`).then(setContact, (e) => setError((e as Error).message));
    get<{ data: Consent[] }>(`/api/contacts/${enc}/consent/history`).then(
      (r) => setConsent(r.data),
      () => {},
    );
    get<{ data: Membership[] }>(`/api/contacts/${enc}/lists`).then(
      (r) => setLists(r.data),
      () => {},
    );
    get<{ runs: Run[] }>(`/api/contacts/${enc}/journeys`).then(
      (r) => setRuns(r.runs),
      () => {},
    );
  }, [id]);
  if (error)
    return (
      <p className="error" role="alert">
        {error}
      </p>
    );
  if (!contact) return <p>{t('loading')}</p>;
  return (
    <div className="profile">
      <h1>
        <bdi>{contactTitle(contact)}</bdi>
      </h1>
      <dl className="facts">
        <dt>{t('auth.email')}</dt>
        <dd>{contact.email ?? '—'}</dd>
        <dt>{t('csearch.phone')}</dt>
        <dd>
          <bdi dir="ltr">{contact.phone ?? '—'}</bdi>
        </dd>
        <dt>id</dt>
        <dd>{contact.id}</dd>
        <dt>userId</dt>
        <dd>{contact.userId ?? '—'}</dd>
        <dt>{t('contacts.locale')}</dt>
        <dd>{contact.locale ?? '—'}</dd>
        <dt>{t('contacts.timezone')}</dt>
        <dd>{contact.timezone ?? '—'}</dd>
        <dt>{t('contacts.created')}</dt>
        <dd>{date(contact.createdAt)}</dd>
      </dl>
      <section aria-labelledby="attr-title">
        <h2 id="attr-title">{t('contacts.attributes')}</h2>
        <table>
          <tbody>
            {Object.entries(contact.attributes).map(([k, v]) => (
              <tr key={k}>
                <th scope="row">{k}</th>
                <td>
                  <bdi>{typeof v === 'string' ? v : JSON.stringify(v)}</bdi>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
      <PostalAddressForm contactId={contact.id} address={contact.address} role={role} onSaved={(address) => setContact({ ...contact, address })} />
      <ContactTimeline contactId={contact.id} />
      <section aria-labelledby="lists-title">
        <h2 id="lists-title">{t('contacts.lists')}</h2>
        <ul>
          {lists.map((m) => (
            <li key={m.listId}>
              {m.list.name} · {codeLabel(t, 'sub.status', m.status)}
            </li>
          ))}
        </ul>
      </section>
      <section aria-labelledby="journeys-title">
        <h2 id="journeys-title">{t('contacts.journeys')}</h2>
        {runs.map((r) => (
          <div key={r.id} className="run">
            {/* The link stays outside <summary>: a control inside another one is unreachable by keyboard and screen readers. */}
            <Link to={`/journeys/${encodeURIComponent(r.journeyId)}`}>{r.journeyId}</Link> · {codeLabel(t, 'run.status', r.status)}
            {r.currentNode ? ` @ ${r.currentNode}` : ''} · {date(r.enteredAt)}
            {r.steps.length > 0 && (
              <details>
                <summary className="muted small" data-testid="journey-path">
                  {t('contacts.path')}: <bdi dir="ltr">{r.steps.map((s) => s.node).join(' → ')}</bdi>
                </summary>
                <ol>
                  {r.steps.map((s, i) => (
                    <li key={i}>
                      {s.node}: {codeLabel(t, 'outcome', s.outcome)} · {date(s.executedAt)}
                    </li>
                  ))}
                </ol>
              </details>
            )}
          </div>
        ))}
      </section>
      <SunsetNote contactId={contact.id} />
      <ChannelConsent contactId={contact.id} email={contact.email} phone={contact.phone} role={role} />
      <section aria-labelledby="consent-title">
        <h2 id="consent-title">{t('contacts.consent')}</h2>
        <table>
          <tbody>
            {consent.map((c) => (
              <tr key={c.id}>
                <td>{date(c.createdAt)}</td>
                <td>
                  {c.channel}
                  {c.topic ? `/${c.topic}` : ''}
                </td>
                <td>{codeLabel(t, 'sub.status', c.status)}</td>
                <td>{c.source ?? ''}</td>
                <td>{c.detail ? <bdi>{c.detail}</bdi> : (c.ip ?? '')}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
    </div>
  );
}
