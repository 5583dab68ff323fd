import type { Trx } from '../../db/knex.js';
import type { ContactHours } from '../../domain/contactHours.js';

/** A hunt's contact hours (null: any time, or no such hunt). */
export async function findHuntContactHours(trx: Trx, huntId: string): Promise<ContactHours | null> {
  const row = (await trx('hunts').where({ id: huntId }).first('contact_hours')) as
    { contact_hours: ContactHours | null } | undefined;
  return row?.contact_hours ?? null;
}
