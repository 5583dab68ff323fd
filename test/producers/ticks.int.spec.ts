import { describe, expect, it } from 'vitest';
import { localTime } from '../../src/domain/calendar.js';
import type { DailyTick } from '../../src/events/types.generated.js';
import { apiClient } from '../../testkit/http.js';
import { useTestEnv } from '../../testkit/testEnv.js';
import { waitFor } from '../../testkit/waitFor.js';

const t = useTestEnv();

describe('the daily tick', () => {
  it('reaches the topic once a day, whatever the number of API calls and schedulers', async () => {
    const api = await t.startService({ ROLES: 'api,relay' });
    const http = apiClient(api.url);
    const today = localTime(new Date(), 'Europe/Paris').day;
    // Two concurrent calls and two schedulers whose tick time has passed (a tick "missed" at start).
    const [a, b] = await Promise.all([
      http.cron.post<{ tickId: string; duplicate: boolean }>('/v1/ticks'),
      http.cron.post<{ tickId: string; duplicate: boolean }>('/v1/ticks'),
    ]);
    await Promise.all([
      t.startService({ ROLES: 'scheduler', DAILY_TICK_AT: '00:00' }),
      t.startService({ ROLES: 'scheduler', DAILY_TICK_AT: '00:00' }),
    ]);
    expect([a.status, b.status]).toEqual([202, 202]);
    expect([a.body.duplicate, b.body.duplicate].sort()).toEqual([false, true]);
    expect(a.body.tickId).toBe(`daily:${today}`);
    const again = await http.cron.post<{ duplicate: boolean }>('/v1/ticks', { date: today });
    expect(again.body.duplicate).toBe(true);

    await waitFor(async () => Number((await t.db('outbox').count<{ count: string }[]>('* as count'))[0]!.count) === 0);
    const events = await t.readTopic('hunts.ticks', (e) => e.length >= 1);
    expect(await t.countMessages('hunts.ticks')).toBe(1);
    expect(events[0]!.key).toBe(`daily:${today}`);
    expect(events[0]!.event!.value as DailyTick).toMatchObject({
      tickId: `daily:${today}`,
      day: today,
      timeZone: 'Europe/Paris',
    });
  });

  it('records the tick of another day on demand and refuses a date that is not a day', async () => {
    const api = await t.startService({ ROLES: 'api' });
    const http = apiClient(api.url);
    expect((await http.cron.post('/v1/ticks', { date: '2026-02-30' })).body).toMatchObject({ field: 'body/date' });
    // A day long past, so never the day the first test's schedulers recorded.
    expect((await http.cron.post('/v1/ticks', { date: '2020-01-15' })).body).toEqual({
      tickId: 'daily:2020-01-15',
      duplicate: false,
    });
  });
});
