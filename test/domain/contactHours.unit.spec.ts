import { describe, expect, it } from 'vitest';
import { contactHoursProblem, nextOpening, parseContactHours } from '../../src/domain/contactHours.js';

const PARIS = 'Europe/Paris';
const MON_SAT_8_20 = { days: [1, 2, 3, 4, 5, 6], from: '08:00', to: '20:00' };
const at = (iso: string) => new Date(iso);
const next = (iso: string, window: typeof MON_SAT_8_20 | null = MON_SAT_8_20) =>
  nextOpening(window, at(iso), PARIS).toISOString();

describe('the next opening of contact hours', () => {
  it('is now inside the window, and any time without one', () => {
    expect(next('2026-12-01T10:00:00Z')).toBe('2026-12-01T10:00:00.000Z');
    expect(next('2026-12-01T07:00:00Z')).toBe('2026-12-01T07:00:00.000Z'); // 08:00 Paris: open
    expect(next('2026-12-06T02:00:00Z', null)).toBe('2026-12-06T02:00:00.000Z');
  });

  it('is 08:00 the next day after 21:30 in Paris, the same day before 08:00, Monday after Saturday evening', () => {
    expect(next('2026-12-01T20:30:00Z')).toBe('2026-12-02T07:00:00.000Z'); // Tuesday 21:30 → Wednesday 08:00
    expect(next('2026-12-01T19:00:00Z')).toBe('2026-12-02T07:00:00.000Z'); // 20:00 is closed (to is exclusive)
    expect(next('2026-12-01T05:00:00Z')).toBe('2026-12-01T07:00:00.000Z'); // 06:00 → 08:00 the same day
    expect(next('2026-12-05T19:30:00Z')).toBe('2026-12-07T07:00:00.000Z'); // Saturday 20:30 → Monday
    expect(next('2026-12-06T10:00:00Z')).toBe('2026-12-07T07:00:00.000Z'); // Sunday → Monday
  });

  it('follows the clock changes: 08:00 in summer is 06:00 UTC', () => {
    expect(next('2026-03-28T20:00:00Z')).toBe('2026-03-30T06:00:00.000Z'); // the night of the change, then Sunday
    expect(next('2026-07-14T19:00:00Z')).toBe('2026-07-15T06:00:00.000Z');
  });

  it('opens a one-day window a week later when that day has passed', () => {
    expect(next('2026-12-01T12:00:00Z', { days: [1], from: '09:00', to: '10:00' })).toBe('2026-12-07T08:00:00.000Z');
  });
});

describe('contact hours as written', () => {
  it('reads CONTACT_HOURS_DEFAULT: "always", or weekdays as ranges and lists with a time range', () => {
    expect(parseContactHours('always')).toEqual({ ok: true, value: null });
    expect(parseContactHours('1-6 08:00-20:00')).toEqual({ ok: true, value: MON_SAT_8_20 });
    expect(parseContactHours('1-5,7 09:30-19:00')).toEqual({
      ok: true,
      value: { days: [1, 2, 3, 4, 5, 7], from: '09:30', to: '19:00' },
    });
    expect(parseContactHours('weekdays')).toMatchObject({ ok: false });
    expect(parseContactHours('6-1 08:00-20:00')).toMatchObject({
      ok: false,
      problem: expect.stringContaining('backwards') as unknown,
    });
    expect(parseContactHours('1-6 20:00-08:00')).toMatchObject({ ok: false, problem: 'to must be after from (20:00)' });
  });

  it('names what is wrong with a window', () => {
    expect(contactHoursProblem(MON_SAT_8_20)).toBeNull();
    expect(contactHoursProblem({ days: [], from: '08:00', to: '20:00' })?.[0]).toBe('days');
    expect(contactHoursProblem({ days: [1, 8], from: '08:00', to: '20:00' })?.[0]).toBe('days/1');
    expect(contactHoursProblem({ days: [1, 1], from: '08:00', to: '20:00' })?.[0]).toBe('days');
    expect(contactHoursProblem({ days: [1], from: '24:00', to: '20:00' })?.[0]).toBe('from');
    expect(contactHoursProblem({ days: [1], from: '08:00', to: '08:00' })?.[0]).toBe('to');
  });
});
