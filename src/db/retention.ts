// Bounded storage: the rows nothing will read again are deleted, a small batch per statement.
//
// Why: ads arrive by the tens of thousands a day and most never become a lead; without retention `ads`
// (and its indexes, which every backfill and preview walk) grows forever, as do the consumers' inbox and
// the pacing counters.
//
// What: every `everyMs`, one instance (a session-level advisory lock on a connection of its own, as
// src/db/tableUpkeep.ts) deletes
// - the ads last scraped longer ago than ADS_RETENTION_DAYS that no lead, contacted ad or message refers
//   to. ADS_RETENTION_DAYS is never shorter than a window that reads ads (src/domain/adWindows.ts, checked
//   at start by src/config.ts), and the cutoff is taken a further day back, so that a backfill or preview
//   that began before the pass and still pages through its window never loses an ad it has not read yet;
// - the inbox rows older than INBOX_RETENTION_DAYS, the pacing counters of past days.
// Each statement deletes at most `batchSize` rows found by index (src/sql/retention/), so a pass never
// scans a table nor holds locks for long, and it stops between two batches when the service stops.
import pg from 'pg';
import { longestAdWindow, type AdWindows } from '../domain/adWindows.js';
import type { Logger } from '../platform/logger.js';
import { advisoryUnlock, tryAdvisoryLock } from '../sql/ops/advisoryLocks.js';
import { deleteOldRows, type AgedTable } from '../sql/retention/deleteOldRows.js';
import { deleteUnreferencedAds, type AdsCursor } from '../sql/retention/deleteUnreferencedAds.js';
import { ownConnection } from './ownConnection.js';

/** The advisory lock namespace 'HMRT' (hunt-matcher retention), key 0. */
const RETENTION_NS = 0x484d5254;
const DAY_MS = 86_400_000;
/** How long a backfill or preview that began before a pass may still be reading its window. */
export const RUNNING_READ_GRACE_MS = DAY_MS;
/** Pacing counters are read for the current day only; a few days more cover any time zone. */
const PACING_KEPT_DAYS = 3;

export type RetainedTable = 'ads' | AgedTable;

export interface RetentionOptions {
  databaseUrl: string;
  log: Logger;
  now: () => Date;
  everyMs: number;
  batchSize: number;
  /** ADS_RETENTION_DAYS. */
  adsRetentionDays: number;
  /** The windows that read ads: the cutoff is never inside one of them, whatever adsRetentionDays says. */
  windows: AdWindows;
  inboxRetentionDays: number;
  /** Counts the rows deleted, by table. */
  onDeleted?: (table: RetainedTable, rows: number) => void;
}

export interface Retention {
  /** One pass now (tests, benchmarks); resolves to the rows deleted by table, or null when another instance holds the lock. */
  runOnce(): Promise<Record<RetainedTable, number> | null>;
  stop(): Promise<void>;
}

/** The scrape date before which an unreferenced ad is deleted. */
export function adsCutoff(now: Date, adsRetentionDays: number, windows: AdWindows): Date {
  const days = Math.max(adsRetentionDays, longestAdWindow(windows).days);
  return new Date(now.getTime() - days * DAY_MS - RUNNING_READ_GRACE_MS);
}

/** What a pass shares with the loop: whether the service stops, and where the last pass stopped in the old ads. */
interface PassState {
  stopping: boolean;
  // Where the last pass stopped in the old ads: the ones behind it are referenced (leads, contacted ads
  // and messages are never deleted) or gone, and the cutoff only moves forward, so each pass reads only
  // the ads that aged past the cutoff since. A restart reads them all once.
  adsCursor: AdsCursor | undefined;
}

async function deleteAds(c: pg.Client, o: RetentionOptions, state: PassState, before: Date): Promise<number> {
  let total = 0;
  while (!state.stopping) {
    const batch = await deleteUnreferencedAds(c, before, state.adsCursor, o.batchSize);
    total += batch.deleted;
    if (batch.deleted > 0) o.onDeleted?.('ads', batch.deleted);
    state.adsCursor = batch.next ?? state.adsCursor;
    if (batch.examined < o.batchSize) break;
  }
  return total;
}

async function deleteAged(
  c: pg.Client,
  o: RetentionOptions,
  state: PassState,
  table: AgedTable,
  before: Date,
): Promise<number> {
  let total = 0;
  while (!state.stopping) {
    const deleted = await deleteOldRows(c, table, before, o.batchSize);
    total += deleted;
    if (deleted > 0) o.onDeleted?.(table, deleted);
    if (deleted < o.batchSize) break;
  }
  return total;
}

/** One pass on `c`, or null when another instance holds the lock. */
async function retentionPass(
  c: pg.Client,
  o: RetentionOptions,
  state: PassState,
  log: Logger,
): Promise<Record<RetainedTable, number> | null> {
  if (!(await tryAdvisoryLock(c, RETENTION_NS, 0))) return null;
  try {
    const started = Date.now();
    const now = o.now();
    const adsBefore = adsCutoff(now, o.adsRetentionDays, o.windows);
    const deleted = {
      ads: await deleteAds(c, o, state, adsBefore),
      inbox: await deleteAged(c, o, state, 'inbox', new Date(now.getTime() - o.inboxRetentionDays * DAY_MS)),
      hunt_daily_contacts: await deleteAged(
        c,
        o,
        state,
        'hunt_daily_contacts',
        new Date(now.getTime() - PACING_KEPT_DAYS * DAY_MS),
      ),
    };
    log.info({ deleted, adsScrapedBefore: adsBefore.toISOString(), ms: Date.now() - started }, 'retention pass');
    return deleted;
  } finally {
    await advisoryUnlock(c, RETENTION_NS, 0);
  }
}

export function startRetention(o: RetentionOptions): Retention {
  const log = o.log.child({ component: 'retention' });
  const state: PassState = { stopping: false, adsCursor: undefined };
  let failing = false;
  let wake: (() => void) | undefined;

  const connection = ownConnection(o.databaseUrl, 'hunt-matcher-retention');

  const pass = async (): Promise<Record<RetainedTable, number> | null> =>
    retentionPass(await connection.get(), o, state, log);

  let running: Promise<unknown> = Promise.resolve();
  const serial = <T>(f: () => Promise<T>): Promise<T> => {
    const next = running.then(f, f);
    running = next.catch(() => undefined);
    return next;
  };

  const loop = (async () => {
    while (!state.stopping) {
      try {
        await serial(pass);
        failing = false;
      } catch (error) {
        // The database's own state is /readyz's to report; said once per outage.
        if (!failing) log.warn({ err: error }, 'retention pass failed; trying again at the next');
        failing = true;
        await connection.drop();
      }
      if (state.stopping) break;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, o.everyMs);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  })();

  return {
    runOnce: () => serial(pass),
    async stop() {
      state.stopping = true;
      wake?.();
      await loop;
      await running;
      await connection.drop();
    },
  };
}
