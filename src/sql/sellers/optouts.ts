// The optouts table: one row per phone (E.164) that no account may message.
import type { Db, Trx } from '../../db/knex.js';

export type OptOutSource = 'inbound' | 'api' | 'provider';

export interface OptOut {
  phone: string;
  source: OptOutSource;
  reason: string | null;
  createdAt: Date;
}

interface OptOutRow {
  phone: string;
  source: OptOutSource;
  reason: string | null;
  created_at: Date;
}

const fromRow = (r: OptOutRow): OptOut => ({
  phone: r.phone,
  source: r.source,
  reason: r.reason,
  createdAt: r.created_at,
});

/** Records the opt-out unless the phone has one already; returns the opt-out in force and whether it is new. */
export async function insertOptOut(
  trx: Trx,
  optOut: Omit<OptOut, 'createdAt'>,
  now: Date,
): Promise<{ optOut: OptOut; created: boolean }> {
  const [inserted] = (await trx('optouts')
    .insert({ phone: optOut.phone, source: optOut.source, reason: optOut.reason, created_at: now })
    .onConflict('phone')
    .ignore()
    .returning('*')) as OptOutRow[];
  if (inserted) return { optOut: fromRow(inserted), created: true };
  return { optOut: (await loadOptOut(trx, optOut.phone))!, created: false };
}

export async function loadOptOut(db: Db | Trx, phone: string): Promise<OptOut | undefined> {
  const row = (await db('optouts').where({ phone }).first()) as OptOutRow | undefined;
  return row ? fromRow(row) : undefined;
}

/** Lifts the opt-out; false when there was none. */
export async function deleteOptOut(db: Db | Trx, phone: string): Promise<boolean> {
  return (await db('optouts').where({ phone }).delete()) > 0;
}
