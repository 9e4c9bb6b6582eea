/**
 * @module The Broadcast: a one-off send of a template to a segment or a list, and its row mapping.
 *
 * States: draft → scheduled → sending → completed; scheduled or sending → paused → (back);
 * anything not yet completed → cancelled. Only a draft can be edited. A broadcast "starts" (its
 * audience is snapshotted) when it is scheduled and its sendAt has come.
 */
import type { Selectable } from 'kysely';
import { fromJson, type JsonObject } from '../core/json.js';
import type { BroadcastsTable, BroadcastStatus } from './tables.js';

export interface BroadcastProgress {
  total: number;
  sent: number;
  failed: number;
  skipped: number;
  remaining: number;
}

export interface Broadcast {
  id: string;
  name: string;
  channel: string;
  template: string | null;
  topic: string | null;
  config: JsonObject;
  kind: 'marketing' | 'transactional';
  audience: { type: 'segment' | 'list'; id: string };
  status: BroadcastStatus;
  sendAt: number | null;
  localTime: string | null;
  ratePerSecond: number | null;
  quietHours: unknown;
  frequencyCap: unknown;
  progress: BroadcastProgress;
  createdAt: number;
  updatedAt: number;
  scheduledAt: number | null;
  startedAt: number | null;
  completedAt: number | null;
  cancelledAt: number | null;
}

export type BroadcastRow = Selectable<BroadcastsTable>;

const num = (v: number | string | null): number | null => (v === null ? null : Number(v));

export function toBroadcast(r: BroadcastRow): Broadcast {
  const config = fromJson<JsonObject>(r.config) ?? {};
  const { topic, ...rest } = config;
  const total = Number(r.total);
  const sent = Number(r.sent);
  const failed = Number(r.failed);
  const skipped = Number(r.skipped);
  return {
    id: r.id,
    name: r.name,
    channel: r.channel,
    template: r.template,
    topic: typeof topic === 'string' ? topic : null,
    config: rest,
    kind: r.kind,
    audience: { type: r.audience_type, id: r.audience_id },
    status: r.status,
    sendAt: num(r.send_at),
    localTime: r.local_time,
    ratePerSecond: num(r.rate_per_s),
    quietHours: fromJson(r.quiet_hours) ?? null,
    frequencyCap: fromJson(r.frequency_cap) ?? null,
    progress: { total, sent, failed, skipped, remaining: Math.max(0, total - sent - failed - skipped) },
    createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at),
    scheduledAt: num(r.scheduled_at),
    startedAt: num(r.started_at),
    completedAt: num(r.completed_at),
    cancelledAt: num(r.cancelled_at),
  };
}

/** The channel settings a send carries: the stored config plus template and topic, as the message node does. */
export function sendConfig(r: BroadcastRow): JsonObject {
  const config: JsonObject = { ...(fromJson<JsonObject>(r.config) ?? {}) };
  if (r.template) config.template = r.template;
  return config;
}
