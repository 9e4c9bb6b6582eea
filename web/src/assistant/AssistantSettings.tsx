/**
 * The writing assistant's section of the settings (GET/PUT /api/assistant/settings, docs/assistant.md):
 * off by default, admins change it. The API key is write-only: the form shows whether one is stored,
 * sends a new one only when typed, and removes it only when asked.
 */
import { useEffect, useState, type FormEvent } from 'react';
import { ApiError, get, put, type Issue } from '../api';
import { useI18n } from '../i18n';

interface Settings {
  enabled: boolean;
  baseUrl?: string;
  model?: string;
  timeoutMs: number;
  allowPrivateEndpoint: boolean;
  apiKeySet: boolean;
}

export function AssistantSettingsSection({ admin }: { admin: boolean }) {
  const { t } = useI18n();
  const [loaded, setLoaded] = useState<Settings | null>(null);
  const [enabled, setEnabled] = useState(false);
  const [baseUrl, setBaseUrl] = useState('');
  const [model, setModel] = useState('');
  const [timeoutMs, setTimeoutMs] = useState('30000');
  const [allowPrivate, setAllowPrivate] = useState(false);
  const [apiKey, setApiKey] = useState('');
  const [removeKey, setRemoveKey] = useState(false);
  const [issues, setIssues] = useState<Issue[]>([]);
  const [saved, setSaved] = useState(false);

  const show = (s: Settings) => {
    setLoaded(s);
    setEnabled(s.enabled);
    setBaseUrl(s.baseUrl ?? '');
    setModel(s.model ?? '');
    setTimeoutMs(String(s.timeoutMs));
    setAllowPrivate(s.allowPrivateEndpoint);
    setApiKey('');
    setRemoveKey(false);
  };
  useEffect(() => {
    get<Settings>('/api/assistant/settings').then(show, () => {});
  }, []);
  if (!loaded) return null;

  const save = async (e: FormEvent) => {
    e.preventDefault();
    setIssues([]);
    setSaved(false);
    try {
      show(
        await put<Settings>('/api/assistant/settings', {
          enabled,
          ...(baseUrl.trim() ? { baseUrl: baseUrl.trim() } : {}),
          ...(model.trim() ? { model: model.trim() } : {}),
          timeoutMs: Number(timeoutMs),
          allowPrivateEndpoint: allowPrivate,
          ...(removeKey ? { apiKey: null } : apiKey ? { apiKey } : {}),
        }),
      );
      setSaved(true);
    } catch (err) {
      if (err instanceof ApiError) setIssues(err.issues.length ? err.issues : [{ path: '', message: err.message }]);
    }
  };

  return (
    <section className="card" aria-labelledby="assist-settings-title" data-testid="assistant-settings">
      <h2 id="assist-settings-title">{t('assist.settings.title')}</h2>
      <p className="muted small">{t('assist.settings.hint')}</p>
      <form onSubmit={(e) => void save(e)}>
        <fieldset disabled={!admin}>
          <label className="check">
            <input type="checkbox" checked={enabled} onChange={(e) => setEnabled(e.target.checked)} /> {t('assist.settings.enabled')}
          </label>
          <label>
            {t('assist.settings.baseUrl')}
            <input value={baseUrl} dir="ltr" placeholder="http://127.0.0.1:8080/v1" onChange={(e) => setBaseUrl(e.target.value)} />
          </label>
          <div className="row">
            <label>
              {t('assist.settings.model')}
              <input value={model} dir="ltr" onChange={(e) => setModel(e.target.value)} />
            </label>
            <label>
              {t('assist.settings.timeout')}
              <input type="number" min={1000} max={120000} step={1000} value={timeoutMs} onChange={(e) => setTimeoutMs(e.target.value)} />
            </label>
          </div>
          <label>
            {t('assist.settings.apiKey')}
            <input type="password" autoComplete="off" value={apiKey} dir="ltr" placeholder={loaded.apiKeySet ? t('assist.settings.apiKeySet') : ''} onChange={(e) => setApiKey(e.target.value)} />
          </label>
          {loaded.apiKeySet && (
            <label className="check">
              <input type="checkbox" checked={removeKey} onChange={(e) => setRemoveKey(e.target.checked)} /> {t('assist.settings.removeKey')}
            </label>
          )}
          <label className="check">
            <input type="checkbox" checked={allowPrivate} onChange={(e) => setAllowPrivate(e.target.checked)} /> {t('assist.settings.private')}
          </label>
          {issues.length > 0 && (
            <ul className="error" role="alert">
              {issues.map((i) => (
                <li key={i.path + i.message}>{`${i.path.replace(/^body\./, '')}: ${i.message}`}</li>
              ))}
            </ul>
          )}
          {saved && (
            <p className="ok" role="status">
              {t('saved')}
            </p>
          )}
          <button type="submit" className="primary">
            {t('save')}
          </button>
        </fieldset>
      </form>
    </section>
  );
}
