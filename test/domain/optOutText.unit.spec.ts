import { describe, expect, it } from 'vitest';
import { isOptInText, isOptOutText } from '../../src/domain/optOutText.js';

describe('a seller’s message that opts out', () => {
  it.each<[string, boolean, string[]]>([
    [
      'is one of the opt-out words alone, trimmed, in any case, with or without accents',
      true,
      [
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
      ],
    ],
    [
      'has one of the words as its first or last word, as sellers write it',
      true,
      ['Stop merci', 'STOP !!! merci de ne plus m’écrire', 'Merci, stop', 'Non merci. ARRÊT', 'ok quit'],
    ],
    [
      'is not a sentence that carries one of the words in its middle, nor a longer word',
      false,
      [
        '',
        'Je ne veux pas que ça stop maintenant, rappelez-moi',
        'arrêtez de m’écrire svp',
        'STOPPER',
        'non merci',
        'La voiture a un souci d’arrêt moteur, prix ferme',
      ],
    ],
  ])('%s', (_, optsOut, texts) => {
    for (const text of texts) expect(isOptOutText(text), text).toBe(optsOut);
  });

  it('is lifted by START or UNSTOP alone', () => {
    expect(isOptInText(' Start ')).toBe(true);
    expect(isOptInText('unstop')).toBe(true);
    expect(isOptInText('start the car?')).toBe(false);
  });
});
