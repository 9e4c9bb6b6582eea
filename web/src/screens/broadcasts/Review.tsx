/**
 * Before a broadcast is scheduled: how many contacts it will reach now (GET
 * /api/broadcasts/:id/recipients, the send's own rules) and who is left out, a preview of the
 * message as the first recipient (POST /api/templates/:id/preview), a test send to an address or
 * phone number typed here (POST /api/broadcasts/:id/test, recorded as a test), and the confirmation
 * that states the count. A modal <dialog>: focus stays inside and Escape closes it.
 */
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { get, post } from '../../api';
import { useI18n } from '../../i18n';

interface Count {
  audience: number;
  recipients: number;
  excluded: { unsubscribed: number; suppressed: number; noAddress: number };
  sampleContactId: string | null;
}
interface Preview {
  subject: string;
  html: string;
  direction: 'ltr' | 'rtl';
}

export interface ReviewTarget {
  id: string;
  name: string;
  template: string | null;
  channel?: string;
}

export function ReviewDialog({ b, onConfirm, onClose }: { b: ReviewTarget; onConfirm(): Promise<void>; onClose(): void }) {
  const { t, num } = useI18n();
  const ref = useRef<HTMLDialogElement>(null);
  const [count, setCount] = useState<Count | null>(null);
  const [preview, setPreview] = useState<Preview | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [to, setTo] = useState('');
  const [testResult, setTestResult] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    if (ref.current && !ref.current.open) ref.current.showModal();
    get<Count>(`/api/broadcasts/${encodeURIComponent(b.id)}/recipients`).then(
      (c) => {
        setCount(c);
        if (b.template && c.sampleContactId)
          post<Preview>(`/api/templates/${encodeURIComponent(b.template)}/preview`, { contactId: c.sampleContactId }).then(setPreview, (e) => setError((e as Error).message));
      },
      (e) => setError((e as Error).message),
    );
  }, [b.id, b.template]);
  const sendTest = async (e: FormEvent) => {
    e.preventDefault();
    setTestResult(null);
    const value = to.trim();
    try {
      const r = await post<{ result: { status: string; reason?: string } }>(`/api/broadcasts/${encodeURIComponent(b.id)}/test`, value.includes('@') ? { email: value } : { phone: value });
      setTestResult(r.result.status === 'sent' ? t('bcr.testSent', { to: value }) : `${r.result.status}: ${r.result.reason ?? ''}`);
    } catch (err) {
      setTestResult((err as Error).message);
    }
  };
  return (
    <dialog ref={ref} aria-labelledby="bcr-title" className="card" onClose={onClose} data-testid="broadcast-review">
      <h2 id="bcr-title">{t('bcr.title', { name: b.name })}</h2>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {!count ? (
        <p>{t('loading')}</p>
      ) : (
        <>
          <p data-testid="review-count">
            <strong>{t('bcr.recipients', { n: count.recipients })}</strong>
          </p>
          <p className="muted small" data-testid="review-excluded">
            {t('bcr.excluded', { audience: count.audience, unsubscribed: count.excluded.unsubscribed, suppressed: count.excluded.suppressed, noAddress: count.excluded.noAddress })}
          </p>
        </>
      )}
      {preview && (
        <section aria-labelledby="bcr-preview">
          <h3 id="bcr-preview">{t('bcr.preview')}</h3>
          <p>
            <bdi dir={preview.direction}>{preview.subject}</bdi>
          </p>
          <iframe title={t('bcr.preview')} sandbox="" srcDoc={preview.html} style={{ width: '100%', height: '16rem' }} data-testid="review-preview" />
        </section>
      )}
      <form className="row" onSubmit={sendTest}>
        <label>
          {t('bcr.testTo')} <input name="testTo" value={to} onChange={(e) => setTo(e.target.value)} dir="ltr" required />
        </label>
        <button type="submit">{t('bcr.sendTest')}</button>
        {testResult && (
          <span role="status" className="small" data-testid="review-test-result">
            {testResult}
          </span>
        )}
      </form>
      <div className="row">
        <button
          type="button"
          className="primary"
          disabled={!count || busy}
          onClick={async () => {
            setBusy(true);
            await onConfirm();
            setBusy(false);
            ref.current?.close();
          }}
        >
          {t('bcr.confirm', { n: count ? count.recipients : '…' })}
        </button>
        <button type="button" onClick={() => ref.current?.close()}>
          {t('cancel')}
        </button>
      </div>
    </dialog>
  );
}
