// The reconciliation of a squid (table lobstr_squids): one pass per period, by one importer. A pass is
// claimed when it is due and no other importer holds it (a lease, so that a pass whose importer died is
// taken over); times come from the importer's clock, so that tests can move it.
import type { Db } from '../../db/knex.js';

export async function claimLobstrSquid(db: Db, squid: string, claim: { now: Date; leaseMs: number }): Promise<boolean> {
  await db('lobstr_squids').insert({ squid, next_pass_at: claim.now }).onConflict('squid').ignore();
  const claimed = await db('lobstr_squids')
    .where({ squid })
    .where('next_pass_at', '<=', claim.now)
    .where((q) => q.whereNull('locked_until').orWhere('locked_until', '<=', claim.now))
    .update({ locked_until: new Date(claim.now.getTime() + claim.leaseMs), updated_at: db.fn.now() })
    .returning('squid');
  return claimed.length > 0;
}
