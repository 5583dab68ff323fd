// The part of the contact decision (DESIGN.md section 3) that needs nothing but the hunt and the ad.
// "Never contacted" and "pacing" need the database; they are checked by recordMatches.
import type { Ad, ContactReason, Hunt, Outreach } from './types.js';

export type Eligibility = { contact: true; outreach: Outreach; recipient: string } | { contact: false; reason: ContactReason };

export function contactEligibility(hunt: Pick<Hunt, 'outreach'>, ad: Pick<Ad, 'phone' | 'acceptSalesmen' | 'externalId'>): Eligibility {
  if (!hunt.outreach) return { contact: false, reason: 'no_outreach' };
  // sms and whatsapp reach a phone; leboncoin's messaging reaches the listing itself.
  const recipient = hunt.outreach.channel === 'leboncoin' ? ad.externalId : ad.phone;
  if (!recipient) return { contact: false, reason: 'no_phone' };
  if (!ad.acceptSalesmen) return { contact: false, reason: 'refuses_salesmen' };
  return { contact: true, outreach: hunt.outreach, recipient };
}

/** Per account, the oldest of the hunts that matched (hunts sorted oldest first): one lead per account. */
export function attributeToOldest<H extends { hunt: Pick<Hunt, 'accountId' | 'createdAt' | 'id'> }>(matching: readonly H[]): H[] {
  const byAccount = new Map<string, H>();
  for (const m of matching) {
    const held = byAccount.get(m.hunt.accountId);
    if (!held || isOlder(m.hunt, held.hunt)) byAccount.set(m.hunt.accountId, m);
  }
  return [...byAccount.values()];
}

const isOlder = (a: Pick<Hunt, 'createdAt' | 'id'>, b: Pick<Hunt, 'createdAt' | 'id'>) =>
  a.createdAt.getTime() < b.createdAt.getTime() || (a.createdAt.getTime() === b.createdAt.getTime() && a.id < b.id);
