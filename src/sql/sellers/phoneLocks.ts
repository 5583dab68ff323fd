// Transaction-level advisory locks per phone number, in 64 stripes (a hash of the phone picks one):
// what makes "a message the matcher decides either sees the opt-out or is cancelled by it" hold.
//  - the opt-out takes its phone's stripe exclusively before it writes (src/sql/sellers/optOutPhone.ts);
//  - the matcher takes the stripes of its batch's phones shared before it reads the opt-outs, and keeps
//    them until it commits: an opt-out waits for the matcher transactions under way (never for a
//    provider: the sender takes no phone lock, and reads the opt-out just before each call instead,
//    src/consumers/sender/optOutGuard.ts), and the matchers after it see it.
// 64 stripes keep the lock table small; two phones in one stripe only make an opt-out wait a little longer.
import { createHash } from 'node:crypto';
import type { Trx } from '../../db/knex.js';

/** The advisory lock namespace (classid) 'HMPH'. */
const PHONE_NS = 0x484d5048;
const STRIPES = 64;

export const phoneStripe = (phone: string) => createHash('sha1').update(phone).digest().readUInt32BE(0) % STRIPES;

const stripesOf = (phones: Iterable<string>) => [...new Set([...phones].map(phoneStripe))].sort((a, b) => a - b);

/** Shared locks on the stripes of `phones`, in stripe order (no deadlock between lockers), until the transaction ends. */
export async function lockPhonesShared(trx: Trx, phones: Iterable<string>): Promise<void> {
  const stripes = stripesOf(phones);
  if (stripes.length === 0) return;
  await trx.raw('SELECT pg_advisory_xact_lock_shared(?, s) FROM unnest(?::int[]) AS s ORDER BY s', [PHONE_NS, stripes]);
}

/** The exclusive lock on the stripe of `phone`, until the transaction ends. */
export async function lockPhoneExclusive(trx: Trx, phone: string): Promise<void> {
  await trx.raw('SELECT pg_advisory_xact_lock(?, ?)', [PHONE_NS, phoneStripe(phone)]);
}
