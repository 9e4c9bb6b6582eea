/**
 * @module The shape of a series as sent (create and replace): name, zone, accounts, UTM parameters,
 * a recurrence or dated posts, and the posts. Refusals name the field (`posts.3.text`).
 */
import { z } from 'zod';
import { isValidTimeZone } from '../core/time-zone.js';
import { localDateTime, recurrenceSchema } from './schedule.js';

/** Longest Liquid source of one post. */
export const MAX_POST_SOURCE = 20_000;
export const MAX_POSTS = 1000;

const utmValue = z.string().trim().min(1).max(100);

export const postInput = z
  .object({
    text: z.string().max(MAX_POST_SOURCE).describe('Liquid: {{ workspace.name }}, {{ series.name }}, {{ post.number }}, {{ post.total }}, {{ post.date }}'),
    images: z
      .array(z.string().min(1).max(64))
      .max(10)
      .default([])
      .describe('ids from POST /api/post-images (each account takes its own number: Mastodon as its server says, Telegram 10, a webhook 4)'),
    at: localDateTime.optional().describe("local date and time in the series' zone; only without a recurrence"),
  })
  .strict();

export const seriesInput = z
  .object({
    name: z.string().trim().min(1).max(200),
    timezone: z.string().max(64).refine(isValidTimeZone, 'must be an IANA time zone such as Asia/Tehran'),
    accountIds: z.array(z.string().min(1).max(64)).min(1).max(20),
    utm: z.object({ source: utmValue.optional(), medium: utmValue.optional(), campaign: utmValue.optional() }).strict().default({}),
    recurrence: recurrenceSchema.optional(),
    posts: z.array(postInput).min(1).max(MAX_POSTS),
  })
  .strict();
export type SeriesInput = z.output<typeof seriesInput>;
