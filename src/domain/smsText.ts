// What a seller receives, by the French rules for commercial SMS: the sender's identity, and a free
// way to refuse (a STOP mention), on top of the hunt's rendered template; and the segment count a
// template can come to at its longest, which is what a hunt is refused on (SMS_MAX_SEGMENTS).
// Segments are counted with sms-segments-calculator (Twilio's own segment calculator: GSM-7, its
// extension table, or UCS-2 as soon as one character needs it).
import { SegmentedMessage } from 'sms-segments-calculator';
import type { Channel } from './types.js';
import { normalizeText } from './normalize.js';
import { TEMPLATE_VARIABLES, type TemplateVariable } from './template.js';

/** The longest identity an account may give (PATCH /v1/accounts/:accountId senderName). */
export const SENDER_NAME_MAX = 40;

/** A STOP mention already in the text: the word STOP on its own. */
const HAS_STOP = /(^|[^\p{L}\p{N}])STOP([^\p{L}\p{N}]|$)/iu;

/**
 * Characters GSM-7 has not, with an equivalent it has: fr-FR number formats group thousands with a
 * narrow no-break space ("14 500 €"), and French keyboards type a curly apostrophe; either alone
 * would make a whole SMS UCS-2 (70 characters a segment instead of 160).
 */
const toGsm = (s: string) => s.replace(/[\u00a0\u202f\u2009]/g, ' ').replace(/[\u2018\u2019]/g, "'");

export interface Composition {
  channel: Channel;
  /** The account's identity (its senderName, or SENDER_NAME_DEFAULT). */
  senderName: string | null;
  /** SMS_OPT_OUT_MENTION. */
  optOutMention: string;
}

/**
 * The message as sent. SMS and WhatsApp start with the sender's identity unless the text already
 * names it; an SMS ends with the opt-out mention unless it already holds a STOP. Other channels
 * (LeBonCoin's messaging, which identifies the sender itself) take the text as it is.
 */
export function composeMessage(text: string, c: Composition & { alwaysSign?: boolean }): string {
  if (c.channel !== 'sms' && c.channel !== 'whatsapp') return text;
  const named = !c.alwaysSign && c.senderName && normalizeText(text).includes(normalizeText(c.senderName));
  let out = named || !c.senderName ? text : `${c.senderName} : ${text}`;
  if (c.channel === 'sms') {
    out = toGsm(out);
    if (!HAS_STOP.test(out)) out = `${out}\n${c.optOutMention}`;
  }
  return out;
}

/**
 * The longest value each variable takes, for the segment limit: LeBonCoin's own limits where it has
 * them (a title is 100 characters at most), generous lengths elsewhere. A real value past these
 * makes a longer SMS than the check allowed for; it is still sent (the provider splits it).
 */
export const LONGEST_VALUES: Record<TemplateVariable, string> = {
  titre_annonce: 'x'.repeat(100),
  prix: '100 000 000 €',
  marque: 'x'.repeat(30),
  modele: 'x'.repeat(40),
  annee: '2026',
  ville: 'x'.repeat(50),
  vendeur_nom: 'x'.repeat(30),
};

const PLACEHOLDER = /\{\{\s*([a-zA-Z_]+)\s*\}\}/g;

export function segmentsOf(text: string): {
  segments: number;
  encoding: 'GSM-7' | 'UCS-2';
  characters: number;
  nonGsm: string[];
} {
  const m = new SegmentedMessage(text, 'auto');
  return {
    segments: m.segmentsCount,
    encoding: m.getEncodingName() === 'GSM-7' ? 'GSM-7' : 'UCS-2',
    characters: m.numberOfCharacters,
    nonGsm: [...new Set(m.getNonGsmCharacters())],
  };
}

const longest = new Map<string, ReturnType<typeof segmentsOf>>();

/**
 * The segments a template's SMS needs at its longest: the longest values, the longest identity, and
 * the mention. Memoised: counting graphemes costs about half a millisecond, and an account's import
 * of 2,000 hunts uses a handful of templates.
 */
export function longestSegments(template: string, optOutMention: string): ReturnType<typeof segmentsOf> {
  const key = `${optOutMention}\u0000${template}`;
  let found = longest.get(key);
  if (!found) {
    const filled = template.replace(PLACEHOLDER, (match, name: string) =>
      name in TEMPLATE_VARIABLES ? LONGEST_VALUES[name as TemplateVariable] : match,
    );
    found = segmentsOf(
      composeMessage(filled, {
        channel: 'sms',
        senderName: 'x'.repeat(SENDER_NAME_MAX),
        optOutMention,
        alwaysSign: true,
      }),
    );
    if (longest.size > 10_000) longest.clear();
    longest.set(key, found);
  }
  return found;
}
