// Whether a seller's message asks to stop, as sellers write it: one of the opt-out words as the
// message's first or last word ("Stop merci", "Merci, STOP", "ARRÊT"), compared case- and
// accent-insensitively, punctuation ignored ("Stop." and "STOP !" are STOP). A word inside a sentence
// ("je ne veux pas que ça s'arrête") is not one: a seller who writes at length is talking, not opting out.
import { normalizeText } from './normalize.js';

/**
 * The opt-out words: the French ones (ARRET, ARRÊT, DESABONNEMENT) and the keywords carriers and
 * Twilio's Advanced Opt-Out treat as STOP (STOP, STOPALL, UNSUBSCRIBE, CANCEL, END, QUIT).
 */
export const OPT_OUT_WORDS = [
  'STOP',
  'STOPALL',
  'ARRET',
  'ARRÊT',
  'DESABONNEMENT',
  'UNSUBSCRIBE',
  'CANCEL',
  'END',
  'QUIT',
] as const;

const optOutWords = new Set(OPT_OUT_WORDS.map(normalizeText));

export const isOptOutText = (text: string): boolean => {
  const words = normalizeText(text).split(' ');
  return optOutWords.has(words[0]!) || optOutWords.has(words[words.length - 1]!);
};

/** Words that lift an opt-out (Twilio's Advanced Opt-Out keywords: START, UNSTOP), the message alone. */
export const OPT_IN_WORDS = ['START', 'UNSTOP'] as const;

const optIn = new Set(OPT_IN_WORDS.map(normalizeText));

export const isOptInText = (text: string): boolean => optIn.has(normalizeText(text));
