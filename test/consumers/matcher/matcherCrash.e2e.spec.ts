import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { localTime } from '../../../src/domain/calendar.js';
import type { LeadCreated, SendMessage } from '../../../src/events/types.generated.js';
import { startChildService } from '../../../testkit/childService.js';
import { adInput, huntInput } from '../../../testkit/fixtures.js';
import { apiClient } from '../../../testkit/http.js';
import { useTestEnv } from '../../../testkit/testEnv.js';
import { waitFor } from '../../../testkit/waitFor.js';

const t = useTestEnv();

const count = async (table: string, where: Record<string, unknown> = {}) =>
  Number((await t.db(table).where(where).count<{ count: string }[]>('* as count'))[0]!.count);

describe('a matcher killed mid-batch', () => {
  it('leaves, after its restart, exactly one lead, contacted ad, message and SendMessage per (account, ad)', async () => {
    // The API and the relay live in this process; the matcher is a separate process that we kill.
    const api = await t.startService({ ROLES: 'api,relay' });
    const http = apiClient(api.url);
    const brand = `Crash-${randomUUID().slice(0, 8)}`;
    const paced = randomUUID();
    const unpaced = randomUUID();
    const pacedHunt = (
      await http.api.post<{ id: string }>(
        '/v1/hunts',
        huntInput({ accountId: paced, brands: [brand], dailyPacingLimit: 100 }),
      )
    ).body;
    await http.api.post('/v1/hunts', huntInput({ accountId: unpaced, brands: [brand], radiusKm: 200 }));
    const env = t.env({ ROLES: 'matcher', LOG_LEVEL: 'info' });
    const first = startChildService(env);
    await first.waitForLog('hunt-matcher started');

    // Hold the paced hunt's counter for today: the matcher's batch writes its leads, then waits on
    // this lock inside its transaction, which is where we kill it.
    const blocker = await t.db.transaction();
    const day = localTime(new Date(), t.config().tick.timeZone).day;
    await blocker('hunt_daily_contacts').insert({ hunt_id: pacedHunt.id, day, contacts: 0 });

    const ads = Array.from({ length: 40 }, () => adInput({ brand }));
    expect((await http.ingest.post('/v1/ads', { ads })).status).toBe(202);
    await t.waitForLockWait('the matcher waits on the pacing counter, mid-transaction', { blockedBy: blocker });
    expect(await first.kill('SIGKILL')).toBe(null);
    await blocker.commit();
    expect(await count('leads', { account_id: paced })).toBe(0);

    const second = startChildService(env);
    await waitFor(
      async () =>
        (await count('leads', { account_id: paced })) === 40 && (await count('leads', { account_id: unpaced })) === 40,
      {
        timeoutMs: 60_000,
        message: '40 leads for each account',
      },
    );
    await waitFor(async () => (await count('outbox')) === 0, { message: 'outbox drained' });
    await second.kill('SIGTERM');

    for (const account of [paced, unpaced]) {
      expect(await count('leads', { account_id: account })).toBe(40);
      expect(await count('leads', { account_id: account, stage: 'contacte' })).toBe(40);
      expect(await count('contacted_ads', { account_id: account })).toBe(40);
      expect(await count('messages', { account_id: account })).toBe(40);
    }
    expect(await t.db('hunt_daily_contacts').where({ hunt_id: pacedHunt.id }).first('contacts')).toEqual({
      contacts: 40,
    });
    // Everything is on the topics once: the killed transaction's events were never committed.
    const sends = await t.readTopic('messages.send', (e) => e.length >= 80);
    expect(new Set(sends.map((e) => e.event!.value as SendMessage).map((s) => `${s.accountId}/${s.adId}`)).size).toBe(
      80,
    );
    expect(await t.countMessages('messages.send')).toBe(80);
    const created = await t.readTopic('leads.created', (e) => e.length >= 80);
    expect(new Set(created.map((e) => (e.event!.value as LeadCreated).leadId)).size).toBe(80);
    expect(await t.countMessages('leads.created')).toBe(80);
  });
});
