/**
 * Simulate: step one contact (an existing one, found by email or user id, or attributes typed as
 * JSON) through a journey on the server's virtual clock (POST /api/journeys/:id/simulate — nothing
 * is sent or stored), with events at offsets, and see the path as a timeline in the contact's time
 * zone, each rendered message in a sandboxed frame, and the visited steps lit on the canvas.
 */
import { useEffect, useMemo, useState, type FormEvent } from 'react';
import { Background, Controls, ReactFlow, ReactFlowProvider } from '@xyflow/react';
import '@xyflow/react/dist/style.css';
import { ApiError, get, post, type Issue } from '../api';
import { useI18n } from '../i18n';
import { Link } from '../router';
import { nodeTypes } from '../journey/FlowNodes';
import { savedPositions, toFlow, TRIGGER_ID, type JourneyDoc } from '../journey/model';

interface Message {
  channel: string;
  templateId: string | null;
  locale: string | null;
  dir: 'ltr' | 'rtl';
  to: string | null;
  subject: string;
  preheader: string;
  html: string | null;
  text: string;
}
interface Step {
  at: number;
  local: string;
  node: string;
  type: string;
  outcome: string;
  output: string | null;
  detail: Record<string, unknown> | null;
  message?: Message;
}
interface Result {
  timezone: string;
  path: Step[];
  endedAt: number | null;
  endStatus: string;
  warnings: string[];
}
interface Contact {
  id: string;
  email: string | null;
  userId: string | null;
  timezone: string | null;
}
interface EventRow {
  name: string;
  at: string;
  properties: string;
}

const OFFSET = /^[+-]\d+(ms|s|m|h|d|w)$/;

function parseJson(text: string): Record<string, unknown> | null {
  try {
    const v: unknown = JSON.parse(text || '{}');
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

export function Simulate({ id }: { id: string }) {
  const { t, date } = useI18n();
  const [doc, setDoc] = useState<JourneyDoc | null>(null);
  const [mode, setMode] = useState<'existing' | 'typed'>('typed');
  const [query, setQuery] = useState('');
  const [found, setFound] = useState<Contact[] | null>(null);
  const [contact, setContact] = useState<Contact | null>(null);
  const [attributes, setAttributes] = useState('{\n  "first_name": "Sam"\n}');
  const [email, setEmail] = useState('sam@example.com');
  const [timezone, setTimezone] = useState('');
  const [locale, setLocale] = useState('');
  const [events, setEvents] = useState<EventRow[]>([]);
  const [until, setUntil] = useState('');
  const [result, setResult] = useState<Result | null>(null);
  const [issues, setIssues] = useState<Issue[]>([]);
  const [failure, setFailure] = useState<string | null>(null);
  const [open, setOpen] = useState<number | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    get<{ document: JourneyDoc }>(`/api/journeys/${encodeURIComponent(id)}`).then(
      (r) => setDoc(r.document),
      (e) => setFailure((e as Error).message),
    );
  }, [id]);

  const attrsValid = parseJson(attributes) !== null;
  const eventErrors = events.map((e) =>
    !e.name.trim()
      ? t('simulate.eventNameNeeded')
      : !OFFSET.test(e.at.trim()) && Number.isNaN(Date.parse(e.at))
        ? t('simulate.badOffset')
        : parseJson(e.properties) === null
          ? t('simulate.badJson')
          : null,
  );
  const issueAt = (path: string) => issues.find((i) => i.path === `body.${path}` || i.path.startsWith(`body.${path}.`))?.message;

  const search = async (e: FormEvent) => {
    e.preventDefault();
    const q = query.trim();
    if (!q) return;
    const filter = q.includes('@') ? `email=${encodeURIComponent(q)}` : `userId=${encodeURIComponent(q)}`;
    const r = await get<{ data: Contact[] }>(`/api/contacts?limit=10&${filter}`).catch(() => ({ data: [] }));
    setFound(r.data);
    if (r.data.length === 1) setContact(r.data[0]!);
  };

  const run = async (e: FormEvent) => {
    e.preventDefault();
    if (mode === 'typed' && !attrsValid) return;
    if (eventErrors.some(Boolean)) return;
    const body = {
      contact:
        mode === 'existing' && contact
          ? { contactId: contact.id }
          : { attributes: parseJson(attributes)!, ...(email ? { email } : {}), ...(timezone ? { timezone } : {}), ...(locale ? { locale } : {}) },
      events: events.map((ev) => ({ name: ev.name.trim(), at: ev.at.trim(), properties: parseJson(ev.properties)! })),
      ...(until ? { until } : {}),
    };
    setBusy(true);
    setIssues([]);
    setFailure(null);
    try {
      const r = await post<Result>(`/api/journeys/${encodeURIComponent(id)}/simulate`, body);
      setResult(r);
      setOpen(r.path.findIndex((s) => s.message));
    } catch (err) {
      setResult(null);
      if (err instanceof ApiError) setIssues(err.issues);
      setFailure((err as Error).message);
    } finally {
      setBusy(false);
    }
  };

  const visited = useMemo(() => new Set(result?.path.map((s) => s.node) ?? []), [result]);
  const flow = useMemo(() => {
    if (!doc) return null;
    const f = toFlow(doc, savedPositions(doc.id));
    const lit = { outline: '3px solid #16a34a', outlineOffset: 2, borderRadius: 8 };
    return {
      nodes: f.nodes.map((n) => ({ ...n, draggable: false, style: visited.has(n.id) || (n.id === TRIGGER_ID && visited.size > 0) ? lit : { opacity: result ? 0.45 : 1 } })),
      edges: f.edges,
    };
  }, [doc, visited, result]);
  const shown = open !== null && open >= 0 ? result?.path[open] : undefined;

  return (
    <section className="simulate" aria-labelledby="sim-title">
      <div className="row">
        <h1 id="sim-title">{t('simulate.title', { name: doc?.name ?? id })}</h1>
        <span className="spacer" />
        <Link to={`/journeys/${encodeURIComponent(id)}`}>{t('simulate.back')}</Link>
      </div>
      <p className="muted">{t('simulate.intro')}</p>
      <div className="template-editor">
        <div>
          <form className="card" onSubmit={run} aria-label={t('simulate.setup')}>
            <fieldset>
              <legend>{t('simulate.contact')}</legend>
              <div className="row">
                <label>
                  <input type="radio" name="mode" checked={mode === 'typed'} onChange={() => setMode('typed')} /> {t('simulate.typed')}
                </label>
                <label>
                  <input type="radio" name="mode" checked={mode === 'existing'} onChange={() => setMode('existing')} /> {t('simulate.existing')}
                </label>
              </div>
              {mode === 'existing' ? (
                <div>
                  <div className="row" role="search">
                    <label className="grow">
                      <span className="sr-only">{t('contacts.search')}</span>
                      <input
                        type="search"
                        aria-label={t('contacts.search')}
                        placeholder={t('contacts.search')}
                        value={query}
                        onChange={(e) => setQuery(e.target.value)}
                        onKeyDown={(e) => {
                          if (e.key === 'Enter') void search(e);
                        }}
                      />
                    </label>
                    <button type="button" onClick={(e) => void search(e)}>
                      {t('search')}
                    </button>
                  </div>
                  {found && found.length === 0 && <p className="muted">{t('simulate.noContact')}</p>}
                  {found && found.length > 0 && (
                    <ul className="versions">
                      {found.map((c) => (
                        <li key={c.id} className="row">
                          <label>
                            <input type="radio" name="contact" checked={contact?.id === c.id} onChange={() => setContact(c)} /> <bdi>{c.email ?? c.userId ?? c.id}</bdi>{' '}
                            <span className="muted small">{c.timezone ?? ''}</span>
                          </label>
                        </li>
                      ))}
                    </ul>
                  )}
                </div>
              ) : (
                <div>
                  <label htmlFor="sim-attrs">{t('simulate.attributes')}</label>
                  <textarea
                    id="sim-attrs"
                    className="code"
                    rows={5}
                    value={attributes}
                    onChange={(e) => setAttributes(e.target.value)}
                    aria-invalid={!attrsValid}
                    aria-describedby={attrsValid ? undefined : 'sim-attrs-error'}
                    dir="ltr"
                  />
                  {!attrsValid && (
                    <p id="sim-attrs-error" className="error" role="alert">
                      {t('simulate.badJson')}
                    </p>
                  )}
                  <div className="row">
                    <label>
                      {t('auth.email')} <input type="email" value={email} onChange={(e) => setEmail(e.target.value)} dir="ltr" />
                    </label>
                    <label>
                      {t('simulate.timezone')} <input value={timezone} onChange={(e) => setTimezone(e.target.value)} placeholder="Asia/Tehran" dir="ltr" />
                    </label>
                    <label>
                      {t('simulate.locale')} <input value={locale} onChange={(e) => setLocale(e.target.value)} placeholder="fa" size={6} dir="ltr" aria-invalid={Boolean(issueAt('contact.locale'))} />
                    </label>
                  </div>
                </div>
              )}
            </fieldset>
            <fieldset>
              <legend>{t('simulate.events')}</legend>
              {events.map((ev, i) => {
                const err = eventErrors[i] ?? issueAt(`events.${i}`);
                const set = (patch: Partial<EventRow>) => setEvents(events.map((x, k) => (k === i ? { ...x, ...patch } : x)));
                return (
                  <div key={i} className="row" data-testid={`sim-event-${i}`}>
                    <label>
                      {t('simulate.eventName')} <input value={ev.name} onChange={(e) => set({ name: e.target.value })} dir="ltr" aria-invalid={Boolean(err)} />
                    </label>
                    <label>
                      {t('simulate.at')}{' '}
                      <input value={ev.at} onChange={(e) => set({ at: e.target.value })} size={6} dir="ltr" aria-invalid={Boolean(err)} aria-describedby={err ? `sim-ev-err-${i}` : undefined} />
                    </label>
                    <label>
                      {t('simulate.properties')} <input value={ev.properties} onChange={(e) => set({ properties: e.target.value })} dir="ltr" />
                    </label>
                    <button type="button" className="link" onClick={() => setEvents(events.filter((_, k) => k !== i))}>
                      {t('delete')}
                    </button>
                    {err && (
                      <span id={`sim-ev-err-${i}`} className="error" role="alert">
                        {err}
                      </span>
                    )}
                  </div>
                );
              })}
              <button type="button" onClick={() => setEvents([...events, { name: '', at: '+1h', properties: '{}' }])}>
                {t('simulate.addEvent')}
              </button>
              <p className="muted small">{t('simulate.offsetHint')}</p>
            </fieldset>
            <div className="row">
              <label>
                {t('simulate.until')} <input value={until} onChange={(e) => setUntil(e.target.value)} placeholder="30d" size={6} dir="ltr" />
              </label>
              <span className="spacer" />
              <button type="submit" className="primary" disabled={busy || (mode === 'existing' && !contact)}>
                {t('simulate.run')}
              </button>
            </div>
            {failure && (
              <p className="error" role="alert">
                {failure}
              </p>
            )}
          </form>
          {result && (
            <div className="card" aria-label={t('simulate.path')}>
              <h2>{t('simulate.path')}</h2>
              <p>
                <span className="badge" data-testid="sim-end">
                  {t('simulate.end', { status: result.endStatus })}
                </span>{' '}
                <span className="muted small">
                  {t('simulate.zone', { tz: result.timezone })}
                  {result.endedAt !== null ? ` · ${result.path.find((p) => p.at === result.endedAt)?.local ?? date(result.endedAt)}` : ''}
                </span>
              </p>
              <ol className="sim-path" data-testid="sim-path">
                {result.path.map((s, i) => (
                  <li key={i} data-testid="sim-step">
                    <time dateTime={new Date(s.at).toISOString()} dir="ltr">
                      {s.local}
                    </time>{' '}
                    <strong>
                      <bdi>{s.node}</bdi>
                    </strong>{' '}
                    <span className="muted">({t(`node.${s.type}` as 'node.message') !== `node.${s.type}` ? t(`node.${s.type}` as 'node.message') : s.type})</span> → <bdi>{s.outcome}</bdi>
                    {s.output && s.output !== 'next' && s.output !== s.outcome ? <span className="muted"> [{s.output}]</span> : null}
                    {s.detail && typeof s.detail.reason === 'string' ? <span className="muted small"> · {s.detail.reason}</span> : null}
                    {s.message && (
                      <>
                        {' '}
                        <button type="button" className="link" aria-pressed={open === i} onClick={() => setOpen(i)}>
                          {t('simulate.preview')}: <bdi>{s.message.subject}</bdi>
                        </button>
                      </>
                    )}
                  </li>
                ))}
              </ol>
              {result.warnings.length > 0 && (
                <ul className="issues" aria-label={t('simulate.warnings')}>
                  {result.warnings.map((w) => (
                    <li key={w} className="muted small">
                      {w}
                    </li>
                  ))}
                </ul>
              )}
            </div>
          )}
        </div>
        <div>
          {flow && (
            <ReactFlowProvider>
              <div className="canvas" dir="ltr" style={{ height: 340 }} aria-label={t('journeys.canvas')}>
                <ReactFlow
                  nodes={flow.nodes}
                  edges={flow.edges}
                  nodeTypes={nodeTypes}
                  nodesConnectable={false}
                  nodesDraggable={false}
                  elementsSelectable={false}
                  fitView
                  fitViewOptions={{ maxZoom: 1, padding: 0.15 }}
                >
                  <Background />
                  <Controls showInteractive={false} />
                </ReactFlow>
              </div>
            </ReactFlowProvider>
          )}
          {shown?.message && (
            <article className="card outbox" aria-label={shown.message.subject} data-testid="sim-message">
              <h2 dir={shown.message.dir}>
                <bdi>{shown.message.subject}</bdi>
              </h2>
              <p className="muted small">
                {shown.message.to ?? ''} · {shown.local} · {shown.message.locale ?? ''} · dir={shown.message.dir}
              </p>
              {shown.message.preheader && (
                <p className="muted" dir={shown.message.dir}>
                  {shown.message.preheader}
                </p>
              )}
              <div className="message">
                {shown.message.html ? <iframe title={shown.message.subject} sandbox="" srcDoc={shown.message.html} /> : <pre dir={shown.message.dir}>{shown.message.text}</pre>}
              </div>
            </article>
          )}
        </div>
      </div>
    </section>
  );
}
