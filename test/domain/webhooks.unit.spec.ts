import { describe, expect, it } from 'vitest';
import { settleAttempt } from '../../src/domain/webhooks.js';

const SVIX = [5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000];
const FIVE_DAYS = 5 * 86_400_000;
const now = new Date('2026-12-08T10:00:00.000Z');
const base = { schedule: SVIX, now, disableAfterMs: FIVE_DAYS };

describe('an attempt settled', () => {
  it('delivers on success, and the endpoint is healthy again', () => {
    expect(settleAttempt({ ...base, succeeded: true, scheduleStep: 3, failingSince: new Date(0) })).toEqual({
      delivery: { status: 'delivered', nextAttemptAt: null, scheduleStep: 3 },
      endpoint: { failingSince: null, disable: null },
    });
  });

  it('schedules each retry after the next wait of the schedule, then fails the delivery', () => {
    let step = 0;
    const waits: number[] = [];
    for (;;) {
      const s = settleAttempt({ ...base, succeeded: false, scheduleStep: step, failingSince: now });
      if (s.delivery.status === 'failed') break;
      waits.push(s.delivery.nextAttemptAt!.getTime() - now.getTime());
      step = s.delivery.scheduleStep;
    }
    expect(waits).toEqual(SVIX);
    expect(step).toBe(7);
  });

  it('starts the failing window at the first failure, and disables the endpoint once it lasted five days', () => {
    expect(settleAttempt({ ...base, succeeded: false, scheduleStep: 0, failingSince: null }).endpoint).toEqual({
      failingSince: now,
      disable: null,
    });
    const almost = new Date(now.getTime() - FIVE_DAYS + 1000);
    expect(settleAttempt({ ...base, succeeded: false, scheduleStep: 0, failingSince: almost }).endpoint.disable).toBe(
      null,
    );
    const since = new Date(now.getTime() - FIVE_DAYS - 3_600_000);
    const disabled = settleAttempt({
      ...base,
      succeeded: false,
      scheduleStep: 0,
      failingSince: since,
      failure: 'HTTP 503',
    });
    expect(disabled.endpoint.disable?.reason).toBe(
      'every attempt failed since 2026-12-03T09:00:00.000Z (5 days 1 h); the last: HTTP 503',
    );
  });
});
