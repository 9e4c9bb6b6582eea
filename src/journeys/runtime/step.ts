/**
 * @module What executing one node yields. Executors (./nodes/) are functions of the run, the contact,
 * the document and the clock; they read the database but never write it: writes are returned as
 * effects and applied by the step writer in the step's transaction, so a step either happens
 * entirely (step row, effects, run moved) or not at all.
 */
import type { JourneyDocument, JourneyNode, PropertyFilter } from '../definition/schema.js';
import type { Contact } from '../../contacts/contact.js';
import type { JsonObject } from '../../core/json.js';
import type { Db } from '../../store/store.js';
import type { Run } from './run.js';
import type { MessagingDefaults } from '../../workspaces/messaging.js';

export interface StepContext {
  run: Run;
  contact: Contact;
  doc: JourneyDocument;
  now: number;
  /** The contact's zone, else the workspace's (docs/standards.md §4). */
  tz: string;
  db: Db;
  /** Channels the contact unsubscribed from, when prefetched for the whole batch (else queried). */
  optedOut?: ReadonlySet<string>;
  /** The workspace's quiet hours and frequency cap, for a journey without its own (none when absent). */
  defaults?: MessagingDefaults;
}

export type Effect = { type: 'set_attributes'; set: Record<string, unknown> };

export type NodeResult =
  /** Go on along `output`; `dueAt` (a delay) makes the next node wait until then. */
  | { kind: 'next'; output: string; outcome: string; detail?: JsonObject; dueAt?: number; effects?: Effect[] }
  /** Wait for an event (wait_for_event) until `timeoutAt`. */
  | { kind: 'wait'; event: string; where: PropertyFilter[] | null; timeoutAt: number }
  /** The run ends here. */
  | { kind: 'end'; status: 'completed' | 'exited' | 'errored'; reason: string; outcome: string; detail?: JsonObject }
  /** A message must be handed to a channel (outside any transaction; see ./deliveries.ts). */
  | { kind: 'send'; channel: string; config: JsonObject; messageKind: 'marketing' | 'transactional' }
  /** Not now (quiet hours, frequency cap): try the same step again at `until`. */
  | { kind: 'defer'; until: number; reason: string };

export type NodeExecutor<T extends JourneyNode = JourneyNode> = (node: T, ctx: StepContext) => Promise<NodeResult> | NodeResult;
