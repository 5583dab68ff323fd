import type { Trx } from '../../db/knex.js';
import type { HoldKey } from './holdSending.js';

/** The carrier-filtering hold whose probe is this message, if any: its delivery lifts the hold. */
export async function findCarrierFilteringProbe(trx: Trx, messageId: string): Promise<HoldKey | undefined> {
  return (await trx('sending_holds')
    .where({ probe_message_id: messageId, reason: 'carrier_filtering' })
    .whereNull('lifted_at')
    .first('scope', 'target')) as HoldKey | undefined;
}
