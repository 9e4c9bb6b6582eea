/**
 * On a paused journey's or broadcast's page: why the reputation breaker paused it (GET
 * /api/deliverability/trips, its open trip) and how to resume. The page's own Resume button resumes
 * it; the breaker then closes the trip and counts only the sends after it.
 */
import { useEffect, useState } from 'react';
import { get } from '../api';
import { useI18n } from '../i18n';

interface Trip {
  id: string;
  summary: string;
  trippedAt: number;
  resumedAt: number | null;
}

export function TripNotice({ kind, id, status }: { kind: 'journey' | 'broadcast'; id: string; status: string }) {
  const { t, date } = useI18n();
  const [trip, setTrip] = useState<Trip | null>(null);
  useEffect(() => {
    if (status !== 'paused') return setTrip(null);
    get<{ data: Trip[] }>(`/api/deliverability/trips?kind=${kind}&targetId=${encodeURIComponent(id)}&limit=1`).then(
      (r) => setTrip(r.data[0] && r.data[0].resumedAt === null ? r.data[0] : null),
      () => setTrip(null),
    );
  }, [kind, id, status]);
  if (!trip) return null;
  return (
    <div className="error small" role="status" data-testid="trip-notice">
      <strong>{t('dlv.paused')}</strong> ({date(trip.trippedAt)}): <span dir="auto">{trip.summary}</span> {t('dlv.resumeHow')}
    </div>
  );
}
