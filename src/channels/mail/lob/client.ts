/**
 * @module A Lob-compatible print-and-mail API client (docs/mail.md "Lob"), as Lob publishes it
 * (github.com/lob/lob-openapi): `POST /v1/letters` and `POST /v1/postcards`, HTTP Basic with the
 * API key as user name, `multipart/form-data` with the piece's PDF as the `file` part (letters) or
 * its first and second pages as `front` and `back` (postcards), `to` and `from` as address objects
 * (`to[address_line1]`, … the deepObject encoding), `use_type` (`marketing` | `operational`) and
 * `Idempotency-Key` (the piece id: a retried submit creates no second mail piece).
 *
 * Answers map to the provider result union: 2xx → `sent` with Lob's id, expected delivery date and
 * tracking number; 429 and 5xx (and a network failure) → `retryable`; any other 4xx (422 validation,
 * 401 key, 404) → `permanent` with Lob's `error.message`; a `baseUrl` on a private address without
 * the operator's leave → `permanent` (./http.ts).
 */
import { PDFDocument } from 'pdf-lib';
import type { PostalAddress } from '../../../contacts/postal-address.js';
import type { MailPieceKind } from '../tables.js';
import { postMultipart } from './http.js';

export interface LobSettings {
  baseUrl: string;
  apiKey: string;
  /** The return address printed on every piece. */
  from: PostalAddress;
  useType: 'marketing' | 'operational';
  color: boolean;
  timeoutMs?: number | undefined;
  /** Lets `baseUrl` be a loopback or private address (operator switch QATRA_ALLOW_PRIVATE_OUTBOUND). */
  allowPrivateOutbound?: boolean | undefined;
}

export interface LobPiece {
  id: string;
  kind: MailPieceKind;
  to: PostalAddress;
  pdf: Uint8Array;
  /** Lob's Idempotency-Key: the piece's message id when it has one (a retried send), else the piece id. */
  idempotencyKey?: string | undefined;
  /** Stored with the piece at Lob, returned in its webhooks. */
  metadata?: Record<string, string> | undefined;
}

export type LobResult =
  | { status: 'sent'; providerId: string; expectedDeliveryDate: string | null; trackingNumber: string | null }
  | { status: 'retryable'; error: string; retryAfterMs?: number | undefined }
  | { status: 'permanent'; error: string };

function addressFields(form: FormData, prefix: 'to' | 'from', a: PostalAddress): void {
  const set = (k: string, v: string | undefined) => v && form.append(`${prefix}[${k}]`, v);
  set('name', a.name);
  set('address_line1', a.lines[0]);
  set('address_line2', a.lines.slice(1).join(', ') || undefined);
  set('address_city', a.city);
  set('address_state', a.region);
  set('address_zip', a.postcode);
  set('address_country', a.country);
}

async function pagePdf(pdf: Uint8Array, index: number): Promise<Uint8Array> {
  const src = await PDFDocument.load(pdf);
  const out = await PDFDocument.create();
  const [page] = await out.copyPages(src, [Math.min(index, src.getPageCount() - 1)]);
  out.addPage(page!);
  return out.save();
}

const pdfBlob = (bytes: Uint8Array) => new Blob([new Uint8Array(bytes)], { type: 'application/pdf' });

export async function lobForm(settings: LobSettings, piece: LobPiece): Promise<FormData> {
  const form = new FormData();
  form.append('description', `qatra ${piece.id}`);
  addressFields(form, 'to', piece.to);
  addressFields(form, 'from', settings.from);
  form.append('use_type', settings.useType);
  for (const [k, v] of Object.entries(piece.metadata ?? {})) form.append(`metadata[${k}]`, v);
  if (piece.kind === 'letter') {
    form.append('color', String(settings.color));
    form.append('file', pdfBlob(piece.pdf), `${piece.id}.pdf`);
  } else {
    form.append('front', pdfBlob(await pagePdf(piece.pdf, 0)), `${piece.id}-front.pdf`);
    form.append('back', pdfBlob(await pagePdf(piece.pdf, 1)), `${piece.id}-back.pdf`);
  }
  return form;
}

function retryAfter(h: string | null): number | undefined {
  const s = h ? Number(h) : NaN;
  return Number.isFinite(s) && s >= 0 ? Math.min(s, 3600) * 1000 : undefined;
}

export async function submitToLob(settings: LobSettings, piece: LobPiece): Promise<LobResult> {
  const url = `${settings.baseUrl.replace(/\/+$/, '')}/v1/${piece.kind === 'letter' ? 'letters' : 'postcards'}`;
  const answer = await postMultipart(
    new URL(url),
    { authorization: `Basic ${Buffer.from(`${settings.apiKey}:`).toString('base64')}`, 'idempotency-key': piece.idempotencyKey ?? piece.id, accept: 'application/json' },
    await lobForm(settings, piece),
    { allowPrivateOutbound: settings.allowPrivateOutbound, timeoutMs: settings.timeoutMs ?? 30_000 },
  );
  if (answer.kind === 'failure') return answer.private ? { status: 'permanent', error: answer.reason } : { status: 'retryable', error: `Lob unreachable: ${answer.reason}` };
  const text = answer.body;
  let body: Record<string, unknown> = {};
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    /* not JSON: the status decides */
  }
  const res = { ok: answer.status >= 200 && answer.status < 300, status: answer.status };
  if (res.ok) {
    if (typeof body.id !== 'string' || body.id === '') return { status: 'retryable', error: 'Lob answered without an id' };
    const str = (v: unknown) => (typeof v === 'string' && v !== '' ? v : null);
    return { status: 'sent', providerId: body.id, expectedDeliveryDate: str(body.expected_delivery_date), trackingNumber: str(body.tracking_number) };
  }
  const error = body.error as { message?: unknown; code?: unknown } | undefined;
  const message = `Lob ${res.status}${typeof error?.code === 'string' ? ` ${error.code}` : ''}: ${typeof error?.message === 'string' ? error.message.slice(0, 500) : text.slice(0, 200)}`;
  if (res.status === 429 || res.status >= 500)
    return { status: 'retryable', error: message, retryAfterMs: retryAfter(typeof answer.headers['retry-after'] === 'string' ? answer.headers['retry-after'] : null) };
  return { status: 'permanent', error: message };
}
