import { describe, expect, it } from 'vitest';
import { isOptInText, isOptOutText } from '../../src/domain/optOutText.js';

describe('a seller’s message that opts out', () => {
  it('is one of the opt-out words alone, trimmed, in any case, with or without accents', () => {
    for (const text of [
      'STOP',
      'stop',
      '  Stop  ',
      'STOP SMS',
      'stop  sms',
      'ARRET',
      'Arrêt',
      'arrêt',
      'DESABONNEMENT',
      'Désabonnement',
      'UNSUBSCRIBE',
      'Stop.',
      'STOPALL',
      'cancel',
      'End',
      'QUIT',
    ])
      expect(isOptOutText(text), text).toBe(true);
  });

  it('has one of the words as its first or last word, as sellers write it', () => {
    for (const text of [
      'Stop merci',
      'STOP !!! merci de ne plus m’écrire',
      'Merci, stop',
      'Non merci. ARRÊT',
      'ok quit',
    ])
      expect(isOptOutText(text), text).toBe(true);
  });

  it('is not a sentence that carries one of the words in its middle, nor a longer word', () => {
    for (const text of [
      '',
      'Je ne veux pas que ça stop maintenant, rappelez-moi',
      'arrêtez de m’écrire svp',
      'STOPPER',
      'non merci',
      'La voiture a un souci d’arrêt moteur, prix ferme',
    ])
      expect(isOptOutText(text), text).toBe(false);
  });

  it('is lifted by START or UNSTOP alone', () => {
    expect(isOptInText(' Start ')).toBe(true);
    expect(isOptInText('unstop')).toBe(true);
    expect(isOptInText('start the car?')).toBe(false);
  });
});
