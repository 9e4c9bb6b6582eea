/**
 * @module The print formats of direct mail (docs/mail.md "Templates"): page size, bleed, margins and
 * where the recipient's address goes so that a window envelope shows it. Lengths are millimetres.
 *
 * - `letter-a4`: A4 for a DL window envelope, DIN 5008 form B: the address field is 20 mm from the
 *   left and 45 mm from the top, 85 × 45 mm, its first 17.7 mm the return-address (Vermerk) zone.
 * - `letter-us`: US Letter, tri-folded into a #10 double-window envelope: return address 0.5 in from
 *   the left and top (3.125 × 0.875 in), recipient 0.875 in from the left and 2 in from the top
 *   (4 × 1.125 in), the windows of the common #10 double-window envelope.
 * - `postcard-a6`, `postcard-6x4`: the trim size plus 3 mm bleed on every side, a front and a back
 *   page; the address area is the back's right half (UPU), clear of the bleed and of a 5 mm safe zone.
 */

export const MAIL_FORMATS = ['letter-a4', 'letter-us', 'postcard-a6', 'postcard-6x4'] as const;
export type MailFormat = (typeof MAIL_FORMATS)[number];

export interface Box {
  left: number;
  top: number;
  width: number;
  height: number;
}

export interface FormatSpec {
  kind: 'letter' | 'postcard';
  /** The trimmed size. */
  width: number;
  height: number;
  /** Printed beyond the trim on every side (postcards); the PDF page is the trim plus twice this. */
  bleed: number;
  /** Page margins of a letter (every page), top right bottom left. */
  margin: [number, number, number, number];
  /** The recipient's address, from the trim's top-left corner. */
  address: Box;
  /** The sender's return address line(s), from the trim's top-left corner. */
  returnAddress: Box;
  /** Where a letter's body starts on the first page (below the address field). */
  bodyTop: number;
}

const IN = 25.4;

export const FORMAT_SPECS: Readonly<Record<MailFormat, FormatSpec>> = {
  'letter-a4': {
    kind: 'letter',
    width: 210,
    height: 297,
    bleed: 0,
    margin: [15, 20, 20, 20],
    returnAddress: { left: 20, top: 45, width: 85, height: 17.7 },
    address: { left: 20, top: 62.7, width: 85, height: 27.3 },
    bodyTop: 98.5,
  },
  'letter-us': {
    kind: 'letter',
    width: 8.5 * IN,
    height: 11 * IN,
    bleed: 0,
    margin: [0.5 * IN, 0.75 * IN, 0.75 * IN, 0.5 * IN],
    returnAddress: { left: 0.5 * IN, top: 0.5 * IN, width: 3.125 * IN, height: 0.875 * IN },
    address: { left: 0.875 * IN, top: 2 * IN, width: 4 * IN, height: 1.125 * IN },
    bodyTop: 3.5 * IN,
  },
  'postcard-a6': {
    kind: 'postcard',
    width: 148,
    height: 105,
    bleed: 3,
    margin: [0, 0, 0, 0],
    returnAddress: { left: 79, top: 8, width: 64, height: 12 },
    address: { left: 79, top: 48, width: 64, height: 40 },
    bodyTop: 0,
  },
  'postcard-6x4': {
    kind: 'postcard',
    width: 6 * IN,
    height: 4 * IN,
    bleed: 3,
    margin: [0, 0, 0, 0],
    returnAddress: { left: 3 * IN + 5, top: 8, width: 3 * IN - 10, height: 12 },
    address: { left: 3 * IN + 5, top: 2 * IN - 8, width: 3 * IN - 10, height: 1.5 * IN },
    bodyTop: 0,
  },
};

/** The PDF page size of a format: the trim plus bleed on both sides. */
export function pageSize(format: MailFormat): { width: number; height: number } {
  const s = FORMAT_SPECS[format];
  return { width: s.width + 2 * s.bleed, height: s.height + 2 * s.bleed };
}
