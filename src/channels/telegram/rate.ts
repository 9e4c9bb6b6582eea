/**
 * @module Telegram's two limits, honoured through the shared rate limiter (../rate-limit.ts) so
 * that every worker of every process shares them (docs/telegram.md):
 *
 *  - overall, per bot: `messagesPerSecond` (30). One database round trip takes a tenth of a
 *    second's budget and hands it out locally (as the SMS channel's taker does: one upsert per
 *    message would cap SQLite near 140 messages/s); tokens left when the second ends are dropped.
 *  - per chat: `perChatPerSecond` (1). Sends arriving together (the pipeline delivers a batch at
 *    once) are coalesced into ONE multi-row upsert (`takeEach`), not one per message.
 *
 * A send's token is taken in the second it is sent, but the request reaches Telegram a little
 * later: a burst right before the second ends could be counted by Telegram in the next one. The
 * overall budget is therefore 90 % of the limit (HEADROOM), and paced (`takeRate`'s `paced`: at
 * most a tenth of it is handed out in the second's last tenth), so that spill never pushes a second
 * over, however many sends are in flight; a 429 is still handled (retryable after `retry_after`).
 */
import type { Clock } from '../../core/clock.js';
import type { Db } from '../../store/store.js';
import { takeEach, takeRate } from '../rate-limit.js';

export const HEADROOM = 0.9;

/** The overall budget actually used for a limit of `perSecond` (the bench's raw side paces to the same). */
export const budgetOf = (perSecond: number): number => Math.max(1, Math.floor(perSecond * HEADROOM));

export interface TelegramRate {
  /** Waits until both the bot's and the chat's budget have a token, up to `maxWaitMs`; else how long to wait. */
  take(bot: { id: string; perSecond: number; perChatPerSecond: number }, chatId: string, maxWaitMs: number): Promise<{ ok: true } | { ok: false; retryAfterMs: number }>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function telegramRate(db: Db, clock: Clock): TelegramRate {
  // Tokens taken and not used yet: good for the part of the second they were taken in (its first
  // nine tenths, or its last: ../rate-limit.ts `paced`).
  const held = new Map<string, { part: number; left: number }>();
  const partOf = (now: number) => Math.floor(now / 1000) * 2 + (now % 1000 >= 900 ? 1 : 0);
  const inflight = new Map<string, Promise<void>>();

  /** One overall token of `key`, from the locally held tenth or a new take. */
  async function overall(key: string, perSecond: number): Promise<{ granted: boolean; retryAfterMs: number }> {
    for (;;) {
      const now = clock.now();
      const part = partOf(now);
      const h = held.get(key);
      if (h && h.part === part && h.left > 0) {
        h.left--;
        return { granted: true, retryAfterMs: 0 };
      }
      // One take at a time per key: concurrent sends wait for it rather than each taking a tenth.
      const pending = inflight.get(key);
      if (pending) {
        await pending;
        continue;
      }
      let grant = { granted: 0, retryAfterMs: 0 };
      const taking = takeRate(db, { key, perSecond, wanted: Math.max(1, Math.ceil(perSecond / 10)), now, paced: true }).then((g) => {
        grant = g;
        held.set(key, { part, left: g.granted });
      });
      inflight.set(key, taking);
      try {
        await taking;
      } finally {
        inflight.delete(key);
      }
      if (grant.granted === 0) return { granted: false, retryAfterMs: grant.retryAfterMs };
    }
  }

  // Per-chat asks collected in this turn of the event loop, taken in one statement.
  let queue: { key: string; perSecond: number; resolve: (ok: boolean) => void; reject: (e: unknown) => void }[] = [];
  function flush(): void {
    const asks = queue;
    queue = [];
    for (const perSecond of new Set(asks.map((a) => a.perSecond))) {
      const group = asks.filter((a) => a.perSecond === perSecond);
      takeEach(db, { keys: group.map((a) => a.key), perSecond, now: clock.now() }).then(
        (granted) => {
          // A key asked twice in one statement is granted once: the first asker gets it.
          const given = new Set<string>();
          for (const a of group) {
            const ok = granted.has(a.key) && !given.has(a.key);
            if (ok) given.add(a.key);
            a.resolve(ok);
          }
        },
        (err: unknown) => group.forEach((a) => a.reject(err)),
      );
    }
  }
  const perChat = (key: string, perSecond: number) =>
    new Promise<boolean>((resolve, reject) => {
      if (queue.length === 0) setImmediate(flush);
      queue.push({ key, perSecond, resolve, reject });
    });

  return {
    async take(bot, chatId, maxWaitMs) {
      // The wait is real time (it sleeps), whatever the clock the seconds are counted on.
      const until = Date.now() + maxWaitMs;
      // The bot's budget first (where sends queue), then the chat's (rarely contended).
      for (;;) {
        const g = await overall(`telegram:${bot.id}`, budgetOf(bot.perSecond));
        if (!g.granted) {
          if (Date.now() + g.retryAfterMs > until) return { ok: false, retryAfterMs: g.retryAfterMs };
          await sleep(Math.max(1, g.retryAfterMs));
          continue;
        }
        if (await perChat(`telegram:${bot.id}:chat:${chatId}`, bot.perChatPerSecond)) return { ok: true };
        // The chat had its messages this second: wait for the next (this overall token is spent).
        const next = 1000 - (clock.now() % 1000);
        if (Date.now() + next > until) return { ok: false, retryAfterMs: next };
        await sleep(next);
      }
    },
  };
}
