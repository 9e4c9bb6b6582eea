/**
 * @module For the mail delivery tests: input PDFs made with pdf-lib (what h14's renderer hands the
 * delivery side is PDF bytes; any producer will do here), postal addresses, and pieces ready for
 * buildBatch.
 */
import { PDFDocument, StandardFonts } from 'pdf-lib';
import type { PostalAddress } from '../../contacts/postal-address.js';
import type { PieceInput } from './batch.js';
import { newPieceIdentity } from './piece-identity.js';

/** A PDF of `pages` A4 pages, each printing `label` and its page number. */
export async function testPdf(label: string, pages = 1): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  for (let i = 1; i <= pages; i++) doc.addPage([595.28, 841.89]).drawText(`${label} p${i}`, { x: 50, y: 780, size: 14, font });
  return doc.save();
}

export function testAddress(postcode: string, over: Partial<PostalAddress> = {}): PostalAddress {
  return { name: `Resident ${postcode}`, lines: [`${postcode} Main St`], city: 'Springfield', region: 'IL', postcode, country: 'US', ...over };
}

export async function testPiece(o: { contactId: string; postcode: string; pages?: number; now: number; costMicros?: number; messageId?: string; address?: PostalAddress }): Promise<PieceInput> {
  const identity = newPieceIdentity({ trackingSecret: 'test-secret', promoPrefix: 'SPRING', now: o.now });
  return {
    identity,
    contactId: o.contactId,
    messageId: o.messageId,
    kind: 'letter',
    sheetFormat: 'a4',
    address: o.address ?? testAddress(o.postcode),
    pdf: await testPdf(`${identity.id} ${o.postcode}`, o.pages ?? 1),
    costMicros: o.costMicros ?? 850_000,
    targetUrl: 'https://shop.example/spring',
  };
}
