/**
 * Post series on the brand's accounts: the connected accounts (tokens write-only: sent once, never
 * shown), the series list, a series' calendar of posts with each one's status per account and its
 * figures (GET /api/post-series/:id), and the form that creates or replaces a series, with the
 * server's refusals (a post too long for an account, …) shown under their posts.
 */
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { ApiError, del, get, post, put, sendFile, canAdmin, canEdit, type Role } from '../api';
import { useI18n } from '../i18n';
import type { MessageKey } from '../messages';
import { Link, navigate } from '../router';

type Kind = 'mastodon' | 'telegram_channel' | 'webhook';
interface Account {
  id: string;
  kind: Kind;
  name: string;
  settings: Record<string, unknown>;
}
interface Summary {
  id: string;
  name: string;
  timezone: string;
  posts: number;
  nextDueAt: number | null;
}
interface Delivery {
  accountId: string;
  status: 'pending' | 'published' | 'failed' | 'unknown';
  reason: string | null;
  remoteUrl: string | null;
  favourites: number | null;
  reblogs: number | null;
  replies: number | null;
  views: number | null;
}
interface Figures {
  favourites: number;
  reblogs: number;
  replies: number;
  views: number | null;
  clicks: number;
}
interface Series {
  id: string;
  name: string;
  timezone: string;
  accountIds: string[];
  recurrence: { weekdays: string[]; time: string; startsOn: string; count?: number } | null;
  posts: Array<{ id: string; position: number; text: string; images: string[]; dueLocal: string; deliveries: Delivery[]; figures: Figures }>;
  figures: Figures;
}
interface PostDraft {
  text: string;
  images: string[];
  at: string;
}

const WEEKDAYS = ['sat', 'sun', 'mon', 'tue', 'wed', 'thu', 'fri'];
const SECRET: Record<Kind, [string, MessageKey, string, MessageKey]> = {
  mastodon: ['serverUrl', 'posts.serverUrl', 'accessToken', 'posts.accessToken'],
  telegram_channel: ['channel', 'posts.channel', 'botToken', 'posts.botToken'],
  webhook: ['url', 'posts.url', 'signingSecret', 'posts.signingSecret'],
};

function issuesOf(e: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!(e instanceof ApiError)) return { _: (e as Error).message };
  for (const i of e.issues) {
    const key = i.path.replace(/^body\.?/, '') || '_';
    out[key] = out[key] ? `${out[key]}; ${i.message}` : i.message;
  }
  if (e.issues.length === 0) out._ = e.message;
  return out;
}

function Accounts({ accounts, onChange, admin }: { accounts: Account[]; onChange(): void; admin: boolean }) {
  const { t } = useI18n();
  const [kind, setKind] = useState<Kind>('mastodon');
  const [name, setName] = useState('');
  const [setting, setSetting] = useState('');
  const [secret, setSecret] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [settingKey, settingLabel, secretKey, secretLabel] = SECRET[kind];
  const connect = async (e: FormEvent) => {
    e.preventDefault();
    try {
      await post('/api/post-accounts', { kind, name, settings: { [settingKey]: setting }, secrets: { [secretKey]: secret } });
      setName('');
      setSetting('');
      setSecret('');
      setErrors({});
      onChange();
    } catch (err) {
      setErrors(issuesOf(err));
    }
  };
  return (
    <section>
      <h2>{t('posts.accounts')}</h2>
      {accounts.length === 0 ? <p className="muted">{t('posts.noAccounts')}</p> : null}
      <ul>
        {accounts.map((a) => (
          <li key={a.id}>
            <strong>{a.name}</strong> · {t(`posts.kind.${a.kind}` as MessageKey)} · {String(a.settings.serverUrl ?? a.settings.channel ?? a.settings.url ?? '')}
            {typeof a.settings.maxCharacters === 'number' ? <span className="muted"> · {t('posts.limit', { n: a.settings.maxCharacters })}</span> : null}
            {admin ? (
              <button type="button" className="link" onClick={() => del(`/api/post-accounts/${encodeURIComponent(a.id)}`).then(onChange, (err) => setErrors(issuesOf(err)))}>
                {t('posts.delete')}
              </button>
            ) : null}
          </li>
        ))}
      </ul>
      {admin ? (
        <form onSubmit={connect} className="stack">
          <label>
            {t('posts.kind')}
            <select value={kind} onChange={(e) => setKind(e.target.value as Kind)}>
              {(Object.keys(SECRET) as Kind[]).map((k) => (
                <option key={k} value={k}>
                  {t(`posts.kind.${k}` as MessageKey)}
                </option>
              ))}
            </select>
          </label>
          <label>
            {t('posts.name')}
            <input value={name} onChange={(e) => setName(e.target.value)} required />
          </label>
          <label>
            {t(settingLabel)}
            <input value={setting} onChange={(e) => setSetting(e.target.value)} required dir="ltr" />
            {errors[`settings.${settingKey}`] ? <span className="error small">{errors[`settings.${settingKey}`]}</span> : null}
          </label>
          <label>
            {t(secretLabel)}
            <input type="password" autoComplete="off" value={secret} onChange={(e) => setSecret(e.target.value)} required dir="ltr" />
            <span className="muted small">{t('posts.tokenHint')}</span>
            {errors[`secrets.${secretKey}`] ? <span className="error small">{errors[`secrets.${secretKey}`]}</span> : null}
          </label>
          {errors._ ? <p className="error">{errors._}</p> : null}
          <button type="submit">{t('posts.connect')}</button>
        </form>
      ) : null}
    </section>
  );
}

function SeriesForm({ accounts, initial, onSaved }: { accounts: Account[]; initial: Series | null; onSaved(id: string): void }) {
  const { t } = useI18n();
  const [name, setName] = useState(initial?.name ?? '');
  const [timezone, setTimezone] = useState(initial?.timezone ?? 'Asia/Tehran');
  const [accountIds, setAccountIds] = useState<string[]>(initial?.accountIds ?? []);
  const [recurring, setRecurring] = useState(initial ? initial.recurrence !== null : true);
  const [weekdays, setWeekdays] = useState<string[]>(initial?.recurrence?.weekdays ?? ['tue']);
  const [time, setTime] = useState(initial?.recurrence?.time ?? '10:00');
  const [startsOn, setStartsOn] = useState(initial?.recurrence?.startsOn ?? new Date().toISOString().slice(0, 10));
  const [count, setCount] = useState(initial?.recurrence?.count ?? 8);
  const [posts, setPosts] = useState<PostDraft[]>(initial?.posts.map((p) => ({ text: p.text, images: p.images, at: p.dueLocal.replace(' ', 'T') })) ?? [{ text: '', images: [], at: '' }]);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const setPost = (i: number, change: Partial<PostDraft>) => setPosts(posts.map((p, j) => (i === j ? { ...p, ...change } : p)));
  const upload = async (i: number, file: File | undefined) => {
    if (!file) return;
    try {
      const img = await sendFile<{ id: string }>('POST', '/api/post-images', file, file.type);
      setPost(i, { images: [img.id] });
    } catch (err) {
      setErrors(issuesOf(err));
    }
  };
  const save = async (e: FormEvent) => {
    e.preventDefault();
    const body = {
      name,
      timezone,
      accountIds,
      ...(recurring ? { recurrence: { weekdays, time, startsOn, count } } : {}),
      posts: posts.map((p) => ({ text: p.text, images: p.images, ...(recurring ? {} : { at: p.at }) })),
    };
    try {
      const saved = initial ? await put<Series>(`/api/post-series/${encodeURIComponent(initial.id)}`, body) : await post<Series>('/api/post-series', body);
      onSaved(saved.id);
    } catch (err) {
      setErrors(issuesOf(err));
    }
  };
  return (
    <form onSubmit={save} className="stack">
      <h2>{initial ? t('posts.edit') : t('posts.new')}</h2>
      <label>
        {t('posts.name')}
        <input value={name} onChange={(e) => setName(e.target.value)} required />
      </label>
      <label>
        {t('posts.timezone')}
        <input value={timezone} onChange={(e) => setTimezone(e.target.value)} dir="ltr" />
        {errors.timezone ? <span className="error small">{errors.timezone}</span> : null}
      </label>
      <fieldset>
        <legend>{t('posts.accounts')}</legend>
        {accounts.map((a) => (
          <label key={a.id}>
            <input type="checkbox" checked={accountIds.includes(a.id)} onChange={(e) => setAccountIds(e.target.checked ? [...accountIds, a.id] : accountIds.filter((x) => x !== a.id))} />
            {a.name}
          </label>
        ))}
      </fieldset>
      <fieldset>
        <legend>{t('posts.schedule')}</legend>
        <label>
          <input type="radio" checked={recurring} onChange={() => setRecurring(true)} />
          {t('posts.recurring')}
        </label>
        <label>
          <input type="radio" checked={!recurring} onChange={() => setRecurring(false)} />
          {t('posts.dated')}
        </label>
        {recurring ? (
          <div className="row">
            <span>{t('posts.weekdays')}</span>
            {WEEKDAYS.map((d) => (
              <label key={d}>
                <input type="checkbox" checked={weekdays.includes(d)} onChange={(e) => setWeekdays(e.target.checked ? [...weekdays, d] : weekdays.filter((x) => x !== d))} />
                {d}
              </label>
            ))}
            <label>
              {t('posts.time')} <input type="time" value={time} onChange={(e) => setTime(e.target.value)} />
            </label>
            <label>
              {t('posts.startsOn')} <input type="date" value={startsOn} onChange={(e) => setStartsOn(e.target.value)} />
            </label>
            <label>
              {t('posts.count')} <input type="number" min={1} max={1000} value={count} onChange={(e) => setCount(Number(e.target.value))} />
            </label>
            {Object.entries(errors)
              .filter(([k]) => k.startsWith('recurrence'))
              .map(([k, v]) => (
                <span key={k} className="error small">
                  {v}
                </span>
              ))}
          </div>
        ) : null}
      </fieldset>
      <h3>{t('posts.posts')}</h3>
      {posts.map((p, i) => (
        <div key={i} className="card">
          <label>
            {t('posts.text')}
            <textarea rows={4} value={p.text} onChange={(e) => setPost(i, { text: e.target.value })} dir="auto" />
          </label>
          {!recurring ? (
            <label>
              {t('posts.at')} <input type="datetime-local" value={p.at} onChange={(e) => setPost(i, { at: e.target.value })} />
            </label>
          ) : null}
          <label>
            {t('posts.image')} <input type="file" accept="image/png,image/jpeg,image/gif,image/webp" onChange={(e) => upload(i, e.target.files?.[0])} />
          </label>
          {Object.entries(errors)
            .filter(([k]) => k === `posts.${i}` || k.startsWith(`posts.${i}.`))
            .map(([k, v]) => (
              <span key={k} className="error small" role="alert" style={{ display: 'block' }}>
                {v}
              </span>
            ))}
          <button type="button" className="link" onClick={() => setPosts(posts.filter((_, j) => j !== i))}>
            {t('posts.removePost')}
          </button>
        </div>
      ))}
      <button type="button" onClick={() => setPosts([...posts, { text: '', images: [], at: '' }])}>
        {t('posts.addPost')}
      </button>
      {errors._ || errors.accountIds ? <p className="error">{errors._ ?? errors.accountIds}</p> : null}
      <button type="submit">{t('save')}</button>
    </form>
  );
}

function Calendar({ series, accounts }: { series: Series; accounts: Account[] }) {
  const { t, num } = useI18n();
  const nameOf = (id: string) => accounts.find((a) => a.id === id)?.name ?? id;
  const fig = (f: Figures) => (
    <>
      <td>{num(f.favourites)}</td>
      <td>{num(f.reblogs)}</td>
      <td>{num(f.replies)}</td>
      <td>{f.views === null ? '—' : num(f.views)}</td>
      <td>{num(f.clicks)}</td>
    </>
  );
  return (
    <section>
      <h2>
        {series.name} · {t('posts.calendar')} ({series.timezone})
      </h2>
      <table>
        <thead>
          <tr>
            <th>{t('posts.due')}</th>
            <th>{t('posts.text')}</th>
            <th>{t('posts.status')}</th>
            <th>{t('posts.favourites')}</th>
            <th>{t('posts.reblogs')}</th>
            <th>{t('posts.replies')}</th>
            <th>{t('posts.views')}</th>
            <th>{t('posts.clicks')}</th>
          </tr>
        </thead>
        <tbody>
          {series.posts.map((p) => (
            <tr key={p.id}>
              <td dir="ltr">{p.dueLocal}</td>
              <td dir="auto">{p.text.length > 80 ? `${p.text.slice(0, 80)}…` : p.text}</td>
              <td>
                {p.deliveries.map((d) => (
                  <div key={d.accountId} title={d.reason ?? ''}>
                    {nameOf(d.accountId)}: {d.remoteUrl ? <a href={d.remoteUrl}>{t(`posts.status.${d.status}` as MessageKey)}</a> : t(`posts.status.${d.status}` as MessageKey)}
                    {d.reason && d.status !== 'published' ? <span className="muted small"> ({d.reason})</span> : null}
                  </div>
                ))}
              </td>
              {fig(p.figures)}
            </tr>
          ))}
        </tbody>
        <tfoot>
          <tr>
            <th colSpan={3}>{t('posts.totals')}</th>
            {fig(series.figures)}
          </tr>
        </tfoot>
      </table>
    </section>
  );
}

export function Posts({ role, id }: { role: Role; id: string | null }) {
  const { t, date } = useI18n();
  const admin = canAdmin(role);
  // Editors write series (src/users/roles.ts); connecting accounts stays an admin's.
  const editor = canEdit(role);
  const [accounts, setAccounts] = useState<Account[]>([]);
  const [list, setList] = useState<Summary[]>([]);
  const [series, setSeries] = useState<Series | null>(null);
  const [editing, setEditing] = useState(false);
  const load = useCallback(() => {
    get<{ data: Account[] }>('/api/post-accounts').then(
      (r) => setAccounts(r.data),
      () => {},
    );
    get<{ data: Summary[] }>('/api/post-series').then(
      (r) => setList(r.data),
      () => {},
    );
    if (id && id !== 'new') get<Series>(`/api/post-series/${encodeURIComponent(id)}`).then(setSeries, () => setSeries(null));
    else setSeries(null);
  }, [id]);
  useEffect(load, [load]);

  if (id === 'new' || editing)
    return (
      <SeriesForm
        accounts={accounts}
        initial={editing ? series : null}
        onSaved={(saved) => {
          setEditing(false);
          navigate(`/posts/${saved}`);
          load();
        }}
      />
    );
  if (id && series)
    return (
      <>
        {editor ? (
          <button type="button" onClick={() => setEditing(true)}>
            {t('posts.edit')}
          </button>
        ) : null}
        <Calendar series={series} accounts={accounts} />
      </>
    );
  return (
    <>
      <h1>{t('posts.title')}</h1>
      <Accounts accounts={accounts} onChange={load} admin={admin} />
      <section>
        <h2>{t('posts.series')}</h2>
        {list.length === 0 ? <p className="muted">{t('posts.noSeries')}</p> : null}
        <ul>
          {list.map((s) => (
            <li key={s.id}>
              <Link to={`/posts/${s.id}`}>{s.name}</Link>{' '}
              <span className="muted">
                {s.posts} · {s.timezone}
                {s.nextDueAt !== null ? ` · ${t('posts.next', { at: date(s.nextDueAt) })}` : ''}
              </span>
            </li>
          ))}
        </ul>
        {editor ? (
          <button type="button" onClick={() => navigate('/posts/new')}>
            {t('posts.new')}
          </button>
        ) : null}
      </section>
    </>
  );
}
