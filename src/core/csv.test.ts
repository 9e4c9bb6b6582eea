import { describe, expect, it } from 'vitest';
import { safeCsvCell, unescapeCsvCell } from './csv.js';

describe('CSV cells', () => {
  it('puts an apostrophe before every formula prefix OWASP lists, and leaves plain numbers', () => {
    for (const formula of ['=1+1', '+cmd|x', '-2+3+cmd', '@SUM(A1)', '\t=1', '\r=1', '=HYPERLINK("http://x","y")']) expect(safeCsvCell(formula)).toBe(`'${formula}`);
    for (const plain of ['plain', 'a=b', ' =1', '', '-5', '+3.25', '-1.5e3', '2026-01-05T12:00:00.000Z', "'quoted"]) expect(safeCsvCell(plain)).toBe(plain);
  });

  it('is undone exactly, even for text that starts with apostrophes', () => {
    const samples = ['=1', "'=1", "''=1", "'", "'x", 'x', '-5', '-x', "'-5", '@', '', '\t', "'\t"];
    for (const s of samples) expect(unescapeCsvCell(safeCsvCell(s))).toBe(s);
    // Nothing left unescaped looks escaped.
    for (const s of samples) if (safeCsvCell(s) === s) expect(unescapeCsvCell(s)).toBe(s);
  });
});
