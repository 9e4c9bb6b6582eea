/**
 * "Track your website": the one script tag that loads Qatra's snippet (/js/qatra.js) for this
 * workspace, with a copy button, and the website tracking settings (GET/PUT
 * /api/workspace/tracking): wait for consent, and the sites whose tracked links carry a click id.
 * A write key's secret is shown once, when created: the tag carries it then, a placeholder otherwise.
 */
import { useEffect, useState, type FormEvent } from 'react';
import { ApiError, get, put, type Issue } from '../../api';
import { useI18n } from '../../i18n';

interface TrackingSettings {
  consentRequired: boolean;
  clickIdDomains: string[];
}

export const PLACEHOLDER_KEY = 'YOUR_WRITE_KEY';

/** The tag to paste: `origin` is where this app (so Qatra) is served. */
export function scriptTag(origin: string, writeKey: string | null): string {
  return `<script src="${origin}/js/qatra.js" data-write-key="${writeKey ?? PLACEHOLDER_KEY}" async></script>`;
}

export function WebsiteTracking({ admin, writeKey }: { admin: boolean; writeKey: string | null }) {
  const { t } = useI18n();
  const [settings, setSettings] = useState<TrackingSettings | null>(null);
  const [domains, setDomains] = useState('');
  const [copied, setCopied] = useState(false);
  const [issues, setIssues] = useState<Issue[]>([]);
  const [saved, setSaved] = useState(false);
  const tag = scriptTag(window.location.origin, writeKey);

  const show = (s: TrackingSettings) => {
    setSettings(s);
    setDomains(s.clickIdDomains.join('\n'));
  };
  useEffect(() => {
    get<TrackingSettings>('/api/workspace/tracking').then(show, () => {});
  }, []);
  useEffect(() => setCopied(false), [tag]);

  const copy = async () => {
    await navigator.clipboard.writeText(tag);
    setCopied(true);
  };
  const save = async (e: FormEvent) => {
    e.preventDefault();
    if (!settings) return;
    setIssues([]);
    setSaved(false);
    try {
      const list = domains
        .split(/\s+/)
        .map((d) => d.trim())
        .filter(Boolean);
      show(await put<TrackingSettings>('/api/workspace/tracking', { consentRequired: settings.consentRequired, clickIdDomains: list }));
      setSaved(true);
    } catch (err) {
      if (err instanceof ApiError) setIssues(err.issues.length ? err.issues : [{ path: '', message: err.message }]);
    }
  };

  return (
    <section className="card" aria-labelledby="website-title">
      <h2 id="website-title">{t('website.title')}</h2>
      <p className="small">{t('website.intro')}</p>
      <pre dir="ltr" data-testid="website-tag">
        <code>{tag}</code>
      </pre>
      <p className="small">{writeKey ? t('website.keyFilled') : t('website.keyHint')}</p>
      <button type="button" onClick={() => void copy()}>
        {copied ? t('website.copied') : t('website.copy')}
      </button>
      {settings && (
        <form onSubmit={(e) => void save(e)}>
          <label className="check">
            <input type="checkbox" checked={settings.consentRequired} disabled={!admin} onChange={(e) => setSettings({ ...settings, consentRequired: e.target.checked })} /> {t('website.consent')}
          </label>
          <label>
            {t('website.clickIdDomains')}
            <textarea dir="ltr" value={domains} disabled={!admin} onChange={(e) => setDomains(e.target.value)} aria-invalid={issues.length > 0} />
          </label>
          {issues.length > 0 && (
            <p className="error small" role="alert">
              {issues.map((i) => `${i.path.replace(/^body\./, '')}: ${i.message}`).join('; ')}
            </p>
          )}
          {saved && (
            <p className="ok small" role="status">
              {t('saved')}
            </p>
          )}
          {admin && (
            <button type="submit" className="primary">
              {t('save')}
            </button>
          )}
        </form>
      )}
    </section>
  );
}
