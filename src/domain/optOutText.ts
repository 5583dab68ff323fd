// Whether a seller's reply asks to stop: the text alone, trimmed, compared case- and
// accent-insensitively (punctuation ignored too: "Stop." and "STOP !" are STOP).
import { normalizeText } from './normalize.js';

export const OPT_OUT_WORDS = ['STOP', 'STOP SMS', 'ARRET', 'ARRÊT', 'DESABONNEMENT', 'UNSUBSCRIBE'] as const;

const normalized = new Set(OPT_OUT_WORDS.map(normalizeText));

export const isOptOutText = (text: string): boolean => normalized.has(normalizeText(text));
