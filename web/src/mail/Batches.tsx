/**
 * The print batches of direct mail (GET /api/mail/batches): one row per provider and day with its
 * pieces, pages, status and cost; editors and admins download the merged PDF and the manifests
 * (streamed by the server) and open each batch's pieces with their status and expected delivery.
 */
import { useEffect, useState } from 'react';
import { canEdit, get, type Role } from '../api';
import { useI18n } from '../i18n';
import type { MessageKey } from '../messages';

interface Batch {
  id: string;
  day: string | null;
  providerName: string | null;
  providerKind: string | null;
  status: string;
  pieceCount: number;
  pageCount: number;
  cost: number;
  cutoffAt: number | null;
  error: string | null;
  attempts: number;
  files: boolean;
}

interface Piece {
  id: string;
  kind: string;
  status: string;
  country: string;
  postcode: string | null;
  expectedDeliveryDate: string | null;
  cost: number;
  error: string | null;
}

function Pieces({ batchId }: { batchId: string }) {
  const { t } = useI18n();
  const [pieces, setPieces] = useState<Piece[] | null>(null);
  useEffect(() => {
    get<{ pieces: Piece[] }>(`/api/mail/batches/${encodeURIComponent(batchId)}/pieces`).then(
      (r) => setPieces(r.pieces),
      () => setPieces([]),
    );
  }, [batchId]);
  if (pieces === null) return <p>{t('loading')}</p>;
  return (
    <table data-testid={`pieces-${batchId}`}>
      <thead>
        <tr>
          <th scope="col">{t('mail.pieces.piece')}</th>
          <th scope="col">{t('mail.pieces.country')}</th>
          <th scope="col">{t('mail.pieces.postcode')}</th>
          <th scope="col">{t('mail.batches.status')}</th>
          <th scope="col">{t('mail.pieces.expected')}</th>
        </tr>
      </thead>
      <tbody>
        {pieces.map((p) => (
          <tr key={p.id}>
            <td>
              <code>{p.id}</code>
            </td>
            <td>{p.country}</td>
            <td dir="ltr">{p.postcode ?? ''}</td>
            <td title={p.error ?? undefined}>{t(`mail.piece.${p.status}` as MessageKey)}</td>
            <td dir="ltr">{p.expectedDeliveryDate ?? ''}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function MailBatches({ role }: { role: Role }) {
  const { t, date } = useI18n();
  const [batches, setBatches] = useState<Batch[] | null>(null);
  const [open, setOpen] = useState<string | null>(null);
  useEffect(() => {
    const load = () =>
      get<{ batches: Batch[] }>('/api/mail/batches?limit=100').then(
        (r) => setBatches(r.batches),
        () => setBatches([]),
      );
    void load();
    const timer = setInterval(load, 10_000);
    return () => clearInterval(timer);
  }, []);
  const editor = canEdit(role);
  const money = new Intl.NumberFormat(undefined, { maximumFractionDigits: 2, minimumFractionDigits: 2 });
  const file = (id: string, name: string) => `/api/mail/batches/${encodeURIComponent(id)}/${name}`;
  return (
    <section aria-labelledby="mail-batches-title">
      <h1 id="mail-batches-title">{t('mail.batches.title')}</h1>
      {!editor && <p className="muted">{t('mail.batches.editorsOnly')}</p>}
      {batches === null ? (
        <p>{t('loading')}</p>
      ) : batches.length === 0 ? (
        <p className="muted">{t('mail.batches.none')}</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">{t('mail.batches.day')}</th>
              <th scope="col">{t('mail.batches.provider')}</th>
              <th scope="col">{t('mail.batches.pieces')}</th>
              <th scope="col">{t('mail.batches.pages')}</th>
              <th scope="col">{t('mail.batches.status')}</th>
              <th scope="col">{t('mail.batches.cost')}</th>
              <th scope="col">{t('mail.batches.files')}</th>
            </tr>
          </thead>
          <tbody>
            {batches.map((b) => (
              <tr key={b.id} data-testid={`batch-${b.id}`}>
                <td dir="ltr">{b.day ?? ''}</td>
                <td>{b.providerName ?? b.providerKind ?? ''}</td>
                <td>{b.pieceCount}</td>
                <td>{b.pageCount}</td>
                <td>
                  {t(`mail.batch.${b.status}` as MessageKey)}
                  {b.status === 'building' && b.cutoffAt !== null && (
                    <div className="muted">
                      {t('mail.batches.cutoff')}: {date(b.cutoffAt)}
                    </div>
                  )}
                  {b.error && <div className="error">{t('mail.batches.retrying', { n: b.attempts, error: b.error })}</div>}
                </td>
                <td>{money.format(b.cost)}</td>
                <td>
                  {editor && b.files ? (
                    <span className="row">
                      <a href={file(b.id, 'batch.pdf')} download>
                        {t('mail.batches.pdf')}
                      </a>
                      <a href={file(b.id, 'manifest.csv')} download>
                        {t('mail.batches.manifestCsv')}
                      </a>
                      <a href={file(b.id, 'manifest.json')} download>
                        {t('mail.batches.manifestJson')}
                      </a>
                    </span>
                  ) : (
                    !b.files && <span className="muted">{t('mail.batches.notBuilt')}</span>
                  )}
                  {editor && (
                    <button type="button" className="link" aria-expanded={open === b.id} onClick={() => setOpen(open === b.id ? null : b.id)}>
                      {open === b.id ? t('mail.batches.hidePieces') : t('mail.batches.showPieces')}
                    </button>
                  )}
                  {open === b.id && <Pieces batchId={b.id} />}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
