import { describe, expect, it } from 'vitest';
import { dueTickDay, isCalendarDay, localTime } from '../../src/domain/calendar.js';

const at6 = { hour: 6, minute: 0 };

describe('calendar days in Europe/Paris', () => {
  it('counts the day in Paris, not in UTC', () => {
    // 23:30 UTC on 28 November is already 29 November in Paris (UTC+1).
    expect(localTime(new Date('2026-11-28T23:30:00Z'), 'Europe/Paris')).toEqual({
      day: '2026-11-29',
      hour: 0,
      minute: 30,
    });
  });

  it('makes the tick due at 06:00 local time, winter and summer', () => {
    expect(dueTickDay(new Date('2026-11-28T04:59:00Z'), at6, 'Europe/Paris')).toBeNull();
    expect(dueTickDay(new Date('2026-11-28T05:00:00Z'), at6, 'Europe/Paris')).toBe('2026-11-28');
    // Summer time (UTC+2): 06:00 in Paris is 04:00 UTC.
    expect(dueTickDay(new Date('2026-07-14T03:59:00Z'), at6, 'Europe/Paris')).toBeNull();
    expect(dueTickDay(new Date('2026-07-14T04:00:00Z'), at6, 'Europe/Paris')).toBe('2026-07-14');
  });

  it('handles the night the clocks change', () => {
    // 29 March 2026: 02:00 becomes 03:00; 06:00 local is 04:00 UTC.
    expect(dueTickDay(new Date('2026-03-29T03:59:00Z'), at6, 'Europe/Paris')).toBeNull();
    expect(dueTickDay(new Date('2026-03-29T04:00:00Z'), at6, 'Europe/Paris')).toBe('2026-03-29');
  });

  it('tells calendar days from strings that only look like them', () => {
    expect(isCalendarDay('2026-02-28')).toBe(true);
    expect(isCalendarDay('2028-02-29')).toBe(true);
    expect(isCalendarDay('2026-02-29')).toBe(false);
    expect(isCalendarDay('2026-13-01')).toBe(false);
    expect(isCalendarDay('28/11/2026')).toBe(false);
  });
});
