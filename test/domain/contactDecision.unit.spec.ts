import { describe, expect, it } from 'vitest';
import { decideContacts, sellerKey, type ContactFacts, type LeadToDecide } from '../../src/domain/contactDecision.js';
import { ad, hunt } from '../../testkit/domainFixtures.js';

const sms = { channel: 'sms' as const, template: 'Bonjour' };
const facts = (over: Partial<ContactFacts> = {}): ContactFacts => ({
  alreadyContacted: () => false,
  sellerContacted: () => false,
  optedOut: () => false,
  senderName: () => 'Garage Test',
  pacingUsed: new Map(),
  ...over,
});
const lead = (
  leadId: string,
  adOverrides: Parameters<typeof ad>[0] = {},
  huntOverrides: Parameters<typeof hunt>[0] = {},
): LeadToDecide => ({
  leadId,
  hunt: hunt({ outreach: sms, ...huntOverrides }),
  ad: ad({ adId: `00000000-0000-7000-8000-${leadId.padStart(12, '0')}`, ...adOverrides }),
});
const reasons = (leads: LeadToDecide[], f = facts()) =>
  [...decideContacts(leads, f).decisions.values()].map((d) => (d.contact ? 'contact' : d.reason));

describe('the contact decision', () => {
  it('contacts the first of two ads of one seller in a batch, and gives the second already_contacted', () => {
    expect(
      reasons([
        lead('1', { phone: '+33612345678' }),
        lead('2', { phone: '+33612345678' }),
        lead('3', { phone: '+33698765432' }),
      ]),
    ).toEqual(['contact', 'already_contacted', 'contact']);
  });

  it('lets another account contact the same seller', () => {
    expect(
      reasons([
        lead('1', { phone: '+33612345678' }),
        lead('2', { phone: '+33612345678' }, { accountId: '00000000-0000-7000-8000-0000000000b2' }),
      ]),
    ).toEqual(['contact', 'contact']);
  });

  it('does not message a landline by sms or whatsapp (not_mobile), but may reach its listing on leboncoin', () => {
    const landline = { phone: '+33142685300' };
    expect(
      reasons([
        lead('1', landline),
        lead('2', landline, { outreach: { channel: 'whatsapp', template: 'x' } }),
        lead('3', landline, { outreach: { channel: 'leboncoin', template: 'x' } }),
      ]),
    ).toEqual(['not_mobile', 'not_mobile', 'contact']);
  });

  it('gives opted_out for an opted-out phone, already_contacted for a seller messaged within the cooldown, on any channel', () => {
    const phone = '+33612345678';
    expect(reasons([lead('1', { phone })], facts({ optedOut: (p) => p === phone }))).toEqual(['opted_out']);
    expect(
      reasons(
        [lead('1', { phone }, { outreach: { channel: 'leboncoin', template: 'x' } })],
        facts({ optedOut: (p) => p === phone }),
      ),
    ).toEqual(['opted_out']);
    const accountId = hunt().accountId;
    const messaged = new Set([sellerKey(accountId, phone)]);
    expect(
      reasons([lead('1', { phone })], facts({ sellerContacted: (a, p) => messaged.has(sellerKey(a, p)) })),
    ).toEqual(['already_contacted']);
  });

  it('keeps the earlier reasons first: no outreach, no phone, refuses salesmen', () => {
    expect(
      reasons(
        [lead('1', {}, { outreach: null }), lead('2', { phone: null }), lead('3', { acceptSalesmen: false })],
        facts({ optedOut: () => true }),
      ),
    ).toEqual(['no_outreach', 'no_phone', 'refuses_salesmen']);
  });

  it('does not count a seller taken by a lead held back by pacing', () => {
    const paced = { dailyPacingLimit: 0 };
    const other = { id: '00000000-0000-7000-8000-000000000002' };
    expect(reasons([lead('1', { phone: '+33612345678' }, paced), lead('2', { phone: '+33612345678' }, other)])).toEqual(
      ['pacing', 'contact'],
    );
  });
});
