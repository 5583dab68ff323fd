// The last look before a call: is the phone opted out? The sender holds no transaction, connection or
// lock across its calls to a provider; instead each call starts only after a read, made just before
// it, of the opt-outs of its phone. An opt-out that committed before that read is seen, and its
// message is given up ('opted_out') without a call; the matcher and the opt-out route never wait for a
// provider. What remains possible: an opt-out committing in the instant between that read and the
// request leaving this process, which no lock could prevent without holding it across the call.
// Calls that start together share one query (the reads are gathered until the event loop turns).
import type { Db } from '../../db/knex.js';
import { findOptOuts } from '../../sql/sellers/findOptOuts.js';

export interface OptOutGuard {
  /** Whether `phone` (E.164) is opted out now. */
  isOptedOut(phone: string): Promise<boolean>;
}

export function createOptOutGuard(db: Db): OptOutGuard {
  let waiting: Array<{ phone: string; resolve(v: boolean): void; reject(e: unknown): void }> = [];
  const flush = async () => {
    const batch = waiting;
    waiting = [];
    try {
      const opted = await findOptOuts(
        db,
        batch.map((w) => w.phone),
      );
      for (const w of batch) w.resolve(opted.has(w.phone));
    } catch (error) {
      for (const w of batch) w.reject(error);
    }
  };
  return {
    isOptedOut: (phone) =>
      new Promise<boolean>((resolve, reject) => {
        if (waiting.length === 0) setImmediate(() => void flush());
        waiting.push({ phone, resolve, reject });
      }),
  };
}
