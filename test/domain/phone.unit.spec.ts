import { describe, expect, it } from 'vitest';
import { canReceiveSms, toE164 } from '../../src/domain/phone.js';

describe('phone numbers (libphonenumber-js)', () => {
  it('write one French number one way, however it was typed', () => {
    for (const written of [
      '06 12 34 56 78',
      '06.12.34.56.78',
      '0612345678',
      '+33 6 12 34 56 78',
      '+33 (0)6 12 34 56 78',
      '0033 6 12 34 56 78',
      '33612345678',
    ]) {
      expect(toE164(written), written).toBe('+33612345678');
    }
  });

  it('give the overseas departments their own country codes', () => {
    expect(toE164('0692 12 34 56')).toBe('+262692123456'); // La Réunion, mobile
    expect(toE164('0262 21 00 00')).toBe('+262262210000'); // La Réunion, landline
    expect(toE164('0269 61 00 00')).toBe('+262269610000'); // Mayotte
    expect(toE164('0690 12 34 56')).toBe('+590690123456'); // Guadeloupe
    expect(toE164('0694 12 34 56')).toBe('+594694123456'); // Guyane
    expect(toE164('0696 12 34 56')).toBe('+596696123456'); // Martinique
  });

  it('keep foreign numbers in international form, and refuse what is not a valid number', () => {
    expect(toE164('+32 470 12 34 56')).toBe('+32470123456');
    for (const junk of ['', '06 12', '06 XX XX XX XX', 'appelez-moi', '+33 7 00 00 00 00', '0612345678901234'])
      expect(toE164(junk), junk).toBeNull();
  });

  it('tell a mobile from a landline: SMS reaches mobiles only', () => {
    expect(canReceiveSms('+33612345678')).toBe(true);
    expect(canReceiveSms('+33781223344')).toBe(true);
    expect(canReceiveSms('+262692123456')).toBe(true);
    expect(canReceiveSms('+33142685300')).toBe(false); // Paris landline
    expect(canReceiveSms('+33951234567')).toBe(false); // VoIP (09)
    expect(canReceiveSms('+33800123456')).toBe(false); // toll-free
    // Where the numbering plan cannot tell (the United States), the number may be a mobile.
    expect(canReceiveSms('+12015550123')).toBe(true);
  });
});
