// What a match does (DESIGN.md section 3), for a whole batch of matches in the caller's transaction,
// with a constant number of statements per batch, not per match:
//   1. insert the leads ('nouveau', on top); a lead that exists already means the account has it: skip;
//   2. decide the contacts (src/domain/contactDecision.ts), fed by the contacted ads and pacing counters;
//   3. for the contacted: contacted ad + message (pending, rendered) + lead 'contacte' + SendMessage;
//   4. LeadCreated for every new lead.
// Either all of it commits with the caller's inbox row, or none of it does.
import { v7 as uuidv7 } from 'uuid';
import type { Trx } from '../../db/knex.js';
import { contactEligibility, decideContacts, huntsToPace, type ContactDecision, type LeadToDecide } from '../../domain/contactDecision.js';
import { renderTemplate } from '../../domain/template.js';
import type { Ad, Channel, ContactReason, Hunt } from '../../domain/types.js';
import { toAdSnapshot } from '../../events/adSnapshot.js';
import { newEventId, type OutgoingEvent } from '../../events/envelope.js';
import type { Outbox } from '../../outbox/enqueue.js';
import { contactKey, findContactedAds } from '../../sql/findContactedAds.js';
import { insertContactedAds } from '../../sql/insertContactedAds.js';
import { insertMessages, type MessageRecord } from '../../sql/insertMessages.js';
import { insertNewLeads } from '../../sql/insertNewLeads.js';
import { lockPacing, reservePacing } from '../../sql/pacing.js';
import { setLeadOutcomes } from '../../sql/setLeadOutcomes.js';

export interface Match {
  hunt: Hunt;
  ad: Ad;
  /** The event that led to the match (AdScraped, HuntChanged or DailyTick). */
  cause: { eventId: string; correlationId: string };
}

export interface LeadToContact extends LeadToDecide {
  cause: Match['cause'];
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
}

export interface RecordDeps {
  outbox: Outbox;
  now: Date;
  /** The calendar day (Europe/Paris) pacing is counted on. */
  pacingDay: string;
}

/** Matches per round of statements: multi-row statements stay well under PostgreSQL's 65,535 parameters. */
const CHUNK = 1000;

export async function recordMatches(trx: Trx, deps: RecordDeps, matches: Match[]): Promise<RecordResult> {
  const result: RecordResult = { leadsCreated: 0, contacted: 0, notContacted: {} };
  // A stable order, so that concurrent batches take their locks in the same order.
  const sorted = [...matches].sort((a, b) => cmp(a.hunt.accountId, b.hunt.accountId) || cmp(a.ad.adId, b.ad.adId));
  for (let i = 0; i < sorted.length; i += CHUNK) {
    const r = await recordChunk(trx, deps, sorted.slice(i, i + CHUNK));
    result.leadsCreated += r.leadsCreated;
    result.contacted += r.contacted;
    for (const [reason, n] of Object.entries(r.notContacted) as Array<[ContactReason, number]>) result.notContacted[reason] = (result.notContacted[reason] ?? 0) + n;
  }
  return result;
}

async function recordChunk(trx: Trx, deps: RecordDeps, sorted: Match[]): Promise<RecordResult> {
  const result: RecordResult = { leadsCreated: 0, contacted: 0, notContacted: {} };
  const created = await insertNewLeads(
    trx,
    sorted.map((m) => ({ id: uuidv7(), accountId: m.hunt.accountId, adId: m.ad.adId, huntId: m.hunt.id })),
    deps.now,
  );
  if (created.length === 0) return result;

  const byKey = new Map(sorted.map((m) => [contactKey(m.hunt.accountId, m.ad.adId), m]));
  const leads = created.map((l) => ({ ...byKey.get(contactKey(l.accountId, l.adId))!, leadId: l.id, position: l.position }));
  const outcomes = await contactLeads(trx, deps, leads);

  const events: OutgoingEvent[] = leads.map((l) => {
    const o = outcomes.get(l.leadId)!;
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
        position: l.position,
        contacted: o.contacted,
        reason: o.reason,
        messageId: o.messageId,
        channel: o.channel,
        createdAt: deps.now.getTime(),
        ad: toAdSnapshot(l.ad),
      },
    };
  });
  await deps.outbox.enqueue(trx, events);

  result.leadsCreated = leads.length;
  for (const o of outcomes.values()) {
    if (o.contacted) result.contacted++;
    else if (o.reason) result.notContacted[o.reason] = (result.notContacted[o.reason] ?? 0) + 1;
  }
  return result;
}

/**
 * Decides and records the contact for leads that are 'nouveau' (new ones, or ones held back by
 * pacing): contacted ad, message, lead stage or reason, and SendMessage. Used by recordMatches and by
 * the daily tick for leads held back by pacing.
 */
export async function contactLeads(trx: Trx, deps: RecordDeps, leads: LeadToContact[]): Promise<Map<string, ContactOutcome>> {
  const outcomes = new Map<string, ContactOutcome>();
  for (let i = 0; i < leads.length; i += CHUNK) for (const [id, o] of await contactChunk(trx, deps, leads.slice(i, i + CHUNK))) outcomes.set(id, o);
  return outcomes;
}

async function contactChunk(trx: Trx, deps: RecordDeps, leads: LeadToContact[]): Promise<Map<string, ContactOutcome>> {
  // What the decision needs from the database: contacted ads, then the pacing counters (locked).
  const eligible = leads.filter((l) => contactEligibility(l.hunt, l.ad).contact);
  const contacted = await findContactedAds(trx, eligible.map((l) => ({ accountId: l.hunt.accountId, adId: l.ad.adId })));
  const alreadyContacted = (accountId: string, adId: string) => contacted.has(contactKey(accountId, adId));
  const pacingUsed = await lockPacing(trx, huntsToPace(leads, alreadyContacted), deps.pacingDay);
  const { decisions, pacingGranted } = decideContacts(leads, { alreadyContacted, pacingUsed });
  await reservePacing(trx, pacingGranted, deps.pacingDay);

  const toContact = leads.flatMap((l) => {
    const d = decisions.get(l.leadId)!;
    return d.contact ? [{ lead: l, decision: d }] : [];
  });
  const messages: MessageRecord[] = toContact.map(({ lead, decision }) => ({
    id: uuidv7(),
    accountId: lead.hunt.accountId,
    leadId: lead.leadId,
    huntId: lead.hunt.id,
    adId: lead.ad.adId,
    channel: decision.channel,
    recipient: decision.recipient,
    content: renderTemplate(decision.template, lead.ad),
    commandEventId: newEventId(),
    correlationId: lead.cause.correlationId,
    nextAttemptAt: deps.now,
  }));
  if (messages.length > 0) {
    await insertMessages(trx, messages, deps.now);
    await insertContactedAds(
      trx,
      messages.map((m) => ({ id: uuidv7(), accountId: m.accountId, adId: m.adId, huntId: m.huntId, leadId: m.leadId, messageId: m.id, channel: m.channel })),
      deps.now,
    );
    await deps.outbox.enqueue(
      trx,
      messages.map((m, i) => ({
        eventType: 'SendMessage',
        key: m.accountId,
        eventId: m.commandEventId,
        cause: toContact[i]!.lead.cause,
        value: { messageId: m.id, accountId: m.accountId, leadId: m.leadId, huntId: m.huntId, adId: m.adId, channel: m.channel, to: m.recipient, content: m.content, requestedAt: deps.now.getTime() },
      })),
    );
  }

  const outcomes = new Map<string, ContactOutcome>();
  const messageOf = new Map(messages.map((m) => [m.leadId, m]));
  for (const l of leads) outcomes.set(l.leadId, outcomeOf(decisions.get(l.leadId)!, messageOf.get(l.leadId)?.id ?? null));
  await setLeadOutcomes(
    trx,
    leads.map((l) => {
      const o = outcomes.get(l.leadId)!;
      return { leadId: l.leadId, stage: o.contacted ? 'contacte' : 'nouveau', reason: o.reason };
    }),
    deps.now,
  );
  return outcomes;
}

const outcomeOf = (d: ContactDecision, messageId: string | null): ContactOutcome =>
  d.contact ? { contacted: true, reason: null, messageId, channel: d.channel } : { contacted: false, reason: d.reason, messageId: null, channel: null };

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
