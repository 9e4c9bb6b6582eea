/**
 * Editing a draft or a scheduled broadcast that has not started (PATCH /api/broadcasts/:id): its
 * name, start time and throttle. Once sending started the server answers 409, shown here.
 */
import { useState, type FormEvent } from 'react';
import { ApiError, patch } from '../../api';
import { useI18n } from '../../i18n';

export interface Editable {
  id: string;
  name: string;
  sendAt: number | null;
  ratePerSecond: number | null;
}

/** epoch ms → the value of a datetime-local input, in the browser's zone. */
function localInput(ms: number | null): string {
  if (ms === null) return '';
  const d = new Date(ms - new Date(ms).getTimezoneOffset() * 60_000);
  return d.toISOString().slice(0, 16);
}

export function EditBroadcast({ b, onSaved, onCancel }: { b: Editable; onSaved(): void; onCancel(): void }) {
  const { t } = useI18n();
  const [name, setName] = useState(b.name);
  const [sendAt, setSendAt] = useState(localInput(b.sendAt));
  const [rate, setRate] = useState(b.ratePerSecond === null ? '' : String(b.ratePerSecond));
  const [error, setError] = useState<string | null>(null);
  const save = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    try {
      await patch(`/api/broadcasts/${encodeURIComponent(b.id)}`, {
        name,
        sendAt: sendAt ? new Date(sendAt).getTime() : null,
        ratePerSecond: rate.trim() === '' ? null : Number(rate),
      });
      onSaved();
    } catch (err) {
      const issues = err instanceof ApiError ? err.issues.map((i) => `${i.path}: ${i.message}`).join('; ') : '';
      setError(issues || (err as Error).message);
    }
  };
  return (
    <form className="card" onSubmit={save} aria-labelledby={`bce-${b.id}`} data-testid="broadcast-edit">
      <h3 id={`bce-${b.id}`}>{t('bce.title', { name: b.name })}</h3>
      <div className="row">
        <label>
          {t('bc.name')} <input name="name" value={name} onChange={(e) => setName(e.target.value)} required />
        </label>
        <label>
          {t('bce.sendAt')} <input type="datetime-local" name="sendAt" value={sendAt} onChange={(e) => setSendAt(e.target.value)} />
        </label>
        <label>
          {t('bce.rate')} <input type="number" name="ratePerSecond" min={1} value={rate} onChange={(e) => setRate(e.target.value)} />
        </label>
      </div>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <div className="row">
        <button type="submit" className="primary">
          {t('save')}
        </button>
        <button type="button" onClick={onCancel}>
          {t('cancel')}
        </button>
      </div>
    </form>
  );
}
