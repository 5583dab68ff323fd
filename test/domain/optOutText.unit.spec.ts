import { describe, expect, it } from 'vitest';
import { isOptOutText } from '../../src/domain/optOutText.js';

describe('a seller’s reply that opts out', () => {
  it('is STOP, STOP SMS, ARRET, ARRÊT, DESABONNEMENT or UNSUBSCRIBE, trimmed, in any case, with or without accents', () => {
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
    ])
      expect(isOptOutText(text), text).toBe(true);
  });

  it('is not a sentence that happens to contain one of the words', () => {
    for (const text of ['', 'Stop, je vends à 12 000 €', 'arrêtez de m’écrire svp', 'STOPPER', 'non merci'])
      expect(isOptOutText(text), text).toBe(false);
  });
});
