/**
 * The browser origins of one write key (PATCH /api/keys/:id, docs/ingestion.md "From a browser"):
 * empty means any origin, as write keys are public; otherwise one origin per line or separated by
 * spaces or commas (`https://shop.example.com`, `https://*.example.com`). The server normalises and
 * checks them; a refused entry is named by its position. Admin keys never work from browsers.
 */
import { useState } from 'react';
import { ApiError, patch } from '../../api';
import { useI18n } from '../../i18n';

export function KeyOrigins({ id, name, kind, origins, admin, onSaved }: { id: string; name: string; kind: string; origins: string[] | null; admin: boolean; onSaved(): void }) {
  const { t } = useI18n();
  const shown = (origins ?? []).join('\n');
  const [text, setText] = useState(shown);
  const [error, setError] = useState<string | null>(null);
  if (kind !== 'write') return <span className="muted">{t('settings.origins.never')}</span>;
  const list = text.split(/[\s,]+/).filter(Boolean);
  const save = async () => {
    setError(null);
    try {
      const saved = await patch<{ allowedOrigins: string[] | null }>(`/api/keys/${encodeURIComponent(id)}`, { allowedOrigins: list.length ? list : null });
      setText((saved.allowedOrigins ?? []).join('\n'));
      onSaved();
    } catch (e) {
      const issue = e instanceof ApiError ? e.issues[0] : undefined;
      const index = issue ? /^allowedOrigins\.(\d+)$/.exec(issue.path)?.[1] : undefined;
      setError(index !== undefined ? `${list[Number(index)]}: ${issue!.message}` : e instanceof Error ? e.message : String(e));
    }
  };
  return (
    <div>
      <textarea
        aria-label={`${t('settings.origins')} ${name}`}
        rows={Math.max(1, Math.min(4, list.length))}
        placeholder={t('settings.origins.any')}
        value={text}
        disabled={!admin}
        onChange={(e) => setText(e.target.value)}
      />
      {admin && text !== shown && (
        <button type="button" onClick={() => void save()}>
          {t('settings.origins.save')}
        </button>
      )}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}
