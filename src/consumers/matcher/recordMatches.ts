// What a match does (DESIGN.md section 3), for a whole batch of matches in the caller's transaction:
// a constant number of statements per batch, not per match.
//   1. insert the leads ('nouveau', on top); a lead that exists already means the account has it: skip;
//   2. decide the contact: eligibility (outreach, phone, salesmen), never contacted, pacing;
//   3. for the contacted: contacted ad + message (pending, rendered) + lead 'contacte' + SendMessage;
//   4. LeadCreated for every new lead.
// Either all of it commits with the caller's inbox row, or none of it does.
import { v7 as uuidv7 } from 'uuid';
import type { Trx } from '../../db/knex.js';
import { contactEligibility } from '../../domain/contactDecision.js';
import { renderTemplate } from '../../domain/template.js';
import type { Ad, Channel, ContactReason, Hunt } from '../../domain/types.js';
import { newEventId, type OutgoingEvent } from '../../events/envelope.js';
import type { Outbox } from '../../outbox/enqueue.js';

export interface Match {
  hunt: Hunt;
  ad: Ad;
  /** The event that led to the match (AdScraped, HuntChanged or DailyTick). */
  cause: { eventId: string; correlationId: string };
}

export interface LeadToContact {
  leadId: string;
  hunt: Hunt;
  ad: Ad;
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
  const rows = sorted.map((m) => ({ id: uuidv7(), account_id: m.hunt.accountId, ad_id: m.ad.adId, hunt_id: m.hunt.id, stage: 'nouveau', created_at: deps.now, updated_at: deps.now }));
  const created = await trx('leads')
    .insert(rows)
    .onConflict(['account_id', 'ad_id'])
    .ignore()
    .returning<Array<{ id: string; account_id: string; ad_id: string; position: number }>>(['id', 'account_id', 'ad_id', 'position']);
  if (created.length === 0) return result;

  const byKey = new Map(sorted.map((m) => [`${m.hunt.accountId}/${m.ad.adId}`, m]));
  const leads = created.map((l) => ({ ...byKey.get(`${l.account_id}/${l.ad_id}`)!, leadId: l.id, position: l.position }));
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
        ad: l.ad,
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
  if (leads.length <= CHUNK) return contactChunk(trx, deps, leads);
  const outcomes = new Map<string, ContactOutcome>();
  for (let i = 0; i < leads.length; i += CHUNK) for (const [id, o] of await contactChunk(trx, deps, leads.slice(i, i + CHUNK))) outcomes.set(id, o);
  return outcomes;
}

async function contactChunk(trx: Trx, deps: RecordDeps, leads: LeadToContact[]): Promise<Map<string, ContactOutcome>> {
  const outcomes = new Map<string, ContactOutcome>();
  const refuse = (leadId: string, reason: ContactReason) => outcomes.set(leadId, { contacted: false, reason, messageId: null, channel: null });

  // Eligibility needs only the hunt and the ad.
  let candidates: Array<LeadToContact & { channel: Channel; template: string; recipient: string }> = [];
  for (const lead of leads) {
    const e = contactEligibility(lead.hunt, lead.ad);
    if (e.contact) candidates.push({ ...lead, channel: e.outreach.channel, template: e.outreach.template, recipient: e.recipient });
    else refuse(lead.leadId, e.reason);
  }

  // A seller this account contacted before (even outside this service) is never contacted again.
  if (candidates.length > 0) {
    const pairs = candidates.map((c) => [c.hunt.accountId, c.ad.adId]);
    const existing = await trx('contacted_ads')
      .whereIn(['account_id', 'ad_id'], pairs)
      .select<Array<{ account_id: string; ad_id: string }>>('account_id', 'ad_id');
    const contacted = new Set(existing.map((r) => `${r.account_id}/${r.ad_id}`));
    candidates = candidates.filter((c) => {
      if (!contacted.has(`${c.hunt.accountId}/${c.ad.adId}`)) return true;
      refuse(c.leadId, 'already_contacted');
      return false;
    });
  }

  // Pacing, counted in the database under a row lock per (hunt, day): correct with several matchers.
  const paced = [...new Set(candidates.filter((c) => c.hunt.dailyPacingLimit !== null).map((c) => c.hunt.id))].sort();
  if (paced.length > 0) {
    await trx.raw(`INSERT INTO hunt_daily_contacts (hunt_id, day, contacts) SELECT unnest(?::uuid[]), ?::date, 0 ON CONFLICT DO NOTHING`, [paced, deps.pacingDay]);
    const { rows } = await trx.raw<{ rows: Array<{ hunt_id: string; contacts: number }> }>(
      `SELECT hunt_id, contacts FROM hunt_daily_contacts WHERE day = ?::date AND hunt_id = ANY(?::uuid[]) ORDER BY hunt_id FOR UPDATE`,
      [deps.pacingDay, paced],
    );
    const used = new Map(rows.map((r) => [r.hunt_id, r.contacts]));
    const granted = new Map<string, number>();
    candidates = candidates.filter((c) => {
      const limit = c.hunt.dailyPacingLimit;
      if (limit === null) return true;
      const n = (used.get(c.hunt.id) ?? 0) + (granted.get(c.hunt.id) ?? 0);
      if (n >= limit) {
        refuse(c.leadId, 'pacing');
        return false;
      }
      granted.set(c.hunt.id, (granted.get(c.hunt.id) ?? 0) + 1);
      return true;
    });
    if (granted.size > 0) {
      const ids = [...granted.keys()];
      await trx.raw(
        `UPDATE hunt_daily_contacts h SET contacts = h.contacts + g.n
           FROM unnest(?::uuid[], ?::int[]) AS g(hunt_id, n)
          WHERE h.hunt_id = g.hunt_id AND h.day = ?::date`,
        [ids, ids.map((id) => granted.get(id)!), deps.pacingDay],
      );
    }
  }

  if (candidates.length > 0) {
    const messages = candidates.map((c) => ({
      id: uuidv7(),
      account_id: c.hunt.accountId,
      lead_id: c.leadId,
      hunt_id: c.hunt.id,
      ad_id: c.ad.adId,
      channel: c.channel,
      recipient: c.recipient,
      content: renderTemplate(c.template, c.ad),
      status: 'pending',
      command_event_id: newEventId(),
      correlation_id: c.cause.correlationId,
      next_attempt_at: deps.now,
      created_at: deps.now,
      updated_at: deps.now,
    }));
    await trx('messages').insert(messages);
    await trx('contacted_ads').insert(
      candidates.map((c, i) => ({
        id: uuidv7(),
        account_id: c.hunt.accountId,
        ad_id: c.ad.adId,
        hunt_id: c.hunt.id,
        lead_id: c.leadId,
        message_id: messages[i]!.id,
        channel: c.channel,
        contacted_at: deps.now,
      })),
    );
    const events: OutgoingEvent[] = candidates.map((c, i) => {
      const m = messages[i]!;
      outcomes.set(c.leadId, { contacted: true, reason: null, messageId: m.id, channel: c.channel });
      return {
        eventType: 'SendMessage',
        key: c.hunt.accountId,
        eventId: m.command_event_id,
        cause: c.cause,
        value: {
          messageId: m.id,
          accountId: c.hunt.accountId,
          leadId: c.leadId,
          huntId: c.hunt.id,
          adId: c.ad.adId,
          channel: c.channel,
          to: c.recipient,
          content: m.content,
          requestedAt: deps.now.getTime(),
        },
      };
    });
    await deps.outbox.enqueue(trx, events);
  }

  // One statement sets every lead's stage and reason.
  const updates = leads.map((l) => {
    const o = outcomes.get(l.leadId)!;
    return [l.leadId, o.contacted ? 'contacte' : 'nouveau', o.reason] as const;
  });
  await trx.raw(
    `UPDATE leads l SET stage = u.stage, reason = u.reason, reason_detail = NULL,
            contacted_at = CASE WHEN u.stage = 'contacte' THEN ?::timestamptz ELSE l.contacted_at END, updated_at = ?::timestamptz
       FROM unnest(?::uuid[], ?::text[], ?::text[]) AS u(id, stage, reason)
      WHERE l.id = u.id`,
    [deps.now, deps.now, updates.map((u) => u[0]), updates.map((u) => u[1]), updates.map((u) => u[2]) as string[]],
  );
  return outcomes;
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
