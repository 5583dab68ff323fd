// Reads Kafka topics for operators' tools (the dead letters): their watermarks, and given offset ranges
// once. kafkajs has no fetch outside a consumer group, so each read joins a group of its own, seeks,
// reads up to the end of each range, leaves and deletes the group: nothing is committed, nothing remains.
import { randomBytes } from 'node:crypto';
import type { Admin, Kafka, KafkaMessage } from 'kafkajs';
import { retryKafka } from '../platform/kafka.js';

export interface OffsetRange {
  topic: string;
  partition: number;
  /** First offset to read. */
  from: bigint;
  /** Offset after the last one to read (the high watermark to read to the end). */
  to: bigint;
}

export interface ReadRecord {
  topic: string;
  partition: number;
  message: KafkaMessage;
}

export async function readRecords(
  deps: { kafka: Kafka; admin: Pick<Admin, 'deleteGroups'>; groupPrefix: string },
  ranges: OffsetRange[],
  options: { timeoutMs?: number } = {},
): Promise<ReadRecord[]> {
  const wanted = ranges.filter((r) => r.to > r.from);
  if (wanted.length === 0) return [];
  const groupId = `${deps.groupPrefix}hunt-matcher-ops-reader-${randomBytes(6).toString('hex')}`;
  const consumer = deps.kafka.consumer({
    groupId,
    allowAutoTopicCreation: false,
    maxWaitTimeInMs: 200,
    retry: { retries: 3 },
  });
  const keyOf = (topic: string, partition: number) => `${topic}\u0000${partition}`;
  const pending = new Map(wanted.map((r) => [keyOf(r.topic, r.partition), r]));
  const records: ReadRecord[] = [];
  let done!: () => void;
  const finished = new Promise<void>((resolve) => (done = resolve));

  await consumer.connect();
  try {
    for (const topic of new Set(wanted.map((r) => r.topic))) await consumer.subscribe({ topic, fromBeginning: true });
    // Seeking needs the group joined: position every partition there once, when it first joins.
    let seeked = false;
    consumer.on(consumer.events.GROUP_JOIN, () => {
      if (seeked) return;
      seeked = true;
      for (const r of wanted) consumer.seek({ topic: r.topic, partition: r.partition, offset: r.from.toString() });
    });
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        const range = pending.get(keyOf(batch.topic, batch.partition));
        if (!range) return;
        for (const message of batch.messages) {
          const offset = BigInt(message.offset);
          if (offset >= range.from && offset < range.to)
            records.push({ topic: batch.topic, partition: batch.partition, message });
        }
        // The record before the high watermark always exists, even in a compacted topic (it is the
        // newest of its key, and no transaction markers are written): reaching it ends the range.
        const last = batch.messages.length ? BigInt(batch.messages[batch.messages.length - 1]!.offset) : -1n;
        if (last + 1n >= range.to) pending.delete(keyOf(batch.topic, batch.partition));
        if (pending.size === 0) done();
      },
    });
    await withinTimeout(finished, options.timeoutMs ?? 20_000, wanted);
  } finally {
    await consumer.disconnect().catch(() => undefined);
    await deps.admin.deleteGroups([groupId]).catch(() => undefined);
  }
  return records.sort(inLogOrder);
}

/** Waits for `finished`; rejects, naming the topics read, when it takes more than `timeoutMs`. */
async function withinTimeout(finished: Promise<void>, timeoutMs: number, wanted: OffsetRange[]): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    finished,
    new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new Error(`reading ${[...new Set(wanted.map((r) => r.topic))].join(', ')} took more than ${timeoutMs} ms`),
          ),
        timeoutMs,
      );
    }),
  ]).finally(() => clearTimeout(timer));
}

/** By topic, partition and offset. */
function inLogOrder(a: ReadRecord, b: ReadRecord): number {
  return a.topic === b.topic
    ? a.partition - b.partition || Number(BigInt(a.message.offset) - BigInt(b.message.offset))
    : a.topic < b.topic
      ? -1
      : 1;
}

export interface Watermarks {
  partition: number;
  low: bigint;
  high: bigint;
}

/** The low and high watermarks of each partition of a topic; none for a topic that does not exist. */
export async function watermarksOf(admin: Pick<Admin, 'fetchTopicOffsets'>, topic: string): Promise<Watermarks[]> {
  try {
    const offsets = await retryKafka(() => admin.fetchTopicOffsets(topic), { attempts: 3 });
    return offsets.map((o) => ({ partition: o.partition, low: BigInt(o.low), high: BigInt(o.high) }));
  } catch (error) {
    if (/does not host this topic-partition|unknown topic/i.test(String((error as Error).message))) return [];
    throw error;
  }
}
