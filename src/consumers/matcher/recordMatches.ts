// What a match does (docs/ARCHITECTURE.md section 3), for a whole batch of matches in the caller's transaction,
// with a constant number of statements per batch, whatever its size:
//   1. read what the decision needs: the leads and contacted ads the accounts have already, the sellers
//      they messaged within the cooldown, the opt-outs (under shared phone locks, src/sql/sellers/phoneLocks.ts,
//      so that an opt-out committing meanwhile cancels what this batch writes), today's pacing counters;
//   2. decide every contact (src/domain/contactDecision.ts);
//   3. write each lead once, with its decided stage, on top of its column; for the contacted: the
//      seller's claim (src/sql/sellers/claimSellers.ts), the contacted ad, the message (pending, rendered, its
//      first attempt due at the next opening of the hunt's contact hours) and SendMessage; LeadCreated
//      for every new lead;
//   4. last, add the pacing grants where they still fit (src/sql/hunts/pacing.ts).
// If a concurrent writer got there first (a lead inserted, a seller claimed, the pacing room taken since step 1), a
// WriteConflict rolls the transaction back and the pipeline applies the batch again with fresh reads.
// Either all of it commits with the caller's inbox row, or none of it does.
import { newId } from '../../platform/ids.js';
import type { Trx } from '../../db/knex.js';
import {
  contactEligibility,
  decideContacts,
  huntsToPace,
  sellerKey,
  type ContactDecision,
  type LeadToDecide,
} from '../../domain/contactDecision.js';
import { nextOpening } from '../../domain/contactHours.js';
import type { Match } from '../../domain/matchAds.js';
import type { Channel, ContactReason } from '../../domain/types.js';
import { newEventId, type Cause, type OutgoingEvent } from '../../events/envelope.js';
import type { Outbox } from '../../outbox/enqueue.js';
import { claimSellers } from '../../sql/sellers/claimSellers.js';
import { accountAdKey, findAccountAdPairs } from '../../sql/leads/findAccountAdPairs.js';
import { findOptOuts } from '../../sql/sellers/findOptOuts.js';
import { findSellerContacts } from '../../sql/sellers/findSellerContacts.js';
import { lockPhonesShared } from '../../sql/sellers/phoneLocks.js';
import { insertContactedAds } from '../../sql/leads/insertContactedAds.js';
import { insertLeads } from '../../sql/leads/insertLeads.js';
import { insertMessages, type MessageRecord } from '../../sql/messages/insertMessages.js';
import { readPacing, reservePacing } from '../../sql/hunts/pacing.js';
import { setLeadOutcomes } from '../../sql/leads/setLeadOutcomes.js';
import { findSenderNames } from '../../sql/accounts/findSenderNames.js';
import { localTime } from '../../domain/calendar.js';
import { composeOutreach } from '../../domain/outreachMessage.js';
import { sellerZoneOf } from '../../domain/sellerZone.js';
import type { MatcherSettings } from './matcherDeps.js';
import { WriteConflict } from '../pipeline/failures.js';
import type { HeldBack } from './explainHeldBack.js';

/** A match (src/domain/matchAds.ts) and the event that led to it (AdScraped, HuntChanged or DailyTick). */
export type MatchToRecord = Match & { cause: Cause };

export interface LeadToContact extends LeadToDecide {
  cause: Cause;
}

export interface ContactOutcome {
  contacted: boolean;
  reason: ContactReason | null;
  messageId: string | null;
  channel: Channel | null;
}

export interface RecordResult {
  leadsCreated: number;
  contacted: number;
  notContacted: Partial<Record<ContactReason, number>>;
  /** The leads not contacted, one per account, hunt and reason (what the matcher explains in its log). */
  heldBack: HeldBack[];
}

export interface RecordDeps {
  outbox: Outbox;
  now: Date;
  /** The calendar day (Europe/Paris) pacing is counted on. */
  pacingDay: string;
  /** Where contact hours are local (TICK_TIME_ZONE). */
  timeZone: string;
  /** An account messages a seller (a phone) at most once in this many days (CONTACT_COOLDOWN_DAYS). */
  cooldownDays: number;
  /** The STOP mention of every SMS, and the identity of accounts that gave none. */
  outreach: MatcherSettings['outreach'];
}

/**
 * What recording matches needs, at `now`, from the matcher's settings: the one way every matching path
 * (and the benchmarks' baselines) builds it. Pacing is counted on the day of `now`, unless told another.
 */
export const recordDepsOf = (
  deps: { outbox: Outbox; settings: Pick<MatcherSettings, 'timeZone' | 'contactCooldownDays' | 'outreach'> },
  now: Date,
  options: { pacingDay?: string } = {},
): RecordDeps => ({
  outbox: deps.outbox,
  now,
  pacingDay: options.pacingDay ?? localTime(now, deps.settings.timeZone).day,
  timeZone: deps.settings.timeZone,
  cooldownDays: deps.settings.contactCooldownDays,
  outreach: deps.settings.outreach,
});

export async function recordMatches(trx: Trx, deps: RecordDeps, matches: MatchToRecord[]): Promise<RecordResult> {
  const result: RecordResult = { leadsCreated: 0, contacted: 0, notContacted: {}, heldBack: [] };
  if (matches.length === 0) return result;
  // A stable order, so that concurrent batches take their locks in the same order.
  const sorted = [...matches].sort((a, b) => cmp(a.hunt.accountId, b.hunt.accountId) || cmp(a.ad.adId, b.ad.adId));
  const existing = await findAccountAdPairs(
    trx,
    'leads',
    sorted.map((m) => ({ accountId: m.hunt.accountId, adId: m.ad.adId })),
  );
  const leads: LeadToContact[] = sorted
    .filter((m) => !existing.has(accountAdKey(m.hunt.accountId, m.ad.adId)))
    .map((m) => ({ ...m, leadId: newId() }));
  if (leads.length === 0) return result;

  const { decisions, granted, senderName } = await decide(trx, deps, leads);
  const inserted = await insertLeads(
    trx,
    leads.map((l) => {
      const d = decisions.get(l.leadId)!;
      return {
        id: l.leadId,
        accountId: l.hunt.accountId,
        adId: l.ad.adId,
        huntId: l.hunt.id,
        stage: d.contact ? 'contacte' : 'nouveau',
        reason: d.contact ? null : d.reason,
      };
    }),
    deps.now,
  );
  if (inserted.length !== leads.length)
    throw new WriteConflict(`${leads.length - inserted.length} of ${leads.length} leads were created concurrently`);
  const { outcomes, commands } = await writeContacts(trx, deps, leads, decisions, senderName);
  const positionOf = new Map(inserted.map((l) => [l.id, l.position]));

  // SendMessage and LeadCreated in one statement.
  await deps.outbox.enqueue(trx, [
    ...commands,
    ...leads.map((l) => leadCreated(l, outcomes.get(l.leadId)!, positionOf.get(l.leadId)!, deps.now)),
  ]);
  await reserve(trx, deps, granted);

  tallyOutcomes(result, leads, outcomes);
  return result;
}

function leadCreated(l: LeadToContact, o: ContactOutcome, position: number, now: Date): OutgoingEvent {
  return {
    eventType: 'LeadCreated',
    key: l.hunt.accountId,
    cause: l.cause,
    value: {
      leadId: l.leadId,
      accountId: l.hunt.accountId,
      huntId: l.hunt.id,
      adId: l.ad.adId,
      stage: o.contacted ? 'contacte' : 'nouveau',
      position,
      contacted: o.contacted,
      reason: o.reason,
      messageId: o.messageId,
      channel: o.channel,
      createdAt: now.getTime(),
      ad: l.ad,
    },
  };
}

/** Counts the new leads into `result`, contacted or not and why; the held back once per account, hunt and reason. */
function tallyOutcomes(result: RecordResult, leads: LeadToContact[], outcomes: Map<string, ContactOutcome>): void {
  result.leadsCreated = leads.length;
  const heldBack = new Map<string, HeldBack>();
  for (const l of leads) {
    const o = outcomes.get(l.leadId);
    if (!o) continue;
    if (o.contacted) result.contacted++;
    else if (o.reason) {
      result.notContacted[o.reason] = (result.notContacted[o.reason] ?? 0) + 1;
      const key = `${l.hunt.accountId}/${l.hunt.id}/${o.reason}`;
      if (!heldBack.has(key)) heldBack.set(key, { accountId: l.hunt.accountId, huntId: l.hunt.id, reason: o.reason });
    }
  }
  result.heldBack = [...heldBack.values()];
}

/**
 * Decides and records the contact for leads that exist already and are 'nouveau' (held back by
 * pacing on an earlier day): used by the daily tick while their ad is fresh.
 */
export async function contactLeads(
  trx: Trx,
  deps: RecordDeps,
  leads: LeadToContact[],
): Promise<Map<string, ContactOutcome>> {
  if (leads.length === 0) return new Map();
  const { decisions, granted, senderName } = await decide(trx, deps, leads);
  const { outcomes, commands } = await writeContacts(trx, deps, leads, decisions, senderName);
  await deps.outbox.enqueue(trx, commands);
  await setLeadOutcomes(
    trx,
    leads.map((l) => {
      const o = outcomes.get(l.leadId)!;
      return { leadId: l.leadId, stage: o.contacted ? 'contacte' : 'nouveau', reason: o.reason };
    }),
    deps.now,
  );
  await reserve(trx, deps, granted);
  return outcomes;
}

/** Steps 1 and 2: what the database knows, then the pure decision. */
async function decide(trx: Trx, deps: RecordDeps, leads: LeadToContact[]) {
  const eligible = leads.filter((l) => contactEligibility(l.hunt, l.ad).contact);
  const contacted = await findAccountAdPairs(
    trx,
    'contacted_ads',
    eligible.map((l) => ({ accountId: l.hunt.accountId, adId: l.ad.adId })),
  );
  const withPhone = eligible.filter((l) => l.ad.phone !== null);
  const phones = withPhone.map((l) => l.ad.phone!);
  // The opt-outs must hold until this transaction commits: an opt-out waits for the shared locks, then
  // cancels what this batch wrote; one that committed before them is read here (a separate statement,
  // so that its snapshot is taken once the locks are held).
  await lockPhonesShared(trx, phones);
  const optOuts = await findOptOuts(trx, phones);
  const sellers = await findSellerContacts(
    trx,
    withPhone.map((l) => ({ accountId: l.hunt.accountId, phone: l.ad.phone! })),
    { now: deps.now, cooldownDays: deps.cooldownDays },
  );
  const names = await findSenderNames(
    trx,
    eligible.filter((l) => l.hunt.outreach?.channel !== 'leboncoin').map((l) => l.hunt.accountId),
  );
  const facts = {
    alreadyContacted: (accountId: string, adId: string) => contacted.has(accountAdKey(accountId, adId)),
    sellerContacted: (accountId: string, phone: string) => sellers.has(sellerKey(accountId, phone)),
    optedOut: (phone: string) => optOuts.has(phone),
    senderName: (accountId: string) => names.get(accountId) ?? deps.outreach.senderNameDefault,
  };
  const pacingUsed = await readPacing(trx, huntsToPace(leads, facts), deps.pacingDay);
  const { decisions, pacingGranted } = decideContacts(leads, { ...facts, pacingUsed });
  return { decisions, granted: pacingGranted, senderName: facts.senderName };
}

/** Step 4, the transaction's last statement: the grants, where they still fit; otherwise decide again. */
async function reserve(trx: Trx, deps: RecordDeps, granted: Map<string, number>) {
  const applied = await reservePacing(trx, granted, deps.pacingDay);
  if (applied.size !== granted.size)
    throw new WriteConflict(`the pacing room of ${granted.size - applied.size} hunts was taken concurrently`);
}

/** For the contacted: message and contacted ad. Returns every lead's outcome, and the SendMessage commands to enqueue. */
async function writeContacts(
  trx: Trx,
  deps: RecordDeps,
  leads: LeadToContact[],
  decisions: Map<string, ContactDecision>,
  senderName: (accountId: string) => string | null,
): Promise<{ outcomes: Map<string, ContactOutcome>; commands: OutgoingEvent[] }> {
  const toContact = leads.flatMap((l) => {
    const d = decisions.get(l.leadId)!;
    return d.contact ? [{ lead: l, decision: d }] : [];
  });
  const messages = toContact.map(({ lead, decision }) => messageFor(deps, lead, decision, senderName));
  if (messages.length > 0) {
    const claims = toContact.flatMap(({ lead }, i) =>
      lead.ad.phone ? [{ accountId: lead.hunt.accountId, phone: lead.ad.phone, messageId: messages[i]!.id }] : [],
    );
    const claimed = await claimSellers(trx, claims, { now: deps.now, cooldownDays: deps.cooldownDays });
    if (claimed.size !== claims.length)
      throw new WriteConflict(
        `${claims.length - claimed.size} of ${claims.length} sellers were contacted concurrently`,
      );
    await insertMessages(trx, messages, deps.now);
    await insertContactedAds(
      trx,
      messages.map((m) => ({
        id: newId(),
        accountId: m.accountId,
        adId: m.adId,
        huntId: m.huntId,
        leadId: m.leadId,
        messageId: m.id,
        channel: m.channel,
      })),
      deps.now,
    );
  }
  const commands = messages.map((m, i) => sendCommandOf(m, toContact[i]!.lead.cause, deps.now));
  const messageOf = new Map(messages.map((m) => [m.leadId, m.id]));
  return {
    outcomes: new Map(
      leads.map((l) => [l.leadId, outcomeOf(decisions.get(l.leadId)!, messageOf.get(l.leadId) ?? null)]),
    ),
    commands,
  };
}

const outcomeOf = (d: ContactDecision, messageId: string | null): ContactOutcome =>
  d.contact
    ? { contacted: true, reason: null, messageId, channel: d.channel }
    : { contacted: false, reason: d.reason, messageId: null, channel: null };

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** The message of a lead to contact, rendered and due at the next opening of its hunt's contact hours. */
function messageFor(
  deps: RecordDeps,
  lead: LeadToContact,
  decision: Extract<ContactDecision, { contact: true }>,
  senderName: (accountId: string) => string | null,
): MessageRecord {
  // The rendered template, with the sender's identity and the STOP mention the French rules ask of an
  // SMS; for WhatsApp, the approved template and its variables.
  const composed = composeOutreach(decision.outreach, lead.ad, {
    senderName: senderName(lead.hunt.accountId),
    optOutMention: deps.outreach.optOutMention,
  });
  // Decided now, sent at the next opening of the hunt's contact hours where the seller lives (now
  // when inside them); the sender checks them again at the call.
  const zone = sellerZoneOf(decision.recipient, deps.timeZone);
  return {
    id: newId(),
    accountId: lead.hunt.accountId,
    leadId: lead.leadId,
    huntId: lead.hunt.id,
    adId: lead.ad.adId,
    channel: decision.channel,
    recipient: decision.recipient,
    content: composed.content,
    contentSid: composed.contentSid,
    contentVariables: composed.contentVariables,
    contentIsText: composed.contentIsText,
    fallbackContent: composed.fallbackContent,
    commandEventId: newEventId(),
    correlationId: lead.cause.correlationId,
    nextAttemptAt: nextOpening(lead.hunt.contactHours, deps.now, zone.timeZone, zone.region),
  };
}

/** The SendMessage command of a message, caused by what caused its lead. */
function sendCommandOf(m: MessageRecord, cause: LeadToContact['cause'], now: Date): OutgoingEvent {
  return {
    eventType: 'SendMessage',
    key: m.accountId,
    eventId: m.commandEventId,
    cause,
    value: {
      messageId: m.id,
      accountId: m.accountId,
      leadId: m.leadId,
      huntId: m.huntId,
      adId: m.adId,
      channel: m.channel,
      to: m.recipient,
      content: m.content,
      requestedAt: now.getTime(),
    },
  };
}
