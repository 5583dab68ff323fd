// The contact decision of docs/ARCHITECTURE.md section 3, step 2, as pure functions: the matcher feeds them what
// its queries found (contacted ads, sellers messaged, opt-outs, pacing counters) and writes what they decide.
import { canReceiveSms } from './phone.js';
import type { Ad, Channel, ContactReason, Hunt, Outreach } from './types.js';

export type Eligibility =
  { contact: true; outreach: Outreach; recipient: string } | { contact: false; reason: ContactReason };

/** The part of the decision that needs nothing but the hunt and the ad. */
export function contactEligibility(
  hunt: Pick<Hunt, 'outreach'>,
  ad: Pick<Ad, 'phone' | 'acceptSalesmen' | 'externalId'>,
): Eligibility {
  if (!hunt.outreach) return { contact: false, reason: 'no_outreach' };
  // sms and whatsapp reach a phone; leboncoin's messaging reaches the listing itself.
  const recipient = hunt.outreach.channel === 'leboncoin' ? ad.externalId : ad.phone;
  if (!recipient) return { contact: false, reason: 'no_phone' };
  if (hunt.outreach.channel !== 'leboncoin' && !canReceiveSms(recipient))
    return { contact: false, reason: 'not_mobile' };
  if (!ad.acceptSalesmen) return { contact: false, reason: 'refuses_salesmen' };
  return { contact: true, outreach: hunt.outreach, recipient };
}

export interface LeadToDecide {
  leadId: string;
  hunt: Hunt;
  ad: Ad;
}

export type ContactDecision =
  | { contact: true; channel: Channel; outreach: Outreach; recipient: string }
  | { contact: false; reason: ContactReason };

export interface ContactFacts {
  /** The account contacted this ad's seller before (even outside this service): never again. */
  alreadyContacted(accountId: string, adId: string): boolean;
  /** The account messaged this phone within the cooldown (a message not failed), whatever the ad. */
  sellerContacted(accountId: string, phone: string): boolean;
  /** The phone opted out (STOP, or by hand): no account contacts it. */
  optedOut(phone: string): boolean;
  /** The identity the account's SMS and WhatsApp messages carry (its senderName), or null when it has none. */
  senderName(accountId: string): string | null;
  /** Contacts already counted today per paced hunt (src/sql/hunts/pacing.ts readPacing). */
  pacingUsed: ReadonlyMap<string, number>;
}

/** The seller a lead's contact would reach, for the once-per-account rule: the ad's phone, whatever the channel. */
export const sellerKey = (accountId: string, phone: string) => `${accountId}\u0000${phone}`;

/** Why a lead that is eligible is not contacted, before pacing: opted out, or the ad or its seller contacted already. */
function blockedReason(
  l: LeadToDecide,
  facts: Omit<ContactFacts, 'pacingUsed'>,
  claimed: ReadonlySet<string>,
): ContactReason | null {
  const phone = l.ad.phone;
  if (phone && facts.optedOut(phone)) return 'opted_out';
  // French rules: a commercial SMS says who sends it; an account without an identity sends none.
  if (l.hunt.outreach?.channel !== 'leboncoin' && !facts.senderName(l.hunt.accountId)) return 'no_sender_identity';
  if (facts.alreadyContacted(l.hunt.accountId, l.ad.adId)) return 'already_contacted';
  if (phone && (facts.sellerContacted(l.hunt.accountId, phone) || claimed.has(sellerKey(l.hunt.accountId, phone))))
    return 'already_contacted';
  return null;
}

/** The paced hunts whose counters the decision needs: those of leads that are otherwise contactable. */
export function huntsToPace(leads: readonly LeadToDecide[], facts: Omit<ContactFacts, 'pacingUsed'>): string[] {
  const ids = new Set<string>();
  for (const l of leads) {
    if (l.hunt.dailyPacingLimit === null) continue;
    if (contactEligibility(l.hunt, l.ad).contact && blockedReason(l, facts, new Set()) === null) ids.add(l.hunt.id);
  }
  return [...ids];
}

/**
 * Decides every lead, in the given order (pacing grants and a seller's one contact go to the first
 * ones): eligible, not opted out, neither the ad nor its seller contacted, and within its hunt's daily
 * pacing. Two ads of one seller in one batch: the first is contacted, the second is already_contacted.
 * Returns the decisions and the pacing granted per hunt.
 */
export function decideContacts(
  leads: readonly LeadToDecide[],
  facts: ContactFacts,
): { decisions: Map<string, ContactDecision>; pacingGranted: Map<string, number> } {
  const decisions = new Map<string, ContactDecision>();
  const pacingGranted = new Map<string, number>();
  const claimed = new Set<string>();
  for (const l of leads) {
    const e = contactEligibility(l.hunt, l.ad);
    if (!e.contact) {
      decisions.set(l.leadId, e);
      continue;
    }
    const blocked = blockedReason(l, facts, claimed);
    if (blocked) {
      decisions.set(l.leadId, { contact: false, reason: blocked });
      continue;
    }
    const limit = l.hunt.dailyPacingLimit;
    if (limit !== null) {
      const granted = pacingGranted.get(l.hunt.id) ?? 0;
      if ((facts.pacingUsed.get(l.hunt.id) ?? 0) + granted >= limit) {
        decisions.set(l.leadId, { contact: false, reason: 'pacing' });
        continue;
      }
      pacingGranted.set(l.hunt.id, granted + 1);
    }
    if (l.ad.phone) claimed.add(sellerKey(l.hunt.accountId, l.ad.phone));
    decisions.set(l.leadId, {
      contact: true,
      channel: e.outreach.channel,
      outreach: e.outreach,
      recipient: e.recipient,
    });
  }
  return { decisions, pacingGranted };
}
