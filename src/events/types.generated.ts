// Generated from schemas/*.avsc by `npm run gen:types`. Do not edit by hand.

/** An ad was scraped for the first time (NEW) or one of the fields matching depends on changed (UPDATED). Topic ads.scraped, key = adId. */
export interface AdScraped {
  /** Why the event was emitted. */
  change: AdChange;
  /** Full snapshot of the ad after ingestion. */
  ad: Ad;
}

/** NEW: first time seen. UPDATED: price, flags, location, mileage or another matching field changed. */
export type AdChange = 'NEW' | 'UPDATED';

/** A classified ad as stored by hunt-matcher after ingestion (normalised shape of docs/ARCHITECTURE.md section 1). */
export interface Ad {
  /** hunt-matcher's id for the ad (UUID); stable across re-scrapes. */
  adId: string;
  /** Where the ad was scraped from; always 'leboncoin' today. */
  source: string;
  /** The listing id on the source site. (source, externalId) identifies an ad. */
  externalId: string;
  /** Public URL of the listing. */
  url: null | string;
  /** Title of the listing. */
  title: string;
  /** Free-text description of the listing (may be empty). */
  description: string;
  /** Asking price in whole euros. */
  price: null | number;
  /** Category, e.g. 'voitures', 'motos', 'utilitaires'. */
  adType: string;
  /** Sub-category, e.g. 'berline', 'suv'. */
  subType: null | string;
  /** Make as written on the listing, e.g. 'Peugeot', 'Mercedes-Benz'. */
  brand: null | string;
  /** Model, e.g. '308'. */
  model: null | string;
  /** Model year. */
  modelYear: null | number;
  /** Mileage in kilometres. */
  mileageKm: null | number;
  /** Fuel, e.g. 'Diesel', 'Essence', 'Electrique'. */
  fuel: null | string;
  /** Gearbox, e.g. 'Manuelle', 'Automatique'. */
  gearbox: null | string;
  /** French postal code of the listing. */
  zipcode: null | string;
  /** City of the listing. */
  city: null | string;
  /** Department number, e.g. '75', '2A'. */
  department: null | string;
  /** Latitude in degrees (WGS84). */
  lat: null | number;
  /** Longitude in degrees (WGS84). */
  lng: null | number;
  /** Seller's display name. */
  ownerName: null | string;
  /** 'private' or 'pro'. */
  ownerType: null | string;
  /** Seller's phone number in E.164 (e.g. +33612345678), when known. */
  phone: null | string;
  /** False when the seller refuses solicitation ('no salesmen'). */
  acceptSalesmen: boolean;
  /** The listing is marked urgent. */
  isUrgent: boolean;
  /** The listing was published again (first and last publication dates differ). */
  hasBeenReposted: boolean;
  /** The price is below a previous price of the same listing. */
  priceHasDropped: boolean;
  /** The seller paid to boost the listing. */
  hasBeenBoosted: boolean;
  /** The price is in the lower third of the source site's price band for this car. */
  isLowPrice: boolean;
  /** Picture URLs. */
  pictures: Array<string>;
  /** First publication on the source site (UTC epoch milliseconds). */
  firstPublishedAt: null | number;
  /** Latest publication on the source site (UTC epoch milliseconds). */
  lastPublishedAt: null | number;
  /** When the ad was last scraped (UTC epoch milliseconds). */
  scrapedAt: number;
}

/** A hunt was created, edited, paused, re-activated or deleted. Consumers re-read the hunt by id. Topic hunts.changed, key = huntId. */
export interface HuntChanged {
  /** The hunt. */
  huntId: string;
  /** The account owning the hunt. */
  accountId: string;
  /** What happened to the hunt. */
  change: HuntChange;
  /** The hunt's version after the change; increases by one on every write. */
  version: number;
  /** When the change was committed (UTC epoch milliseconds). */
  changedAt: number;
}

/** What happened to the hunt. */
export type HuntChange = 'CREATED' | 'UPDATED' | 'PAUSED' | 'ACTIVATED' | 'DELETED';

/** The daily catch-up signal: at most one per calendar day in Europe/Paris. Topic hunts.ticks, key = tickId. */
export interface DailyTick {
  /** 'daily:YYYY-MM-DD'. */
  tickId: string;
  /** The calendar day, YYYY-MM-DD, in timeZone. */
  day: string;
  /** IANA time zone of the day, 'Europe/Paris'. */
  timeZone: string;
  /** 'scheduler' or 'api'. */
  requestedBy: string;
  /** When the tick was recorded (UTC epoch milliseconds). */
  requestedAt: number;
}

/** Lobstr reported a finished scraping run (webhook event run.done); the importer pages through its results. Topic lobstr.runs, key = runId. */
export interface LobstrRunCompleted {
  /** Lobstr's run id. */
  runId: string;
  /** Lobstr's squid (scraper configuration) id. */
  squid: null | string;
  /** The webhook event name, 'run.done'. */
  event: string;
  /** The webhook's timestamp, or the time it was received (UTC epoch milliseconds). */
  notifiedAt: number;
}

/** An account has a new lead: an ad matched one of its hunts. Carries the contact decision and a snapshot of the ad. Topic leads.created, key = accountId. */
export interface LeadCreated {
  /** The lead. */
  leadId: string;
  /** The account owning the lead. */
  accountId: string;
  /** The account's oldest active hunt that matched the ad. */
  huntId: string;
  /** The ad. */
  adId: string;
  /** Kanban stage at creation: 'nouveau' (not contacted) or 'contacte' (a message is on its way). */
  stage: string;
  /** Order within the stage column; smaller comes first (new leads go on top). */
  position: number;
  /** True when a message to the seller was scheduled (a SendMessage follows). */
  contacted: boolean;
  /** Why the seller was not contacted: no_outreach, no_phone, not_mobile (a landline: SMS and WhatsApp cannot reach it), refuses_salesmen, opted_out (the phone opted out: STOP or by hand), already_contacted (this ad, or its seller's phone within CONTACT_COOLDOWN_DAYS) or pacing. Null when contacted. */
  reason: null | string;
  /** The message scheduled to the seller, when contacted. */
  messageId: null | string;
  /** The outreach channel (sms, whatsapp, leboncoin), when contacted. */
  channel: null | string;
  /** When the lead was created (UTC epoch milliseconds). */
  createdAt: number;
  /** Snapshot of the ad when the lead was created. */
  ad: Ad;
}

/** Command to deliver an outreach message to a seller. Topic messages.send, key = accountId. */
export interface SendMessage {
  /** The message; also the gateway's Idempotency-Key. */
  messageId: string;
  /** The account sending the message. */
  accountId: string;
  /** The lead the message belongs to. */
  leadId: string;
  /** The hunt whose outreach template was used. */
  huntId: string;
  /** The ad whose seller is contacted. */
  adId: string;
  /** sms, whatsapp or leboncoin. */
  channel: string;
  /** Recipient: a phone number in E.164 for sms/whatsapp, the listing id for leboncoin. */
  to: string;
  /** The rendered message text. */
  content: string;
  /** When the message was scheduled (UTC epoch milliseconds). */
  requestedAt: number;
}

/** The message gateway accepted a message. Topic messages.sent, key = accountId. */
export interface MessageSent {
  /** The message. */
  messageId: string;
  /** The account that sent it. */
  accountId: string;
  /** The lead the message belongs to. */
  leadId: string;
  /** The ad whose seller was contacted. */
  adId: string;
  /** sms, whatsapp or leboncoin. */
  channel: string;
  /** The gateway's id for the message. */
  externalId: null | string;
  /** Delivery attempts it took, 1 or more. */
  attempts: number;
  /** When the gateway accepted it (UTC epoch milliseconds). */
  sentAt: number;
}

/** A message could not be delivered; the lead is back to 'nouveau' and the ad may be contacted again later, unless the message had an SMS fallback (a WhatsApp message its seller cannot get on WhatsApp): then a new SMS message takes its place (its own SendMessage). Topic messages.failed, key = accountId. */
export interface MessageFailed {
  /** The message. */
  messageId: string;
  /** The account that tried to send it. */
  accountId: string;
  /** The lead the message belongs to. */
  leadId: string;
  /** The ad whose seller was not reached. */
  adId: string;
  /** sms, whatsapp or leboncoin. */
  channel: string;
  /** Why: not_mobile, opted_out (the seller's phone opted out, here or at the provider), not_on_whatsapp, undeliverable (the provider could not deliver it, at the request or by its status callback after it was sent), the provider's answer to a refusal it does not classify, or the last transient error. */
  reason: string;
  /** True when the provider refused the message (a 4xx, or a failed or undelivered status callback with a final error code) or the phone opted out; false when retries ran out. */
  permanent: boolean;
  /** Delivery attempts made. */
  attempts: number;
  /** When the message was given up (UTC epoch milliseconds). */
  failedAt: number;
  /** The provider's code for the failure, when it gave one (Twilio's error code, e.g. 30006 or 63016; Brevo's event, e.g. hard_bounce, or HTTP status). Added in release 4. */
  errorCode: null | string;
  /** The provider that refused or failed the message: http (the generic gateway), twilio or brevo; null when it was given up without a call (an opt-out). Added in release 4. */
  provider: null | string;
}

/** The provider's delivery receipt for a sent message: delivered to the seller's phone, or not; once per attempt, the first final status of an attempt being its truth. Topic messages.delivered, key = accountId. An UNDELIVERED receipt with the provider's final error code is followed by what the code means (docs/providers.md): a MessageFailed that releases the contact, a later attempt (the phone was off), or a hold on the account's sending; the generic gateway's carries no code and releases nothing. */
export interface MessageDelivered {
  /** The message. */
  messageId: string;
  /** The account that sent it. */
  accountId: string;
  /** The lead the message belongs to. */
  leadId: string;
  /** The ad whose seller was messaged. */
  adId: string;
  /** DELIVERED: the operator handed it to the phone; UNDELIVERED: it will not be (unknown or unreachable number). */
  status: DeliveryStatus;
  /** When the gateway says it happened (UTC epoch milliseconds). */
  at: number;
  /** With UNDELIVERED, the provider's error code when it gave one (Twilio's ErrorCode, e.g. 30006; Brevo's bounce reason). Added in release 3. */
  errorCode: null | string;
  /** The provider that sent the message and reported the receipt: http (the generic gateway), twilio or brevo. Added in release 3. */
  provider: null | string;
}

export type DeliveryStatus = 'DELIVERED' | 'UNDELIVERED';

/** A seller answered a message of an account: the reply, joined to the lead that caused it. Topic messages.replied, key = accountId. The lead's stage does not change (the stages after contacte are the dealer's); STOP and START are opt-outs and opt-ins, never replies. Added in release 3. */
export interface SellerReplied {
  /** The reply (inbound_messages.id): the same reply reported twice by its provider is one event. */
  replyId: string;
  /** The lead the answered message belongs to. */
  leadId: string;
  /** The ad whose seller replied. */
  adId: string;
  /** The account whose message the seller answered (its own number, or the newest message to that phone on a shared number). */
  accountId: string;
  /** The hunt the lead is attributed to. */
  huntId: string;
  /** The outbound message it answers: the newest the account sent to that phone. */
  messageId: string;
  /** The seller's phone, E.164. */
  from: string;
  /** Our number the reply reached (E.164, or whatsapp:+E.164), when the provider said. */
  to: null | string;
  /** What the seller wrote. */
  text: string;
  /** When the provider received it (UTC epoch milliseconds). */
  receivedAt: number;
  /** The provider that reported it: http (the generic gateway), twilio or brevo. */
  provider: string;
}

export interface EventPayloads {
  AdScraped: AdScraped;
  HuntChanged: HuntChanged;
  DailyTick: DailyTick;
  LobstrRunCompleted: LobstrRunCompleted;
  LeadCreated: LeadCreated;
  SendMessage: SendMessage;
  MessageSent: MessageSent;
  MessageFailed: MessageFailed;
  MessageDelivered: MessageDelivered;
  SellerReplied: SellerReplied;
}
