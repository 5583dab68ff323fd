// Transaction-level advisory locks per phone number, in 64 stripes (a hash of the phone picks one):
// what makes "a message already claimed by a sender is not sent after the opt-out committed" hold.
//  - the opt-out takes its phone's stripe exclusively before it writes (recordOptOut), so it waits for
//    the senders that are calling the gateway for that stripe, and commits only once they are done;
//  - a sender takes the stripes of its batch's recipients shared, then reads the opt-outs, and keeps
//    the locks until its gateway calls are done: an opt-out committed before that read is seen, and
//    none can commit between the read and the calls.
// The matcher takes them shared too before it reads the opt-outs, so that its new messages either
// see an opt-out or are cancelled by it. 64 stripes keep the lock table small; two phones in one stripe
// only make an opt-out wait a little longer.
import { createHash } from 'node:crypto';
import type { Trx } from '../db/knex.js';

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
