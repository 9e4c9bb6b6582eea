/**
 * Journeys: each with its state, version, contacts in it now and when it last changed. The figures of
 * every row come in one request (GET /api/stats/journeys), not two per row.
 */
import { useEffect, useState } from 'react';
import { get, canEdit, type Role } from '../api';
import { useI18n } from '../i18n';
import { Link } from '../router';
import { GalleryEmpty } from '../setup/EmptyStates';

interface Journey {
  id: string;
  name: string;
  status: string;
  version: number;
  updatedAt: number;
}

interface Figures {
  journeyId: string;
  active: number;
  waiting: number;
}

export function JourneysList({ role }: { role: Role }) {
  const { t, date, num } = useI18n();
  const [journeys, setJourneys] = useState<Journey[] | null>(null);
  const [figures, setFigures] = useState<Map<string, Figures> | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    get<{ journeys: Journey[] }>('/api/journeys').then(
      (r) => setJourneys(r.journeys),
      (e) => setError((e as Error).message),
    );
    get<{ data: Figures[] }>('/api/stats/journeys').then(
      (r) => setFigures(new Map(r.data.map((f) => [f.journeyId, f]))),
      () => setFigures(null),
    );
  }, []);
  return (
    <section aria-labelledby="journeys-title">
      <div className="row">
        <h1 id="journeys-title">{t('journeys.title')}</h1>
        <span className="spacer" />
        {canEdit(role) && (
          <Link className="button primary" to="/journeys/new">
            {t('journeys.new')}
          </Link>
        )}
      </div>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {journeys === null ? (
        <p>{t('loading')}</p>
      ) : journeys.length === 0 ? (
        <GalleryEmpty kind="journeys" />
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">{t('journeys.name')}</th>
              <th scope="col">{t('journeys.status')}</th>
              <th scope="col">{t('journeys.version')}</th>
              <th scope="col">{t('journeys.runs')}</th>
              <th scope="col">{t('journeys.updated')}</th>
            </tr>
          </thead>
          <tbody>
            {journeys.map((j) => (
              <tr key={j.id}>
                <td>
                  <Link to={`/journeys/${encodeURIComponent(j.id)}`}>{j.name}</Link> <span className="muted small">{j.id}</span>
                </td>
                <td>
                  <span className={`badge status-${j.status}`}>{t(`status.${j.status}` as 'status.live')}</span>
                </td>
                <td>{num(j.version)}</td>
                <td data-testid="journey-in-now">{figures ? num((figures.get(j.id)?.active ?? 0) + (figures.get(j.id)?.waiting ?? 0)) : '—'}</td>
                <td>{date(j.updatedAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
