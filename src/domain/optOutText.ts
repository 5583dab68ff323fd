// Whether a seller's reply asks to stop: the text alone, trimmed, compared case- and
// accent-insensitively (punctuation ignored too: "Stop." and "STOP !" are STOP).
import { normalizeText } from './normalize.js';

export const OPT_OUT_WORDS = ['STOP', 'STOP SMS', 'ARRET', 'ARRÊT', 'DESABONNEMENT', 'UNSUBSCRIBE'] as const;

const normalized = new Set(OPT_OUT_WORDS.map(normalizeText));

export const isOptOutText = (text: string): boolean => normalized.has(normalizeText(text));

/** Words that lift an opt-out (Twilio's Advanced Opt-Out keywords: START, UNSTOP). */
export const OPT_IN_WORDS = ['START', 'UNSTOP'] as const;

const optIn = new Set(OPT_IN_WORDS.map(normalizeText));

export const isOptInText = (text: string): boolean => optIn.has(normalizeText(text));
