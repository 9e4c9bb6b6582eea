/**
 * @module The state of one simulation (./simulate.ts drives it): the virtual clock, the path taken so
 * far, the warnings, which supplied events were used, and how the run ended. `advance` is the only
 * way the clock moves: a goal or exit event, the maximum duration or the end of the window may stop
 * the run before the clock gets there.
 */
import type { JsonObject } from '../../core/json.js';
import type { JourneyDocument, JourneyNode } from '../definition/schema.js';
import type { StepRecord } from '../runtime/walk.js';
import { interrupt, type TimedEvent } from './events.js';
import type { PathEntry } from './schemas.js';

export interface SimulationEnd {
  /** A run status (`completed`, `exited`, `converted`, `errored`, `timed_out`) or `open`. */
  status: string;
  at: number | null;
}

/** The output a step took, as the path shows it (null when the run stopped there). */
function outputOf(node: JourneyNode | undefined, outcome: string): string | null {
  if (!node || ['failed', 'exited', 'completed', 'waiting', 'errored'].includes(outcome)) return null;
  switch (node.type) {
    case 'wait_for_event':
      return outcome === 'event' || outcome === 'timeout' ? outcome : null;
    case 'branch':
    case 'split':
      return outcome;
    case 'exit':
      return null;
    default:
      return 'next';
  }
}

function localTime(at: number, tz: string): string {
  // sv-SE formats as `2026-03-01 09:00:00`, which reads the same in every UI language.
  return new Intl.DateTimeFormat('sv-SE', { timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' }).format(at);
}

export class Simulation {
  readonly path: PathEntry[] = [];
  readonly warnings: string[] = [];
  /** Indexes of the supplied events that changed something. */
  readonly used = new Set<number>();
  now: number;
  end: SimulationEnd | null = null;
  /** The message the previous walk stopped at, attached to its step when the next walk records it. */
  private carry: Pick<PathEntry, 'message'> | null = null;
  private readonly nodes: ReadonlyMap<string, JourneyNode>;

  constructor(
    private readonly doc: JourneyDocument,
    nodes: ReadonlyMap<string, JourneyNode>,
    readonly tz: string,
    private readonly events: readonly TimedEvent[],
    start: number,
    private readonly deadline: number,
    private readonly until: number,
  ) {
    this.nodes = nodes;
    this.now = start;
  }

  warn(w: string): void {
    if (!this.warnings.includes(w)) this.warnings.push(w);
  }

  entry(at: number, node: string, type: string, outcome: string, detail: JsonObject | null, extra: Partial<PathEntry> = {}): PathEntry {
    return { at, local: localTime(at, this.tz), node, type, outcome, output: outputOf(this.nodes.get(node), outcome), detail, ...extra };
  }

  typeOf(node: string): string {
    return this.nodes.get(node)?.type ?? 'unknown';
  }

  /** Records a walk's steps; the first carries the message the previous walk stopped at. */
  record(steps: readonly StepRecord[]): void {
    steps.forEach((s, k) => {
      const e = this.entry(this.now, s.nodeId, this.typeOf(s.nodeId), s.outcome, s.detail);
      this.path.push(k === 0 && this.carry?.message ? { ...e, message: this.carry.message } : e);
    });
    this.carry = null;
  }

  carryMessage(message: PathEntry['message'] | null | undefined): void {
    this.carry = message ? { message } : null;
  }

  /** Moves the clock to `to`, unless a goal or exit event, the maximum duration or `until` comes first (then the run ends). */
  advance(to: number): boolean {
    const hit = interrupt(this.doc, this.events, this.now, Math.min(to, this.deadline, this.until));
    if (hit) {
      const valueProperty = this.doc.goal?.valueProperty;
      const value = valueProperty ? Number(hit.event.properties[valueProperty]) : NaN;
      const converted = hit.status === 'converted';
      this.path.push(
        this.entry(hit.event.at, converted ? '$goal' : '$exit', converted ? 'goal' : 'exit', hit.status, { event: hit.event.name, reason: hit.reason, ...(Number.isFinite(value) ? { value } : {}) }),
      );
      this.used.add(hit.event.index);
      this.end = { status: hit.status, at: hit.event.at };
      return false;
    }
    if (to >= this.deadline && this.deadline <= this.until) {
      this.end = { status: 'timed_out', at: this.deadline };
      return false;
    }
    if (to > this.until) {
      this.end = { status: 'open', at: null };
      return false;
    }
    this.now = to;
    return true;
  }
}
