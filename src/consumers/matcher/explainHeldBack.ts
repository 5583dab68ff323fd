// Why leads were not contacted, said in the log once per account and reason (per process), with what
// to do about it. A lead that stays `nouveau` is silent otherwise: its reason is in the lead, and a
// dealer (or a developer trying the API) who expected an SMS has nothing telling them where to look.
import type { ContactReason } from '../../domain/types.js';
import type { Logger } from '../../platform/logger.js';

/** Accounts and reasons remembered as explained: beyond this, the oldest are forgotten (said again later). */
const REMEMBERED = 10_000;

const HOW_TO_FIX: Record<ContactReason, (ids: { accountId: string; huntId: string }) => string> = {
  no_sender_identity: ({ accountId }) =>
    `the account has no senderName, and an SMS or WhatsApp message must say who sends it: PATCH /v1/accounts/${accountId} {"senderName": "Garage du Rhône"} (or SENDER_NAME_DEFAULT for a deployment of one dealer); its next leads are contacted`,
  no_outreach: ({ huntId }) =>
    `the hunt has no outreach: PATCH /v1/hunts/${huntId} {"outreach": {"channel": "sms", "template": "Bonjour {{vendeur_nom}}, votre {{marque}} {{modele}} nous intéresse."}}`,
  no_phone: () =>
    'the ad has no phone (from Lobstr, only the "Leboncoin Listings & Phone Search Export" scraper returns phones)',
  not_mobile: () => 'the phone is a landline: it cannot receive an SMS or a WhatsApp message',
  refuses_salesmen: () => 'the seller refuses solicitation on LeBonCoin (acceptSalesmen false): never contacted',
  opted_out: () => 'the seller opted out (STOP); DELETE /v1/optouts/<phone> lifts it, if they ask',
  already_contacted: () =>
    'the account contacted this ad, or messaged this seller within CONTACT_COOLDOWN_DAYS: a seller is messaged once',
  pacing: ({ huntId }) =>
    `the hunt's dailyPacingLimit is reached for today: the daily catch-up contacts the lead later while the ad is fresh (CONTACT_MAX_AGE_DAYS), or raise it: PATCH /v1/hunts/${huntId} {"dailyPacingLimit": 50}`,
};

/** Leads not contacted: one per account, hunt and reason. */
export interface HeldBack {
  accountId: string;
  huntId: string;
  reason: ContactReason;
}

export type ExplainHeldBack = (heldBack: HeldBack[]) => void;

export function createHeldBackExplainer(log: Pick<Logger, 'info'>): ExplainHeldBack {
  const explained = new Set<string>();
  return (heldBack) => {
    for (const { accountId, huntId, reason } of heldBack) {
      const key = `${accountId}/${reason}`;
      if (explained.has(key)) continue;
      explained.add(key);
      if (explained.size > REMEMBERED) explained.delete(explained.values().next().value!);
      log.info(
        { accountId, huntId, reason },
        `lead not contacted (${reason}): ${HOW_TO_FIX[reason]({ accountId, huntId })}. Said once per account and reason.`,
      );
    }
  };
}
