import { describe, expect, it } from 'vitest';
import {
  contactHoursProblem,
  nextOpening,
  openingOnLaterDay,
  parseContactHours,
  windowCloses,
} from '../../src/domain/contactHours.js';
import { isPublicHoliday } from '../../src/domain/holidays.js';
import { sellerZoneOf } from '../../src/domain/sellerZone.js';

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

describe('contact hours where the seller lives', () => {
  it('takes the time zone and the holidays of the number’s French region, and TICK_TIME_ZONE for any other number', () => {
    expect(sellerZoneOf('+33612345678', PARIS)).toEqual({ timeZone: 'Europe/Paris', region: 'FR' });
    expect(sellerZoneOf('+590690123456', PARIS)).toEqual({ timeZone: 'America/Guadeloupe', region: 'GP' });
    expect(sellerZoneOf('+596696123456', PARIS)).toEqual({ timeZone: 'America/Martinique', region: 'MQ' });
    expect(sellerZoneOf('+594694123456', PARIS)).toEqual({ timeZone: 'America/Cayenne', region: 'GF' });
    expect(sellerZoneOf('+262692123456', PARIS)).toEqual({ timeZone: 'Indian/Reunion', region: 'RE' });
    expect(sellerZoneOf('+262639012345', PARIS)).toEqual({ timeZone: 'Indian/Mayotte', region: 'YT' });
    expect(sellerZoneOf('+687751234', PARIS)).toEqual({ timeZone: 'Pacific/Noumea', region: 'NC' });
    expect(sellerZoneOf('+68987123456', PARIS)).toEqual({ timeZone: 'Pacific/Tahiti', region: 'PF' });
    expect(sellerZoneOf('+4915112345678', PARIS)).toEqual({ timeZone: PARIS, region: 'FR' });
    expect(sellerZoneOf('2741234567', 'Europe/Brussels')).toEqual({ timeZone: 'Europe/Brussels', region: 'FR' });
  });

  it('opens at 08:00 in Guadeloupe, which is 13:00 in Paris, and closes on its own holidays', () => {
    const gp = sellerZoneOf('+590690123456', PARIS);
    // Tuesday 1 December 2026, 09:00 in Paris: 04:00 in Guadeloupe, closed until 08:00 there (12:00 UTC).
    expect(nextOpening(MON_SAT_8_20, at('2026-12-01T08:00:00Z'), gp.timeZone, gp.region).toISOString()).toBe(
      '2026-12-01T12:00:00.000Z',
    );
    // 27 May 2026 (a Wednesday) is the abolition of slavery in Guadeloupe, an ordinary day in Paris.
    expect(isPublicHoliday('2026-05-27', 'GP')).toBe(true);
    expect(isPublicHoliday('2026-05-27')).toBe(false);
    expect(nextOpening(MON_SAT_8_20, at('2026-05-27T15:00:00Z'), gp.timeZone, gp.region).toISOString()).toBe(
      '2026-05-28T12:00:00.000Z',
    );
    expect(nextOpening(MON_SAT_8_20, at('2026-05-27T15:00:00Z'), PARIS).toISOString()).toBe('2026-05-27T15:00:00.000Z');
  });

  it('closes an open window at its local end, and tries a later day’s window after a phone that was off', () => {
    expect(windowCloses(MON_SAT_8_20, at('2026-12-01T18:59:00Z'), PARIS)!.toISOString()).toBe(
      '2026-12-01T19:00:00.000Z',
    );
    expect(windowCloses(null, at('2026-12-01T18:59:00Z'), PARIS)).toBeNull();
    // Tuesday 10:00 in Paris → Wednesday 08:00; Saturday evening → Monday 08:00; no window: a day later.
    expect(openingOnLaterDay(MON_SAT_8_20, at('2026-12-01T09:00:00Z'), PARIS).toISOString()).toBe(
      '2026-12-02T07:00:00.000Z',
    );
    expect(openingOnLaterDay(MON_SAT_8_20, at('2026-12-05T17:00:00Z'), PARIS).toISOString()).toBe(
      '2026-12-07T07:00:00.000Z',
    );
    expect(openingOnLaterDay(null, at('2026-12-05T17:00:00Z'), PARIS).toISOString()).toBe('2026-12-06T17:00:00.000Z');
  });
});
