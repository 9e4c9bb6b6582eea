import { describe, expect, it } from 'vitest';
import { parse } from 'csv-parse/sync';
import { emptyCounts, rates } from './counts.js';
import { statsCsv } from './csv.js';
import type { ScopeStats } from './stats.js';

describe('the stats CSV', () => {
  it('writes user-chosen keys that a spreadsheet would run as formulas with a leading apostrophe; numbers stay numbers', () => {
    const figures = (roi: number | null) => ({ messages: { ...emptyCounts(), sent: 2 }, rates: rates(emptyCounts()), attributedConversions: 0, revenue: 0, cost: 1, roi });
    const s: ScopeStats = {
      range: { from: null, to: null },
      attribution: { clickWindowMs: 1, openWindowMs: 1 },
      total: figures(-1),
      byVersion: [],
      byNode: [{ key: '@SUM(1+1)*cmd|/C calc!A0', ...figures(-1) }],
      byTemplate: [
        { key: '=HYPERLINK("http://evil.example","x")', ...figures(-1) },
        { key: 'welcome', ...figures(null) },
      ],
      byChannel: [{ key: '-2+3', ...figures(-0.5) }],
      series: null,
    } as ScopeStats;
    const rows = parse(statsCsv(s)) as string[][];
    const roi = rows[0]!.indexOf('roi');
    expect(rows.map((r) => [r[0], r[1]])).toEqual([
      ['section', 'key'],
      ['total', 'all'],
      ['node', "'@SUM(1+1)*cmd|/C calc!A0"],
      ['template', `'=HYPERLINK("http://evil.example","x")`],
      ['template', 'welcome'],
      ['channel', "'-2+3"],
    ]);
    expect(rows.map((r) => r[roi])).toEqual(['roi', '-1', '-1', '-1', '', '-0.5']);
  });
});
