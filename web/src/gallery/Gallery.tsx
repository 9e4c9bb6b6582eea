/**
 * The journey gallery (GET /api/gallery): welcome series, abandoned cart, win-back, birthday. "Use"
 * (POST /api/gallery/:id/use) creates the journey as a draft with its emails (English and Arabic)
 * and opens it in the builder.
 */
import { useEffect, useState } from 'react';
import { ApiError, canEdit, get, post, type Role } from '../api';
import { useI18n } from '../i18n';
import { navigate } from '../router';
import type { MessageKey } from '../messages';

interface Item {
  id: string;
  name: string;
  description: string;
  steps: number;
  templates: { key: string; name: string; subject: string }[];
}

export function Gallery({ role }: { role: Role }) {
  const { t, num } = useI18n();
  const [items, setItems] = useState<Item[] | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    get<{ items: Item[] }>('/api/gallery').then(
      (r) => setItems(r.items),
      () => setItems([]),
    );
  }, []);
  const use = async (id: string) => {
    setBusy(id);
    setError(null);
    try {
      const r = await post<{ journey: { id: string } }>(`/api/gallery/${encodeURIComponent(id)}/use`);
      navigate(`/journeys/${encodeURIComponent(r.journey.id)}`);
    } catch (e) {
      setError(e instanceof ApiError ? e.message : String(e));
      setBusy(null);
    }
  };
  return (
    <section aria-labelledby="gallery-title">
      <h1 id="gallery-title">{t('gallery.title')}</h1>
      <p className="muted">{t('gallery.intro')}</p>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {items === null ? (
        <p>{t('loading')}</p>
      ) : (
        <ul className="gallery">
          {items.map((g) => (
            <li key={g.id} className="card" data-testid={`gallery-${g.id}`}>
              <h2 id={`gallery-${g.id}-title`}>{t(`gallery.${g.id}` as MessageKey)}</h2>
              <p>{t(`gallery.${g.id}.about` as MessageKey)}</p>
              <p className="muted small">{t('gallery.emails', { count: num(g.templates.length) })}</p>
              {canEdit(role) && (
                <button type="button" className="primary" disabled={busy !== null} aria-describedby={`gallery-${g.id}-title`} onClick={() => void use(g.id)}>
                  {t('gallery.use')}
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
