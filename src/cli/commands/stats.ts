/**
 * @module `qatra stats journey ID`: a journey's figures as a readable table (runs, then messages per
 * node with rates, attributed revenue, and the A/B results), from the same service as the API.
 */
import type { Command } from 'commander';
import { withRuntime } from '../runtime.js';
import { DEFAULT_WORKSPACE_ID } from '../../workspaces/workspaces.js';
import { journeyStats, type JourneyStats } from '../../stats/stats.js';

const pct = (r: number | null) => (r === null ? '-' : `${(r * 100).toFixed(1)}%`);

function table(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  '));
}

export function formatJourneyStats(s: JourneyStats): string[] {
  const r = s.runs;
  const out = [
    `journey ${s.journeyId}`,
    `runs: entered ${r.entered}, in progress ${r.inProgress}, completed ${r.completed}, exited ${r.exited}, converted ${r.converted} (${pct(r.conversionRate)}), goal value ${r.goalValue}`,
    '',
  ];
  const head = ['node', 'sent', 'delivered', 'bounced', 'opened', 'clicked', 'unsub', 'open', 'ctr', 'cto', 'revenue'];
  const line = (key: string, f: JourneyStats['total']) => [
    key,
    String(f.messages.sent),
    String(f.messages.delivered),
    String(f.messages.bounced),
    String(f.messages.humanOpens),
    String(f.messages.uniqueClicks),
    String(f.messages.unsubscribed),
    pct(f.rates.open),
    pct(f.rates.clickThrough),
    pct(f.rates.clickToOpen),
    String(f.revenue),
  ];
  out.push(...table([head, ...s.byNode.map((n) => line(n.key ?? '-', n)), line('total', s.total)]));
  for (const e of s.experiments) {
    out.push('', `split ${e.node} (${e.method}${e.note ? `; ${e.note}` : ''})`);
    out.push(
      ...table([
        ['variant', 'runs', 'conv', 'rate', '95% CI', 'clicks', 'P(best)'],
        ...e.variants.map((v) => [
          `${v.variant}${v.holdout ? ' (holdout)' : ''}`,
          String(v.runs),
          String(v.conversions),
          pct(v.conversionRate),
          v.conversionCi ? `${pct(v.conversionCi.low)}–${pct(v.conversionCi.high)}` : '-',
          String(v.clicked),
          v.probabilityBest === null ? '-' : pct(v.probabilityBest),
        ]),
      ]),
    );
    if (e.lift) out.push(`lift over holdout: ${e.lift.absolute === null ? '-' : `${(e.lift.absolute * 100).toFixed(1)} points`} (${e.lift.relative === null ? '-' : pct(e.lift.relative)} relative)`);
  }
  return out;
}

export function statsCommands(program: Command): void {
  const stats = program.command('stats').description('measurement: journey figures');
  stats
    .command('journey <id>')
    .description("print a journey's runs, messages per node, revenue and A/B results")
    .option('-w, --workspace <id>', 'workspace id', DEFAULT_WORKSPACE_ID)
    .option('--from <iso>', 'start of the range (ISO 8601)')
    .option('--to <iso>', 'end of the range (ISO 8601)')
    .action((id: string, opts: { workspace: string; from?: string; to?: string }) =>
      withRuntime(async (deps) => {
        const s = await journeyStats(deps, opts.workspace, id, { from: opts.from ? Date.parse(opts.from) : undefined, to: opts.to ? Date.parse(opts.to) : undefined });
        for (const l of formatJourneyStats(s)) process.stdout.write(`${l}\n`);
      }),
    );
}
