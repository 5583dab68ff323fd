// The service's database sessions seen from PostgreSQL (pg_stat_activity), sampled while a fault
// lasts: how many of its pool's connections are busy (running a statement, or inside a transaction),
// how many wait on a lock, and the age of its oldest open transaction. A sender that held a
// transaction or a pooled connection across a provider's 30 s would show here as a transaction 30 s
// old and connections taken; a pool exhausted, as every connection busy while requests wait.
import type { ChaosEnv } from './chaosEnv.js';

export interface SessionSample {
  at: number;
  sessions: number;
  busy: number;
  waitingOnLock: number;
  oldestTransactionMs: number;
}

export function watchSessions(env: ChaosEnv, applicationName: string, everyMs = 200) {
  const samples: SessionSample[] = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      const { rows } = await env.db.raw<{
        rows: Array<{ sessions: string; busy: string; waiting: string; oldest: string | null }>;
      }>(
        `SELECT count(*) AS sessions,
                count(*) FILTER (WHERE state <> 'idle') AS busy,
                count(*) FILTER (WHERE wait_event_type = 'Lock') AS waiting,
                max(extract(epoch FROM clock_timestamp() - xact_start)) * 1000 AS oldest
           FROM pg_stat_activity WHERE datname = current_database() AND application_name = ?`,
        [applicationName],
      );
      const r = rows[0]!;
      samples.push({
        at: Date.now(),
        sessions: Number(r.sessions),
        busy: Number(r.busy),
        waitingOnLock: Number(r.waiting),
        oldestTransactionMs: Math.round(Number(r.oldest ?? 0)),
      });
      await new Promise((resolve) => setTimeout(resolve, everyMs));
    }
  })();
  return {
    /** Stops sampling; the peaks of the samples taken within [from, to). */
    async stop() {
      running = false;
      await loop;
    },
    peaks(from: number, to: number) {
      const within = samples.filter((s) => s.at >= from && s.at < to);
      const max = (k: keyof Omit<SessionSample, 'at'>) => within.reduce((m, s) => Math.max(m, s[k]), 0);
      return {
        samples: within.length,
        sessions: max('sessions'),
        busy: max('busy'),
        waitingOnLock: max('waitingOnLock'),
        oldestTransactionMs: max('oldestTransactionMs'),
      };
    },
  };
}
