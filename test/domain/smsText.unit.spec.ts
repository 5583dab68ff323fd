import { describe, expect, it } from 'vitest';
import { nextOpening, parseContactHours } from '../../src/domain/contactHours.js';
import { isPublicHoliday } from '../../src/domain/holidays.js';
import { composeMessage, longestSegments, segmentsOf } from '../../src/domain/smsText.js';

const mention = 'Répondez STOP pour ne plus recevoir nos SMS';

describe('the SMS a seller receives', () => {
  it('starts with the sender’s identity and ends with the STOP mention', () => {
    expect(
      composeMessage('Bonjour Julie, votre 308 nous intéresse.', {
        channel: 'sms',
        senderName: 'Garage Dupont',
        optOutMention: mention,
      }),
    ).toBe(`Garage Dupont : Bonjour Julie, votre 308 nous intéresse.\n${mention}`);
  });

  it('adds neither when the template already names the sender or holds a STOP', () => {
    expect(
      composeMessage('Ici le garage dupont. Votre 308 ? STOP au 36123', {
        channel: 'sms',
        senderName: 'Garage Dupont',
        optOutMention: mention,
      }),
    ).toBe('Ici le garage dupont. Votre 308 ? STOP au 36123');
    // "STOPPER" is not a STOP mention.
    expect(composeMessage('Ne pas stopper', { channel: 'sms', senderName: null, optOutMention: mention })).toBe(
      `Ne pas stopper\n${mention}`,
    );
  });

  it('keeps an SMS in GSM-7: the price’s narrow no-break space and a curly apostrophe become plain ones', () => {
    const text = composeMessage('Votre annonce à 14\u202f500 € m’intéresse', {
      channel: 'sms',
      senderName: 'Garage',
      optOutMention: mention,
    });
    expect(text).toBe(`Garage : Votre annonce à 14 500 € m'intéresse\n${mention}`);
    expect(segmentsOf(text).encoding).toBe('GSM-7');
  });

  it('gives WhatsApp the identity but no STOP mention, and leaves LeBonCoin messages as written', () => {
    expect(composeMessage('Bonjour', { channel: 'whatsapp', senderName: 'Garage', optOutMention: mention })).toBe(
      'Garage : Bonjour',
    );
    expect(composeMessage('Bonjour', { channel: 'leboncoin', senderName: 'Garage', optOutMention: mention })).toBe(
      'Bonjour',
    );
  });

  it('counts a template at its longest: GSM-7 160/153 a segment, UCS-2 70/67 once one character needs it', () => {
    expect(longestSegments('Bonjour {{vendeur_nom}}', mention)).toMatchObject({ segments: 1, encoding: 'GSM-7' });
    expect(longestSegments('Bonjour {{vendeur_nom}}, votre annonce « {{titre_annonce}} »', mention)).toMatchObject({
      encoding: 'UCS-2',
      nonGsm: ['«', '»'],
    });
    expect(
      longestSegments('{{titre_annonce}} {{titre_annonce}} {{titre_annonce}} {{titre_annonce}}', mention).segments,
    ).toBe(4);
  });
});

describe('contact hours and public holidays', () => {
  const paris = 'Europe/Paris';
  const window = { days: [1, 2, 3, 4, 5, 6], from: '08:00', to: '20:00' };

  it('knows metropolitan France’s public holidays, Easter Monday included', () => {
    expect(
      ['2026-01-01', '2026-04-06', '2026-05-14', '2026-07-14', '2026-11-11', '2026-12-25'].every((d) =>
        isPublicHoliday(d),
      ),
    ).toBe(true);
    expect(isPublicHoliday('2026-12-24')).toBe(false);
  });

  it('closes a window on a holiday, and past a run of closed days', () => {
    // Friday 25 December 2026, 10:00 Paris -> Saturday 26, 08:00.
    expect(nextOpening(window, new Date('2026-12-25T09:00:00Z'), paris).toISOString()).toBe('2026-12-26T07:00:00.000Z');
    // Saturday 26 December 21:00 -> Sunday closed -> Monday 28, 08:00.
    expect(nextOpening(window, new Date('2026-12-26T20:00:00Z'), paris).toISOString()).toBe('2026-12-28T07:00:00.000Z');
    // A Friday-only window on Christmas Friday waits a week.
    expect(
      nextOpening({ days: [5], from: '08:00', to: '20:00' }, new Date('2026-12-25T09:00:00Z'), paris).toISOString(),
    ).toBe('2027-01-08T07:00:00.000Z');
    expect(nextOpening({ ...window, holidays: true }, new Date('2026-12-25T09:00:00Z'), paris).toISOString()).toBe(
      '2026-12-25T09:00:00.000Z',
    );
  });

  it('reads "holidays" at the end of CONTACT_HOURS_DEFAULT', () => {
    expect(parseContactHours('1-6 08:00-20:00 holidays')).toEqual({ ok: true, value: { ...window, holidays: true } });
    expect(parseContactHours('1-6 08:00-20:00')).toEqual({ ok: true, value: window });
  });
});
