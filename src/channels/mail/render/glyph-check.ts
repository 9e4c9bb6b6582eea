/**
 * @module The check that every character of a piece's text has a glyph in the print font, so a
 * missing glyph is reported by name at validation instead of printed as a box (or silently set in
 * some fallback font of the rendering machine).
 */

export interface MissingGlyph {
  char: string;
  codePoint: number;
  /** `U+1F600 "😀"`. */
  label: string;
}

// Characters that print no glyph of their own: spaces and line breaks, joiners and non-joiners,
// directional marks and isolates, soft hyphen, variation selectors, BOM.
const INVISIBLE = /[\s\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufe00-\ufe0f\ufeff]/u;

/** The distinct characters of `text` that `coverage` has no glyph for, in order of first use (at most `limit`). */
export function missingGlyphs(text: string, coverage: ReadonlySet<number>, limit = 20): MissingGlyph[] {
  const seen = new Set<number>();
  const out: MissingGlyph[] = [];
  for (const char of text) {
    const cp = char.codePointAt(0)!;
    if (seen.has(cp) || INVISIBLE.test(char) || coverage.has(cp)) continue;
    seen.add(cp);
    out.push({ char, codePoint: cp, label: `U+${cp.toString(16).toUpperCase().padStart(4, '0')} "${char}"` });
    if (out.length >= limit) break;
  }
  return out;
}

/** `the print font has no glyph for U+1F600 "😀", U+4E2D "中"`, or null when nothing is missing. */
export function missingGlyphsMessage(missing: readonly MissingGlyph[], family: string): string | null {
  if (missing.length === 0) return null;
  return `the print font (${family}) has no glyph for ${missing.map((m) => m.label).join(', ')}: such text would print as empty boxes`;
}
