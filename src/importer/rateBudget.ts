// One request budget per Lobstr API key, shared by every importer process (PostgreSQL, table
// lobstr_rate_budgets): Lobstr counts requests per key, so N importers each keeping to the limit would
// together make N times too many. Every request reserves a slot (src/sql/lobstr/reserveLobstrSlot.ts) spaced
// 25% wider than LOBSTR_REQUESTS_PER_SECOND allows: requests leave on time but arrive with jitter (the
// network, a busy event loop on either side), and three arriving within a second would be a 429; at 2
// a second, a request may arrive up to 250 ms late without crowding the next two. A back-off Lobstr asks for (a 429's
// Retry-After, X-RateLimit-Remaining at 0) holds every process's next slot (src/sql/lobstr/holdLobstrBudget.ts).
// The key is never stored: the row is keyed by its SHA-256.
import { createHash } from 'node:crypto';
import type { Db } from '../db/knex.js';
import { waitWhile } from '../platform/retry.js';
import { holdLobstrBudget } from '../sql/lobstr/holdLobstrBudget.js';
import { reserveLobstrSlot } from '../sql/lobstr/reserveLobstrSlot.js';

/** A slot missed by more than this (the event loop busy elsewhere) is given up for a new one: sent late, it would crowd the next. */
const LATE_MS = 100;

export type TakeOutcome = { ok: true } | { ok: false; stopping: true } | { ok: false; stopping: false; waitMs: number };

export interface LobstrBudget {
  /** Milliseconds between two requests of the key. */
  readonly spacingMs: number;
  /**
   * Waits for this request's slot (heartbeating meanwhile); not ok when the process stops while it
   * waits, or when the slot is further than `maxWaitMs` away (nothing is waited then).
   */
  take(hc: { isRunning: () => boolean; heartbeat: () => Promise<void> }, maxWaitMs: number): Promise<TakeOutcome>;
  /** No request of the key, from any process, before `ms` from now. */
  hold(ms: number): Promise<void>;
}

export const lobstrKeyHash = (apiKey: string) => createHash('sha256').update(apiKey).digest('hex');

/** Milliseconds between two requests of a key: 25% wider than `requestsPerSecond` allows (above). */
export const lobstrSpacingMs = (requestsPerSecond: number) => Math.ceil(1250 / requestsPerSecond);

export function createLobstrBudget(deps: { db: Db; apiKey: string; requestsPerSecond: number }): LobstrBudget {
  const keyHash = lobstrKeyHash(deps.apiKey);
  const spacingMs = lobstrSpacingMs(deps.requestsPerSecond);
  return {
    spacingMs,
    async take(hc, maxWaitMs) {
      for (let attempt = 1; ; attempt++) {
        // The slot began somewhere between the question and the answer: the request never leaves before
        // the answer plus the wait (never early), and counts as late from the question plus the wait, so
        // that an answer that came back late (a busy pool or event loop) is not a late request unnoticed.
        const askedAt = Date.now();
        const waitMs = await reserveLobstrSlot(deps.db, keyHash, spacingMs);
        if (waitMs > maxWaitMs) return { ok: false, stopping: false, waitMs };
        if (waitMs > 0) await waitWhile(waitMs, { keepWaiting: hc.isRunning, everyMs: 1000, tick: hc.heartbeat });
        if (!hc.isRunning()) return { ok: false, stopping: true };
        if (Date.now() - (askedAt + waitMs) <= LATE_MS || attempt >= 3) return { ok: true };
      }
    },
    hold: (ms) => holdLobstrBudget(deps.db, keyHash, ms),
  };
}
