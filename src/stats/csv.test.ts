import { describe, expect, it } from 'vitest';
import { parse } from 'csv-parse/sync';
import { channelMeasures } from './channel-measures.js';
import { channelFigures, emptyRaw } from './channels.js';
import { emptyCounts, rates } from './counts.js';
import { statsCsv } from './csv.js';
import type { ScopeStats } from './stats.js';

describe('the stats CSV', () => {
  it('writes user-chosen keys that a spreadsheet would run as formulas with a leading apostrophe; numbers stay numbers', () => {
    const figures = (roi: number | null) => ({ messages: { ...emptyCounts(), sent: 2 }, rates: rates(emptyCounts()), attributedConversions: 0, revenue: 0, cost: 1, roi });
    const channel = (roi: number | null) => channelFigures(channelMeasures('-2+3'), { ...emptyCounts(), sent: 2 }, emptyRaw(), { attributedConversions: 0, revenue: 0, cost: 1, roi });
    const s: ScopeStats = {
      range: { from: null, to: null },
      attribution: { clickWindowMs: 1, openWindowMs: 1 },
      total: figures(-1),
      byVersion: [],
      byNode: [{ key: '@SUM(1+1)*cmd|/C calc!A0', ...figures(-1), byChannel: { '+sms': channel(-1) } }],
      byTemplate: [
        { key: '=HYPERLINK("http://evil.example","x")', ...figures(-1), byChannel: {} },
        { key: 'welcome', ...figures(null), byChannel: {} },
      ],
      byChannel: { '-2+3': channel(-0.5) },
      series: null,
    } as ScopeStats;
    const rows = parse(statsCsv(s)) as string[][];
    const roi = rows[0]!.indexOf('roi');
    expect(rows.map((r) => [r[0], r[1], r[2]])).toEqual([
      ['section', 'key', 'channel'],
      ['total', 'all', ''],
      ['node', "'@SUM(1+1)*cmd|/C calc!A0", "'+sms"],
      ['template', `'=HYPERLINK("http://evil.example","x")`, ''],
      ['template', 'welcome', ''],
      ['channel', "'-2+3", "'-2+3"],
    ]);
    expect(rows.map((r) => r[roi])).toEqual(['roi', '-1', '-1', '-1', '', '-0.5']);
  });
});
