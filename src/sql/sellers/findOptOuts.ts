import type { Db, Trx } from '../../db/knex.js';

/** Of `phones` (E.164), those opted out. Take lockPhonesShared first when the answer must hold until commit. */
export async function findOptOuts(trx: Db | Trx, phones: Iterable<string>): Promise<Set<string>> {
  const list = [...new Set(phones)];
  if (list.length === 0) return new Set();
  return new Set((await trx('optouts').whereRaw('phone = ANY(?::text[])', [list]).pluck('phone')) as string[]);
}
