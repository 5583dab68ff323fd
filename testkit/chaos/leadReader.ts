// A reader of leads.created as a downstream CRM would be, in the test process: each LeadCreated is
// decoded with the service's codec and noted with the moment it was read, by lead (the first read:
// the relay may publish an event twice), with its ad's externalId, so that a lead can be timed from
// the request that carried its ad.
import { randomUUID } from 'node:crypto';
import { createCodec } from '../../src/events/codec.js';
import { waitFor } from '../waitFor.js';
import type { ChaosEnv } from './chaosEnv.js';

export interface LeadRead {
  externalId: string;
  readAt: number;
}

export async function startLeadReader(env: ChaosEnv) {
  const codec = createCodec();
  const reads = new Map<string, LeadRead>();
  let undecodable = 0;
  const consumer = env.client.consumer({ groupId: `chaos-lead-reader-${randomUUID()}`, maxWaitTimeInMs: 100 });
  let joined = false;
  consumer.on(consumer.events.GROUP_JOIN, () => (joined = true));
  await consumer.connect();
  await consumer.subscribe({ topic: env.topics.name('leads.created'), fromBeginning: false });
  await consumer.run({
    partitionsConsumedConcurrently: 6,
    eachBatch: async ({ batch }) => {
      const readAt = Date.now();
      for (const m of batch.messages) {
        try {
          const lead = codec.decodeAs('LeadCreated', m.value!);
          if (!reads.has(lead.leadId)) reads.set(lead.leadId, { externalId: lead.ad.externalId, readAt });
        } catch {
          undecodable++;
        }
      }
    },
  });
  await waitFor(() => joined, { timeoutMs: 60_000, message: 'the leads.created reader joined' });
  return { reads, undecodable: () => undecodable, stop: () => consumer.disconnect() };
}

/** Nearest-rank percentile of `values` (NaN when empty). */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}
