/** On a contact's profile: its standing under the sunset policy (GET /api/contacts/:id/sunset); nothing while the policy is off. */
import { useEffect, useState } from 'react';
import { get } from '../api';
import { useI18n } from '../i18n';

interface Standing {
  enabled: boolean;
  lastEngagedAt: number | null;
  sunsetAt: number | null;
  sunset: boolean;
}

export function SunsetNote({ contactId }: { contactId: string }) {
  const { t, date } = useI18n();
  const [s, setS] = useState<Standing | null>(null);
  useEffect(() => {
    get<Standing>(`/api/contacts/${encodeURIComponent(contactId)}/sunset`).then(setS, () => setS(null));
  }, [contactId]);
  if (!s?.enabled || s.sunsetAt === null) return null;
  const engaged = s.lastEngagedAt === null ? t('dlv.never') : date(s.lastEngagedAt);
  return (
    <p className={s.sunset ? 'error small' : 'muted small'} data-testid="contact-sunset">
      {s.sunset ? t('dlv.sunsetSince', { date: date(s.sunsetAt), engaged }) : t('dlv.sunsetOn', { date: date(s.sunsetAt) })}
    </p>
  );
}
