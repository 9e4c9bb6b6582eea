/**
 * Topics of the preference center (/api/email/topics): list, add, rename, delete. The id is what
 * journeys and broadcasts name, so it is fixed once created; the server refuses (409) to delete a
 * topic still in use and says by what, which is shown on the topic's row.
 */
import { useEffect, useState, type FormEvent } from 'react';
import { ApiError, del, get, patch, post } from '../../api';
import { useI18n } from '../../i18n';

interface Topic {
  id: string;
  name: string;
  description?: string;
}

function TopicRow({ topic, admin, onChanged }: { topic: Topic; admin: boolean; onChanged(): void }) {
  const { t } = useI18n();
  const [name, setName] = useState(topic.name);
  const [description, setDescription] = useState(topic.description ?? '');
  const [error, setError] = useState<string | null>(null);
  const changed = name !== topic.name || description !== (topic.description ?? '');
  const run = async (fn: () => Promise<unknown>) => {
    setError(null);
    try {
      await fn();
      onChanged();
    } catch (e) {
      setError(e instanceof ApiError ? e.message : String(e));
    }
  };
  const path = `/api/email/topics/${encodeURIComponent(topic.id)}`;
  return (
    <tr data-testid={`topic-${topic.id}`}>
      <td>
        <code>{topic.id}</code>
      </td>
      <td>
        <input aria-label={`${t('settings.topics.name')} ${topic.id}`} value={name} disabled={!admin} onChange={(e) => setName(e.target.value)} />
      </td>
      <td>
        <input aria-label={`${t('settings.topics.description')} ${topic.id}`} value={description} disabled={!admin} onChange={(e) => setDescription(e.target.value)} />
      </td>
      <td>
        {admin && (
          <div className="row">
            <button type="button" disabled={!changed || !name.trim()} onClick={() => void run(() => patch(path, { name, description: description || null }))}>
              {t('settings.topics.rename')}
            </button>
            <button type="button" className="danger" onClick={() => void run(() => del(path))} aria-label={`${t('delete')} ${topic.id}`}>
              {t('delete')}
            </button>
          </div>
        )}
        {error && (
          <p className="error small" role="alert">
            {error}
          </p>
        )}
      </td>
    </tr>
  );
}

export function Topics({ admin }: { admin: boolean }) {
  const { t } = useI18n();
  const [topics, setTopics] = useState<Topic[] | null>(null);
  const [id, setId] = useState('');
  const [name, setName] = useState('');
  const [error, setError] = useState<{ path: string; message: string } | null>(null);
  const reload = () => {
    get<{ data: Topic[] }>('/api/email/topics').then(
      (r) => setTopics(r.data),
      () => setTopics([]),
    );
  };
  useEffect(() => {
    if (admin) reload();
  }, [admin]);
  if (!admin) return null;
  const create = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    try {
      await post('/api/email/topics', { id: id.trim(), name: name.trim() });
      setId('');
      setName('');
      reload();
    } catch (err) {
      if (err instanceof ApiError) setError(err.issues[0] ?? { path: '', message: err.message });
    }
  };
  return (
    <section className="card" aria-labelledby="topics-title">
      <h2 id="topics-title">{t('settings.topics.title')}</h2>
      <p className="muted small">{t('settings.topics.hint')}</p>
      {topics === null ? (
        <p>{t('loading')}</p>
      ) : topics.length === 0 ? (
        <p className="muted">{t('settings.topics.none')}</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">{t('settings.topics.id')}</th>
              <th scope="col">{t('settings.topics.name')}</th>
              <th scope="col">{t('settings.topics.description')}</th>
              <th scope="col" />
            </tr>
          </thead>
          <tbody>
            {topics.map((x) => (
              <TopicRow key={`${x.id}:${x.name}:${x.description ?? ''}`} topic={x} admin={admin} onChanged={reload} />
            ))}
          </tbody>
        </table>
      )}
      <form className="row" onSubmit={(e) => void create(e)}>
        <label>
          {t('settings.topics.id')}
          <input
            value={id}
            required
            pattern="[a-z0-9][a-z0-9_\-]{0,63}"
            placeholder="product-news"
            onChange={(e) => setId(e.target.value)}
            aria-invalid={error?.path === 'body.id'}
            aria-describedby="topic-error"
          />
        </label>
        <label>
          {t('settings.topics.name')}
          <input value={name} required onChange={(e) => setName(e.target.value)} aria-invalid={error?.path === 'body.name'} />
        </label>
        <button type="submit">{t('settings.topics.add')}</button>
      </form>
      {error && (
        <p id="topic-error" className="error" role="alert">
          {error.path ? `${error.path}: ` : ''}
          {error.message}
        </p>
      )}
    </section>
  );
}
