/**
 * The workspace's SMS providers (/api/channels/sms/providers), tried in priority order (lower
 * first): add, edit, delete. Secrets (Twilio's auth token, SMPP's password, …) are write-only: the
 * server answers `<name>Set` flags, the form shows "set" and sends a secret only when one is typed
 * (an empty field keeps the stored one). The fields of each kind mirror the server's schemas; the
 * server validates and names a bad field (`body.settings.port`).
 */
import { useEffect, useState, type FormEvent } from 'react';
import { ApiError, del, get, patch, post, type Issue } from '../../api';
import { useI18n } from '../../i18n';

interface Provider {
  id: string;
  kind: string;
  name: string;
  priority: number;
  settings: Record<string, unknown>;
  secrets: Record<string, boolean>;
}
interface Field {
  name: string;
  type?: 'number' | 'text';
  required?: boolean;
}
/** Every kind also takes the default sender, a shared per-second limit and the cost of a segment (src/channels/sms/provider-kinds.ts). */
const COMMON: Field[] = [{ name: 'from' }, { name: 'messagesPerSecond', type: 'number' }, { name: 'costPerSegment', type: 'number' }];
const KINDS: Record<string, { settings: Field[]; secrets: string[] }> = {
  outbox: { settings: COMMON, secrets: [] },
  twilio: { settings: [{ name: 'accountSid', required: true }, { name: 'messagingServiceSid' }, { name: 'baseUrl' }, ...COMMON], secrets: ['authToken'] },
  smpp: {
    settings: [
      { name: 'host', required: true },
      { name: 'port', type: 'number' },
      { name: 'systemId', required: true },
      { name: 'systemType' },
      { name: 'windowSize', type: 'number' },
      { name: 'enquireLinkMs', type: 'number' },
      ...COMMON,
    ],
    secrets: ['password'],
  },
  // `headers` (an object) has no field here: it is kept as loaded.
  http: {
    settings: [{ name: 'url', required: true }, { name: 'method' }, { name: 'contentType' }, { name: 'bodyTemplate' }, { name: 'idPath' }, { name: 'timeoutMs', type: 'number' }, ...COMMON],
    secrets: ['authorization'],
  },
};
const API = '/api/channels/sms/providers';

interface Draft {
  id: string | null;
  kind: string;
  name: string;
  priority: string;
  settings: Record<string, string>;
  secrets: Record<string, string>;
  /** Settings this form has no field for, sent back as loaded (PATCH replaces the settings). */
  other: Record<string, unknown>;
}
const blank = (kind = 'twilio'): Draft => ({ id: null, kind, name: '', priority: '100', settings: {}, secrets: {}, other: {} });
function draftOf(p: Provider): Draft {
  const fields = KINDS[p.kind]?.settings.map((f) => f.name) ?? [];
  const settings: Record<string, string> = {};
  const other: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(p.settings))
    if (fields.includes(k) && (typeof v === 'string' || typeof v === 'number')) settings[k] = String(v);
    else other[k] = v;
  return { id: p.id, kind: p.kind, name: p.name, priority: String(p.priority), settings, secrets: {}, other };
}

export function SmsProviders({ admin }: { admin: boolean }) {
  const { t } = useI18n();
  const [list, setList] = useState<Provider[] | null>(null);
  const [unavailable, setUnavailable] = useState(false);
  const [draft, setDraft] = useState<Draft | null>(null);
  const [issues, setIssues] = useState<Issue[]>([]);
  const load = () =>
    get<{ data: Provider[] }>(API).then(
      (r) => setList(r.data),
      () => setUnavailable(true),
    );
  useEffect(() => void load(), []);

  const kind = draft ? KINDS[draft.kind] : undefined;
  const editing = draft?.id ? list?.find((p) => p.id === draft.id) : undefined;
  const save = async (e: FormEvent) => {
    e.preventDefault();
    if (!draft || !kind) return;
    setIssues([]);
    const settings: Record<string, unknown> = { ...draft.other };
    for (const f of kind.settings) {
      const v = (draft.settings[f.name] ?? '').trim();
      if (v !== '') settings[f.name] = f.type === 'number' ? Number(v) : v;
    }
    const secrets = Object.fromEntries(Object.entries(draft.secrets).filter(([, v]) => v !== ''));
    const body = { name: draft.name.trim(), priority: Number(draft.priority), settings, ...(Object.keys(secrets).length ? { secrets } : {}) };
    try {
      if (draft.id) await patch(`${API}/${encodeURIComponent(draft.id)}`, body);
      else await post(API, { kind: draft.kind, ...body });
      setDraft(null);
      await load();
    } catch (err) {
      if (err instanceof ApiError) setIssues(err.issues.length ? err.issues : [{ path: '', message: err.message }]);
    }
  };
  const remove = async (p: Provider) => {
    if (!confirm(t('sms.providers.deleteConfirm', { name: p.name }))) return;
    await del(`${API}/${encodeURIComponent(p.id)}`);
    await load();
  };
  const issueFor = (path: string) => issues.filter((i) => i.path === path).map((i) => i.message);

  return (
    <section aria-labelledby="sms-providers-title" data-testid="sms-providers">
      <h3 id="sms-providers-title">{t('sms.providers.title')}</h3>
      {unavailable ? (
        <p className="muted">{t('sms.providers.unavailable')}</p>
      ) : list === null ? (
        <p>{t('loading')}</p>
      ) : list.length === 0 ? (
        <p className="muted">{t('sms.providers.none')}</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">{t('sms.providers.priority')}</th>
              <th scope="col">{t('journeys.name')}</th>
              <th scope="col">{t('settings.kind')}</th>
              <th scope="col">{t('sms.providers.secrets')}</th>
              <th scope="col" />
            </tr>
          </thead>
          <tbody>
            {list.map((p) => (
              <tr key={p.id}>
                <td>{p.priority}</td>
                <td>{p.name}</td>
                <td>{p.kind}</td>
                <td>
                  {Object.entries(p.secrets).map(([k, set]) => (
                    <span key={k} className="badge">
                      {k.replace(/Set$/, '')}: {set ? t('settings.email.secretSet') : t('settings.email.secretNotSet')}
                    </span>
                  ))}
                </td>
                <td>
                  {admin && (
                    <>
                      <button type="button" className="link" onClick={() => (setIssues([]), setDraft(draftOf(p)))}>
                        {t('sms.providers.edit')}
                      </button>{' '}
                      <button type="button" className="link" onClick={() => void remove(p)}>
                        {t('delete')}
                      </button>
                    </>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {admin && !unavailable && !draft && (
        <button type="button" onClick={() => (setIssues([]), setDraft(blank()))}>
          {t('sms.providers.add')}
        </button>
      )}
      {draft && (
        <form onSubmit={(e) => void save(e)} aria-label={t('sms.providers.title')}>
          <div className="row">
            <label>
              {t('settings.kind')}
              <select value={draft.kind} disabled={draft.id !== null} onChange={(e) => setDraft({ ...blank(e.target.value), name: draft.name, priority: draft.priority })}>
                {Object.keys(KINDS).map((k) => (
                  <option key={k} value={k}>
                    {k}
                  </option>
                ))}
              </select>
            </label>
            <label>
              {t('journeys.name')}
              <input required value={draft.name} onChange={(e) => setDraft({ ...draft, name: e.target.value })} aria-invalid={issueFor('body.name').length > 0} />
            </label>
            <label>
              {t('sms.providers.priority')}
              <input type="number" min={0} max={1000} value={draft.priority} onChange={(e) => setDraft({ ...draft, priority: e.target.value })} />
            </label>
          </div>
          <div className="grid2">
            {kind?.settings.map((f) => (
              <label key={f.name}>
                {f.name}
                <input
                  dir="ltr"
                  type={f.type === 'number' ? 'number' : 'text'}
                  step="any"
                  required={f.required}
                  value={draft.settings[f.name] ?? ''}
                  onChange={(e) => setDraft({ ...draft, settings: { ...draft.settings, [f.name]: e.target.value } })}
                  aria-invalid={issueFor(`body.settings.${f.name}`).length > 0}
                />
                {issueFor(`body.settings.${f.name}`).map((m) => (
                  <span key={m} className="error small">
                    {m}
                  </span>
                ))}
              </label>
            ))}
            {kind?.secrets.map((s) => (
              <label key={s}>
                {s}
                <input
                  type="password"
                  autoComplete="new-password"
                  dir="ltr"
                  value={draft.secrets[s] ?? ''}
                  placeholder={editing?.secrets[`${s}Set`] ? t('settings.email.secretSet') : t('settings.email.secretNotSet')}
                  onChange={(e) => setDraft({ ...draft, secrets: { ...draft.secrets, [s]: e.target.value } })}
                />
                {issueFor(`body.secrets.${s}`).map((m) => (
                  <span key={m} className="error small">
                    {m}
                  </span>
                ))}
              </label>
            ))}
          </div>
          {issues
            .filter((i) => !/^body\.(settings|secrets)\./.test(i.path))
            .map((i) => (
              <p key={i.path + i.message} className="error" role="alert">
                {i.path ? `${i.path.replace(/^body\.?/, '')}: ` : ''}
                {i.message}
              </p>
            ))}
          <div className="row">
            <button type="submit" className="primary">
              {t('save')}
            </button>
            <button type="button" onClick={() => setDraft(null)}>
              {t('cancel')}
            </button>
          </div>
        </form>
      )}
    </section>
  );
}
