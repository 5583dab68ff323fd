// The outreach migrations on a database that has data: sellers messaged before them count for the
// cooldown, and hunts that existed keep sending at any time.
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { migrationSource } from '../../migrations/index.js';
import { migrateLatest } from '../../src/db/migrate.js';
import { rowFromHunt } from '../../src/sql/hunts/huntRow.js';
import { hunt as huntFixture } from '../../testkit/domainFixtures.js';
import { adInput, ingestSilently } from '../../testkit/fixtures.js';
import { useBareDatabase } from '../../testkit/testEnv.js';

const withDb = useBareDatabase('outreach_migration');

describe('the outreach migrations', () => {
  it('record the sellers already messaged (not by a failed message) and leave existing hunts without contact hours', async () => {
    await withDb(async (db) => {
      await migrateLatest(db);
      // Ads as the service writes them (their table is older than the outreach migrations, and keeps
      // its rows when later migrations go down).
      const ads = [adInput({ phone: '+33614000001' }), adInput({ phone: '+33614000002' })];
      await ingestSilently(db, ads);
      // Back to before them, and whatever came after them (their down() works), then data as the
      // service wrote it then.
      const options = { migrationSource, tableName: 'knex_migrations' };
      while (await db('knex_migrations').where({ name: '20261201_009_sellers_optouts' }).first())
        await db.migrate.down(options);
      expect(await db.schema.hasTable('seller_contacts')).toBe(false);
      expect(await db.schema.hasColumn('hunts', 'contact_hours')).toBe(false);

      const accountId = randomUUID();
      await db('accounts').insert({ id: accountId });
      const hunt = huntFixture({ id: randomUUID(), accountId });
      // The row as it was then: the columns of later migrations left out.
      const {
        contact_hours: _none,
        outreach_content_sid: _sid,
        outreach_content_variables: _variables,
        outreach_fallback: _fallback,
        ...huntRow
      } = rowFromHunt(hunt);
      await db('hunts').insert(huntRow);
      const idOf = async (externalId: string) =>
        ((await db('ads').where({ external_id: externalId }).first('id')) as { id: string }).id;
      const adIds = [await idOf(ads[0]!.externalId), await idOf(ads[1]!.externalId)];
      const messages = adIds.map((adId, i) => ({
        id: randomUUID(),
        accountId,
        leadId: randomUUID(),
        huntId: hunt.id,
        adId,
        channel: 'sms',
        recipient: ads[i]!.phone!,
        content: 'Bonjour',
        commandEventId: randomUUID(),
        correlationId: randomUUID(),
        nextAttemptAt: new Date(),
      }));
      await db('leads').insert(
        messages.map((m) => ({
          id: m.leadId,
          account_id: accountId,
          ad_id: m.adId,
          hunt_id: hunt.id,
          stage: 'contacte',
        })),
      );
      await db('messages').insert(
        messages.map((m) => ({
          id: m.id,
          account_id: m.accountId,
          lead_id: m.leadId,
          hunt_id: m.huntId,
          ad_id: m.adId,
          channel: m.channel,
          recipient: m.recipient,
          content: m.content,
          status: 'pending',
          command_event_id: m.commandEventId,
          correlation_id: m.correlationId,
          next_attempt_at: m.nextAttemptAt,
        })),
      );
      await db('messages').where({ id: messages[1]!.id }).update({ status: 'failed' });

      await migrateLatest(db);
      const sellers = await db('seller_contacts').select('account_id', 'phone', 'message_id');
      expect(sellers).toEqual([{ account_id: accountId, phone: '+33614000001', message_id: messages[0]!.id }]);
      expect(await db('hunts').where({ id: hunt.id }).first('contact_hours')).toEqual({ contact_hours: null });
      expect(await db('messages').whereNotNull('delivery_status')).toHaveLength(0);
    });
  });
});
