// A downstream CRM consumer of hunt-matcher, written the way another team would write it: kafkajs,
// avsc and the published .avsc files, nothing imported from hunt-matcher's code (docs/events.md).
// It keeps a small Kanban of leads from leads.created, messages.sent, messages.failed, the
// providers' delivery receipts on messages.delivered and the sellers' replies on messages.replied.
//
//   KAFKA_BROKERS=127.0.0.1:9092 TOPIC_PREFIX= npm run example:crm
//
// Environment: KAFKA_BROKERS (comma-separated, default localhost:9092), TOPIC_PREFIX (default empty),
// CRM_GROUP_ID (default crm-kanban), SCHEMAS_DIR (default ../schemas next to this file).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import avro from 'avsc';
import { Kafka, logLevel, type IHeaders } from 'kafkajs';

const brokers = (process.env.KAFKA_BROKERS ?? 'localhost:9092')
  .split(',')
  .map((b) => b.trim())
  .filter(Boolean);
const prefix = process.env.TOPIC_PREFIX ?? '';
const groupId = process.env.CRM_GROUP_ID ?? 'crm-kanban';
const schemasDir = process.env.SCHEMAS_DIR ?? join(dirname(fileURLToPath(import.meta.url)), '..', 'schemas');

// --- Decoding: Avro single-object encoding, C3 01 | CRC-64-AVRO fingerprint (8 bytes LE) | body ---

// CRC-64-AVRO of the Avro specification ("Schema Fingerprints"), over the Parsing Canonical Form.
const EMPTY = 0xc15d213aa4d7a795n;
const TABLE = Array.from({ length: 256 }, (_, i) => {
  let fp = BigInt(i);
  for (let j = 0; j < 8; j++) fp = (fp >> 1n) ^ (EMPTY & -(fp & 1n));
  return fp;
});
function fingerprint(type: avro.Type): bigint {
  // avsc's schema() with no options is the Parsing Canonical Form.
  let fp = EMPTY;
  for (const byte of Buffer.from(JSON.stringify(type.schema()), 'utf8'))
    fp = (fp >> 8n) ^ TABLE[Number((fp ^ BigInt(byte)) & 0xffn)]!;
  return fp;
}

type EventName = 'LeadCreated' | 'MessageSent' | 'MessageFailed' | 'MessageDelivered' | 'SellerReplied';
const EVENTS: EventName[] = ['LeadCreated', 'MessageSent', 'MessageFailed', 'MessageDelivered', 'SellerReplied'];
const parse = (file: string) =>
  avro.Type.forSchema(JSON.parse(readFileSync(file, 'utf8')) as avro.Schema, { wrapUnions: false });

// Our reader is schemas/<Event>.avsc; events may have been written with it or with any released version.
const readers = new Map<bigint, { event: EventName; type: avro.Type; resolver: avro.Resolver }>();
const releasedDir = join(schemasDir, 'released');
const versions = existsSync(releasedDir) ? readdirSync(releasedDir).map((v) => join(releasedDir, v)) : [];
for (const event of EVENTS) {
  const reader = parse(join(schemasDir, `${event}.avsc`));
  for (const dir of [schemasDir, ...versions]) {
    const file = join(dir, `${event}.avsc`);
    if (!existsSync(file)) continue;
    const writer = parse(file);
    readers.set(fingerprint(writer), { event, type: reader, resolver: reader.createResolver(writer) });
  }
}

function decode(value: Buffer): { event: EventName; payload: Record<string, unknown> } {
  if (value.length < 10 || value[0] !== 0xc3 || value[1] !== 0x01) throw new Error('not Avro single-object encoded');
  const reader = readers.get(value.readBigUInt64LE(2));
  if (!reader)
    throw new Error(
      `unknown writer schema ${value.subarray(2, 10).toString('hex')}: update schemas/ from hunt-matcher`,
    );
  return {
    event: reader.event,
    payload: reader.type.fromBuffer(value.subarray(10), reader.resolver) as Record<string, unknown>,
  };
}

const header = (headers: IHeaders | undefined, name: string) => {
  const v = headers?.[name];
  return (Array.isArray(v) ? v[0] : v)?.toString();
};

// --- The Kanban ---

interface Lead {
  leadId: string;
  stage: 'nouveau' | 'contacte';
  message: 'none' | 'scheduled' | 'sent' | 'failed';
  title: string;
  price: number | null;
  city: string | null;
  reason: string | null;
  /** The gateway's receipt, once it came: DELIVERED or UNDELIVERED. */
  receipt: string | null;
  /** The seller's replies, oldest first: the moment the dealer waits for. */
  replies: string[];
  at: number;
}
const leads = new Map<string, Lead>();
const counts = {
  leadsCreated: 0,
  messagesSent: 0,
  messagesFailed: 0,
  receipts: 0,
  replies: 0,
  duplicates: 0,
  undecodable: 0,
};
// Deduplication on the event-id header: delivery is at least once. In memory here; a real consumer
// stores the ids it processed in the same transaction as their effects, or redelivery after a
// restart applies them twice.
const seen = new Set<string>();
const euros = new Intl.NumberFormat('fr-FR', { style: 'currency', currency: 'EUR', maximumFractionDigits: 0 });

function apply(event: EventName, p: Record<string, unknown>) {
  const leadId = p.leadId as string;
  // Topics are ordered per key, not across topics: a message event may come before its lead.
  const lead: Lead = leads.get(leadId) ?? {
    leadId,
    stage: 'nouveau',
    message: 'none',
    title: '(lead not seen yet)',
    price: null,
    city: null,
    reason: null,
    receipt: null,
    replies: [],
    at: 0,
  };
  if (event === 'LeadCreated') {
    const ad = p.ad as { title: string; price: number | null; city: string | null };
    counts.leadsCreated++;
    Object.assign(lead, { title: ad.title, price: ad.price, city: ad.city, at: p.createdAt as number });
    if (lead.message === 'none')
      Object.assign(lead, {
        stage: p.stage as Lead['stage'],
        message: p.contacted ? 'scheduled' : 'none',
        reason: p.reason as string | null,
      });
    console.log(
      `[crm] lead created: ${leadId} account=${String(p.accountId)} stage=${String(p.stage)} "${ad.title}" ${ad.price === null ? '' : euros.format(ad.price)} ${ad.city ?? ''}`,
    );
  } else if (event === 'MessageSent') {
    counts.messagesSent++;
    Object.assign(lead, { stage: 'contacte', message: 'sent', reason: null });
    console.log(`[crm] message sent: lead ${leadId} by ${String(p.channel)} after ${String(p.attempts)} attempt(s)`);
  } else if (event === 'MessageDelivered') {
    counts.receipts++;
    // A receipt: the SMS reached the handset, or the operator gave up. The contact stands either way.
    lead.receipt = p.status as string;
    console.log(`[crm] receipt: lead ${leadId} ${String(p.status).toLowerCase()}`);
  } else if (event === 'SellerReplied') {
    counts.replies++;
    // The seller answered: hunt-matcher leaves the stage alone; moving the card is the dealer's call.
    lead.replies.push(p.text as string);
    console.log(`[crm] reply: lead ${leadId} from ${String(p.from)}: "${String(p.text)}"`);
  } else {
    counts.messagesFailed++;
    // hunt-matcher put the lead back to 'nouveau': the seller was never reached.
    Object.assign(lead, { stage: 'nouveau', message: 'failed', reason: p.reason as string });
    console.log(`[crm] message failed: lead ${leadId} (${String(p.reason)}${p.permanent ? ', permanent' : ''})`);
  }
  leads.set(leadId, lead);
}

function summary(): string {
  const all = [...leads.values()];
  const n = (f: (l: Lead) => boolean) => all.filter(f).length;
  const lines = [
    `[crm] kanban: nouveau ${n((l) => l.stage === 'nouveau')} | contacte ${n((l) => l.stage === 'contacte')} ` +
      `(sent ${n((l) => l.message === 'sent')}, awaiting gateway ${n((l) => l.message === 'scheduled')}) | failed messages ${counts.messagesFailed}` +
      ` | events: ${counts.leadsCreated} leads created, ${counts.messagesSent} sent, ${counts.messagesFailed} failed, ${counts.receipts} receipts, ${counts.replies} replies, ${counts.duplicates} duplicates skipped` +
      (counts.undecodable ? `, ${counts.undecodable} undecodable` : ''),
  ];
  for (const l of all.sort((a, b) => b.at - a.at).slice(0, 5)) {
    lines.push(
      `[crm]   ${l.stage.padEnd(8)} ${l.message.padEnd(9)} ${l.title}${l.price === null ? '' : `, ${euros.format(l.price)}`}${l.city ? `, ${l.city}` : ''}${l.reason ? ` (${l.reason})` : ''}${l.receipt ? ` [${l.receipt.toLowerCase()}]` : ''}${l.replies.length ? ` «${l.replies.at(-1)}»` : ''}`,
    );
  }
  return lines.join('\n');
}

// Print the board once things settle, not after every one of a thousand replayed events.
let printTimer: NodeJS.Timeout | undefined;
const schedulePrint = () => (printTimer ??= setTimeout(() => ((printTimer = undefined), console.log(summary())), 500));

// --- Kafka ---

const kafka = new Kafka({ clientId: 'crm-kanban-example', brokers, logLevel: logLevel.WARN });
const consumer = kafka.consumer({ groupId });
const topics = ['leads.created', 'messages.sent', 'messages.failed', 'messages.delivered', 'messages.replied'].map(
  (t) => `${prefix}${t}`,
);

await consumer.connect();
// A new group starts from the beginning (replays every lead); afterwards its committed offsets win.
await consumer.subscribe({ topics, fromBeginning: true });
await consumer.run({
  eachMessage: async ({ topic, partition, message }) => {
    const eventId = header(message.headers, 'event-id');
    if (eventId && seen.has(eventId)) {
      counts.duplicates++;
      return;
    }
    try {
      if (!message.value) throw new Error('empty value');
      const { event, payload } = decode(message.value);
      apply(event, payload);
    } catch (error) {
      // A real consumer would park the message (its own dead-letter topic) rather than skip it.
      counts.undecodable++;
      console.error(`[crm] skipped ${topic}[${partition}]@${message.offset}: ${(error as Error).message}`);
    }
    if (eventId) seen.add(eventId);
    schedulePrint();
  },
});
console.log(
  `[crm] consuming ${topics.join(', ')} from ${brokers.join(',')} as ${groupId} (${readers.size} known writer schemas)`,
);

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    if (stopping) return;
    stopping = true;
    clearTimeout(printTimer);
    // disconnect() lets the message in progress finish, commits offsets and leaves the group.
    consumer
      .disconnect()
      .then(() => {
        console.log(summary());
        console.log('[crm] stopped');
        process.exit(0);
      })
      .catch((error: unknown) => {
        console.error('[crm] shutdown failed', error);
        process.exit(1);
      });
  });
}
