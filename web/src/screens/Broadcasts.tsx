/**
 * Broadcasts: the list in cursor pages of 50, with state and progress (GET /api/broadcasts, polled every 2 s while one is
 * scheduled or sending), a form that creates a draft (POST /api/broadcasts) with the server's
 * validation messages under their fields, editing a draft or scheduled broadcast
 * (./broadcasts/EditBroadcast.tsx), scheduling after a review with the recipient count, a preview and
 * a test send (./broadcasts/Review.tsx), the state moves (pause, resume, cancel) and a
 * broadcast's figures (GET /api/broadcasts/:id/stats, the Figures of the analytics screen).
 */
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { ApiError, get, post, canAdmin, type Role } from '../api';
import { useI18n } from '../i18n';
import type { MessageKey } from '../messages';
import { Figures, type ScopeStats } from './Analytics';
import { TEMPLATE_CHANNELS, templatesFor } from '../channels';
import { TripNotice } from '../deliverability/TripNotice';
import { ReviewDialog } from './broadcasts/Review';
import { EditBroadcast } from './broadcasts/EditBroadcast';

type Status = 'draft' | 'scheduled' | 'sending' | 'paused' | 'cancelled' | 'completed';
interface Progress {
  total: number;
  sent: number;
  failed: number;
  skipped: number;
  remaining: number;
}
interface Broadcast {
  id: string;
  name: string;
  template: string | null;
  audience: { type: 'segment' | 'list'; id: string };
  status: Status;
  sendAt: number | null;
  localTime: string | null;
  ratePerSecond: number | null;
  progress: Progress;
}
interface Named {
  id: string;
  name: string;
  /** Templates only. */
  channel?: string;
}

const enc = encodeURIComponent;
const ACTIVE = new Set<Status>(['scheduled', 'sending']);
const PROGRESS = ['total', 'sent', 'failed', 'skipped', 'remaining'] as const;

/** Server issue paths are `body.localTime` for schema errors and `template` for service errors. */
function byField(e: unknown): { fields: Record<string, string>; other: string | null } {
  if (!(e instanceof ApiError)) return { fields: {}, other: (e as Error).message };
  const fields: Record<string, string> = {};
  for (const i of e.issues) {
    const key = i.path.replace(/^body\.?/, '').split('.')[0] || '_';
    fields[key] = fields[key] ? `${fields[key]}; ${i.message}` : i.message;
  }
  return { fields, other: e.issues.length === 0 || fields._ ? e.message : null };
}

function FieldError({ id, text }: { id: string; text: string | undefined }) {
  return text ? (
    <span id={id} className="error small" role="alert" style={{ display: 'block' }}>
      {text}
    </span>
  ) : null;
}

function NewBroadcast({ onCreated }: { onCreated(): void }) {
  const { t } = useI18n();
  const [templates, setTemplates] = useState<Named[]>([]);
  const [segments, setSegments] = useState<Named[]>([]);
  const [lists, setLists] = useState<Named[]>([]);
  const [name, setName] = useState('');
  const [template, setTemplate] = useState('');
  const [channel, setChannel] = useState<string>('email');
  const [audienceType, setAudienceType] = useState<'segment' | 'list'>('list');
  const [audienceId, setAudienceId] = useState('');
  const [when, setWhen] = useState<'now' | 'at'>('now');
  const [sendAt, setSendAt] = useState('');
  const [useLocal, setUseLocal] = useState(false);
  const [localTime, setLocalTime] = useState('09:00');
  const [rate, setRate] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [other, setOther] = useState<string | null>(null);
  const [done, setDone] = useState(false);
  useEffect(() => {
    get<{ data: Named[] }>('/api/templates').then(
      (r) => setTemplates(r.data),
      () => {},
    );
    get<{ data: Named[] }>('/api/segments?limit=200').then(
      (r) => setSegments(r.data),
      () => {},
    );
    get<{ data: Named[] }>('/api/lists?limit=200').then(
      (r) => setLists(r.data),
      () => {},
    );
  }, []);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setDone(false);
    const body: Record<string, unknown> = { name, channel, template: template || null, audience: { type: audienceType, id: audienceId } };
    if (when === 'at') body.sendAt = sendAt ? new Date(sendAt).getTime() : -1; // -1: let the server say it is missing
    if (useLocal) body.localTime = localTime;
    if (rate.trim()) body.ratePerSecond = Number(rate);
    try {
      await post('/api/broadcasts', body);
      setErrors({});
      setOther(null);
      setDone(true);
      setName('');
      onCreated();
    } catch (err) {
      const r = byField(err);
      setErrors(r.fields);
      setOther(r.other);
    }
  };
  const aud = audienceType === 'list' ? lists : segments;
  const invalid = (f: string) => (errors[f] ? { 'aria-invalid': true, 'aria-describedby': `bc-err-${f}` } : {});
  return (
    <form className="card" onSubmit={submit} aria-labelledby="bc-new" noValidate>
      <h2 id="bc-new">{t('bc.new')}</h2>
      <div className="row" style={{ alignItems: 'flex-start' }}>
        <div>
          <label htmlFor="bc-name">{t('bc.name')}</label>
          <br />
          <input id="bc-name" value={name} onChange={(e) => setName(e.target.value)} {...invalid('name')} />
          <FieldError id="bc-err-name" text={errors.name} />
        </div>
        <div>
          <label htmlFor="bc-channel">{t('field.channel')}</label>
          <br />
          <select
            id="bc-channel"
            value={channel}
            onChange={(e) => {
              setChannel(e.target.value);
              setTemplate('');
            }}
            {...invalid('channel')}
          >
            {TEMPLATE_CHANNELS.map((c) => (
              <option key={c} value={c}>
                {t(`channel.${c}`)}
              </option>
            ))}
          </select>
          <FieldError id="bc-err-channel" text={errors.channel} />
        </div>
        <div>
          <label htmlFor="bc-template">{t('bc.template')}</label>
          <br />
          <select id="bc-template" value={template} onChange={(e) => setTemplate(e.target.value)} {...invalid('template')}>
            <option value="">{t('bc.pick')}</option>
            {templatesFor(templates, channel).map((x) => (
              <option key={x.id} value={x.id}>
                {x.name}
              </option>
            ))}
          </select>
          <FieldError id="bc-err-template" text={errors.template} />
        </div>
        <div>
          <label htmlFor="bc-audience-type">{t('bc.audienceType')}</label>
          <br />
          <select
            id="bc-audience-type"
            value={audienceType}
            onChange={(e) => {
              setAudienceType(e.target.value as 'segment' | 'list');
              setAudienceId('');
            }}
          >
            <option value="list">{t('bc.list')}</option>
            <option value="segment">{t('bc.segment')}</option>
          </select>
        </div>
        <div>
          <label htmlFor="bc-audience">{t('bc.audience')}</label>
          <br />
          <select id="bc-audience" value={audienceId} onChange={(e) => setAudienceId(e.target.value)} {...invalid('audience')}>
            <option value="">{t('bc.pick')}</option>
            {aud.map((x) => (
              <option key={x.id} value={x.id}>
                {x.name}
              </option>
            ))}
          </select>
          <FieldError id="bc-err-audience" text={errors.audience} />
        </div>
      </div>
      <fieldset style={{ border: '1px solid var(--line)', borderRadius: 8 }}>
        <legend>{t('bc.when')}</legend>
        <div className="row">
          <label>
            <input type="radio" name="when" checked={when === 'now'} onChange={() => setWhen('now')} /> {t('bc.now')}
          </label>
          <label>
            <input type="radio" name="when" checked={when === 'at'} onChange={() => setWhen('at')} /> {t('bc.at')}
          </label>
          {when === 'at' && (
            <span>
              <label htmlFor="bc-send-at">{t('bc.sendAt')}</label> <input id="bc-send-at" type="datetime-local" value={sendAt} onChange={(e) => setSendAt(e.target.value)} {...invalid('sendAt')} />
              <FieldError id="bc-err-sendAt" text={errors.sendAt} />
            </span>
          )}
        </div>
        <div className="row">
          <label>
            <input type="checkbox" checked={useLocal} onChange={(e) => setUseLocal(e.target.checked)} /> {t('bc.localTime')}
          </label>
          {useLocal && (
            <span>
              <label htmlFor="bc-local-time">{t('bc.localTimeAt')}</label>{' '}
              <input id="bc-local-time" value={localTime} onChange={(e) => setLocalTime(e.target.value)} placeholder="09:00" size={6} {...invalid('localTime')} />
              <FieldError id="bc-err-localTime" text={errors.localTime} />
            </span>
          )}
        </div>
      </fieldset>
      <div className="row" style={{ alignItems: 'flex-start' }}>
        <div>
          <label htmlFor="bc-rate">{t('bc.rate')}</label>
          <br />
          <input id="bc-rate" type="number" min={1} value={rate} onChange={(e) => setRate(e.target.value)} {...invalid('ratePerSecond')} />
          <FieldError id="bc-err-ratePerSecond" text={errors.ratePerSecond} />
        </div>
      </div>
      {other && (
        <p className="error" role="alert">
          {other}
        </p>
      )}
      {done && (
        <p className="ok" role="status">
          {t('bc.created')}
        </p>
      )}
      <button type="submit" className="primary">
        {t('bc.create')}
      </button>
    </form>
  );
}

/** Broadcasts per page of the list. */
const PAGE = 50;

export function Broadcasts({ role }: { role: Role }) {
  const { t, num, date } = useI18n();
  const [list, setList] = useState<Broadcast[] | null>(null);
  const [rowError, setRowError] = useState<{ id: string; text: string } | null>(null);
  const [statsOf, setStatsOf] = useState<Broadcast | null>(null);
  const [reviewing, setReviewing] = useState<Broadcast | null>(null);
  const [editing, setEditing] = useState<Broadcast | null>(null);
  const [names, setNames] = useState<Record<string, string>>({});
  useEffect(() => {
    // Audience ids shown by name (lists and segments have distinct id prefixes).
    for (const url of ['/api/lists?limit=200', '/api/segments?limit=200'])
      get<{ data: Named[] }>(url).then(
        (r) => setNames((n) => ({ ...n, ...Object.fromEntries(r.data.map((x) => [x.id, x.name])) })),
        () => {},
      );
  }, [list?.length]);
  const [stats, setStats] = useState<ScopeStats | null>(null);
  // Cursor pages in creation order; the stack of cursors lets "Previous" go back.
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const [nextCursor, setNextCursor] = useState<string | null>(null);
  const cursor = cursors[cursors.length - 1] ?? null;
  const load = useCallback(
    () =>
      get<{ data: Broadcast[]; nextCursor: string | null }>(`/api/broadcasts?limit=${PAGE}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`).then(
        (r) => {
          setList(r.data);
          setNextCursor(r.nextCursor);
        },
        () => setList((l) => l ?? []),
      ),
    [cursor],
  );
  useEffect(() => {
    void load();
  }, [load]);
  const polling = !!list?.some((b) => ACTIVE.has(b.status));
  useEffect(() => {
    if (!polling) return;
    const timer = setInterval(load, 2000);
    return () => clearInterval(timer);
  }, [polling, load]);
  useEffect(() => setStats(null), [statsOf?.id]);
  useEffect(() => {
    if (statsOf) get<ScopeStats>(`/api/broadcasts/${enc(statsOf.id)}/stats`).then(setStats, (e) => setRowError({ id: statsOf.id, text: (e as Error).message }));
  }, [statsOf, list]);
  const act = async (b: Broadcast, move: 'schedule' | 'pause' | 'resume' | 'cancel') => {
    setRowError(null);
    try {
      await post(`/api/broadcasts/${enc(b.id)}/${move}`);
    } catch (e) {
      setRowError({ id: b.id, text: (e as Error).message });
    }
    await load();
  };
  const admin = canAdmin(role);
  return (
    <section aria-labelledby="bc-title">
      <h1 id="bc-title">{t('bc.title')}</h1>
      {list === null ? (
        <p>{t('loading')}</p>
      ) : list.length === 0 ? (
        <p className="muted">{t('bc.none')}</p>
      ) : (
        <table data-testid="broadcasts">
          <thead>
            <tr>
              <th scope="col">{t('bc.name')}</th>
              <th scope="col">{t('bc.status')}</th>
              <th scope="col">{t('bc.audience')}</th>
              <th scope="col">{t('bc.progress')}</th>
              <th scope="col">{t('bc.actions')}</th>
            </tr>
          </thead>
          <tbody>
            {list.map((b) => (
              <tr key={b.id} data-testid={`broadcast-${b.name}`}>
                <td>
                  <bdi>{b.name}</bdi>
                  {b.sendAt && (
                    <div className="muted small">
                      {date(b.sendAt)}
                      {b.localTime ? ` · ${b.localTime}` : ''}
                    </div>
                  )}
                </td>
                <td>
                  <span className={`badge status-${b.status}`} data-testid="broadcast-status">
                    {t(`status.${b.status}` as MessageKey)}
                  </span>
                  <TripNotice kind="broadcast" id={b.id} status={b.status} />
                </td>
                <td>
                  {t(b.audience.type === 'list' ? 'bc.list' : 'bc.segment')}: <bdi>{names[b.audience.id] ?? b.audience.id}</bdi>
                </td>
                <td>
                  <span className="small" data-testid="broadcast-progress">
                    {PROGRESS.map((k) => (
                      <span key={k} data-testid={`progress-${k}`} style={{ marginInlineEnd: '.6rem' }}>
                        {t(`bc.${k}`)} <strong>{num(b.progress[k])}</strong>
                      </span>
                    ))}
                  </span>
                  <progress max={Math.max(1, b.progress.total)} value={b.progress.total - b.progress.remaining} aria-label={t('bc.progress')} style={{ display: 'block', width: '100%' }} />
                </td>
                <td>
                  <div className="row" style={{ margin: 0 }}>
                    {admin && b.status === 'draft' && (
                      <button type="button" className="primary" onClick={() => setReviewing(b)}>
                        {t('bc.schedule')}
                      </button>
                    )}
                    {admin && (b.status === 'draft' || b.status === 'scheduled') && (
                      <button type="button" onClick={() => setEditing(b)}>
                        {t('bce.edit')}
                      </button>
                    )}
                    {admin && ACTIVE.has(b.status) && (
                      <button type="button" onClick={() => act(b, 'pause')}>
                        {t('pause')}
                      </button>
                    )}
                    {admin && b.status === 'paused' && (
                      <button type="button" onClick={() => act(b, 'resume')}>
                        {t('resume')}
                      </button>
                    )}
                    {admin && !['cancelled', 'completed'].includes(b.status) && (
                      <button type="button" className="danger" onClick={() => act(b, 'cancel')}>
                        {t('cancel')}
                      </button>
                    )}
                    <button type="button" className="link" aria-pressed={statsOf?.id === b.id} onClick={() => setStatsOf(statsOf?.id === b.id ? null : b)}>
                      {t('bc.stats')}
                    </button>
                  </div>
                  {rowError?.id === b.id && (
                    <span className="error small" role="alert">
                      {rowError.text}
                    </span>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <nav className="row" aria-label={t('bc.pages')}>
        <button type="button" disabled={cursors.length < 2} onClick={() => setCursors(cursors.slice(0, -1))}>
          {t('previous')}
        </button>
        <span className="muted small" data-testid="broadcasts-page">
          {t('bc.page', { n: cursors.length })}
        </span>
        <button type="button" disabled={!nextCursor} onClick={() => nextCursor && setCursors([...cursors, nextCursor])}>
          {t('next')}
        </button>
      </nav>
      {reviewing && <ReviewDialog b={reviewing} onConfirm={() => act(reviewing, 'schedule')} onClose={() => setReviewing(null)} />}
      {editing && (
        <EditBroadcast
          key={editing.id}
          b={editing}
          onSaved={() => {
            setEditing(null);
            void load();
          }}
          onCancel={() => setEditing(null)}
        />
      )}
      {statsOf && (
        <section aria-labelledby="bc-stats" className="card" style={{ marginBlockStart: '1rem' }}>
          <h2 id="bc-stats">{t('bc.statsOf', { name: statsOf.name })}</h2>
          {stats ? <Figures stats={stats} testId="broadcast-figures" /> : <p>{t('loading')}</p>}
          <a className="button" style={{ marginBlockStart: '.6rem' }} href={`/api/broadcasts/${enc(statsOf.id)}/stats?format=csv`} download>
            {t('an.csv')}
          </a>
        </section>
      )}
      {admin && <NewBroadcast onCreated={load} />}
    </section>
  );
}
