// The sender's queue, for the operator's console: messages pending, due now, retrying (pending after a
// failed attempt), and failed in the last hour. The pending ones are found through messages_due_idx.
import type { Db } from '../../db/knex.js';

export interface SenderQueue {
  pending: number;
  dueNow: number;
  retrying: number;
  failedLastHour: number;
}

export async function senderQueue(db: Db, now: Date): Promise<SenderQueue> {
  const { rows } = await db.raw<{
    rows: Array<{ pending: number; due_now: number; retrying: number; failed_last_hour: number }>;
  }>(
    `SELECT
       (SELECT count(*)::int FROM messages WHERE status = 'pending') AS pending,
       (SELECT count(*)::int FROM messages WHERE status = 'pending' AND next_attempt_at <= :now) AS due_now,
       (SELECT count(*)::int FROM messages WHERE status = 'pending' AND attempts > 0) AS retrying,
       (SELECT count(*)::int FROM messages WHERE status = 'failed' AND failed_at > :now::timestamptz - interval '1 hour') AS failed_last_hour`,
    { now },
  );
  const r = rows[0]!;
  return { pending: r.pending, dueNow: r.due_now, retrying: r.retrying, failedLastHour: r.failed_last_hour };
}
