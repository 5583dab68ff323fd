import { describe, expect, it } from 'vitest';
import { optOutMentionProblem, parseSmsSender, repliesPossible } from '../../src/domain/smsSender.js';

describe('an SMS sender', () => {
  it('is an E.164 number, a short code, an alphanumeric sender ID or a Messaging Service', () => {
    expect(parseSmsSender('+33757000001')).toEqual({ kind: 'number', value: '+33757000001' });
    expect(parseSmsSender('36123')).toEqual({ kind: 'shortCode', value: '36123' });
    expect(parseSmsSender('GarageDupon')).toEqual({ kind: 'alphanumeric', value: 'GarageDupon' });
    expect(parseSmsSender('Garage 69')).toEqual({ kind: 'alphanumeric', value: 'Garage 69' });
    expect(parseSmsSender(`MG${'a'.repeat(32)}`)).toMatchObject({ kind: 'messagingService' });
    expect(parseSmsSender('33757000001')).toEqual({ kind: 'number', value: '+33757000001' });
    // Too long, no letter, too short, a character operators drop.
    for (const bad of ['GarageDupontLyon', '12', 'AB', 'Garage-Lyon', '+3375', ''])
      expect(parseSmsSender(bad), bad).toBeNull();
  });

  it('lets sellers answer unless it is an alphanumeric sender ID', () => {
    expect(repliesPossible(parseSmsSender('GarageDupon'))).toBe(false);
    expect(repliesPossible(parseSmsSender('36123'))).toBe(true);
    expect(repliesPossible(parseSmsSender('+33757000001'))).toBe(true);
    expect(repliesPossible(null)).toBe(true);
  });
});

describe('the STOP mention of an SMS', () => {
  const alpha = parseSmsSender('GarageDupon');
  const number = parseSmsSender('+33757000001');

  it('may ask for a reply from a number or a short code', () => {
    expect(optOutMentionProblem('Répondez STOP pour ne plus recevoir nos SMS', number, 'twilio')).toBeNull();
    expect(optOutMentionProblem('Répondez STOP', parseSmsSender('36123'), 'twilio')).toBeNull();
    expect(optOutMentionProblem('Répondez STOP', null, 'http')).toBeNull();
  });

  it('must name where to send STOP from an alphanumeric sender, which nobody can answer', () => {
    expect(optOutMentionProblem('Répondez STOP pour ne plus recevoir nos SMS', alpha, 'twilio')).toMatch(
      /cannot work from the alphanumeric sender "GarageDupon"/,
    );
    expect(optOutMentionProblem('STOP au 36123', alpha, 'twilio')).toBeNull();
    expect(optOutMentionProblem('STOP par SMS au 07 57 00 00 01', alpha, 'twilio')).toBeNull();
    expect(optOutMentionProblem('STOP au [STOP_CODE]', alpha, 'brevo')).toBeNull();
  });

  it('uses [STOP_CODE] only with Brevo, spelt as Brevo’s reference spells it, and always holds STOP', () => {
    expect(optOutMentionProblem('STOP au [STOP_CODE]', alpha, 'twilio')).toMatch(/only Brevo replaces/);
    expect(optOutMentionProblem('STOP au [STOP CODE]', alpha, 'brevo')).toMatch(/\[STOP_CODE\] \(with an underscore\)/);
    expect(optOutMentionProblem('Désinscription : répondez NON', number, 'twilio')).toMatch(/must hold the word STOP/);
  });
});
