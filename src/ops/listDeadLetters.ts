// Listing the dead letters: how many each dead-letter topic holds and how many still wait for a
// replay, and the latest of them with their reason, source and replay. Reads cost a group join
// (src/ops/readRecords.ts), so what was read is kept until a topic's watermarks move.
import type { Admin, IHeaders, Kafka, KafkaMessage } from 'kafkajs';
import { readHeaders } from '../events/envelope.js';
import { CONSUMED_TOPICS, type BaseTopic } from '../events/topics.js';
import type { DeadLetter, DeadLetterCount } from './deadLetterTypes.js';
import { readRecords, watermarksOf, type OffsetRange } from './readRecords.js';
import { replayKeyOf, splitReplayKey, type ReplayLog } from './replayLog.js';

export const headersOf = (headers: IHeaders | undefined) => readHeaders(headers) as Record<string, string>;

interface ListingDeps {
  kafka: Kafka;
  admin: Pick<Admin, 'fetchTopicOffsets' | 'deleteGroups'>;
  prefix: string;
  dlqOf: (topic: BaseTopic) => string;
  replayLog: ReplayLog;
}

/** What was read of each partition (`topic:partition`), valid while its watermarks stay. */
type RecordCache = Map<string, { low: bigint; high: bigint; from: bigint; records: KafkaMessage[] }>;

export function createDeadLetterListing(deps: ListingDeps) {
  const cache: RecordCache = new Map();

  return {
    async counts(): Promise<DeadLetterCount[]> {
      const log = await deps.replayLog.entries();
      return Promise.all(
        CONSUMED_TOPICS.map(async (topic) => {
          const name = deps.dlqOf(topic);
          const marks = await watermarksOf(deps.admin, name);
          const total = marks.reduce((n, m) => n + Number(m.high - m.low), 0);
          const replayed = countReplayed(name, marks, log);
          return { topic, total, waiting: total - replayed };
        }),
      );
    },

    async list(options: { topic?: BaseTopic; limit?: number } = {}): Promise<DeadLetter[]> {
      const limit = Math.max(1, Math.min(options.limit ?? 20, 1000));
      const topics = options.topic ? [options.topic] : [...CONSUMED_TOPICS];
      const log = await deps.replayLog.entries();
      const all = (
        await Promise.all(
          topics.map(async (topic) =>
            (await latest(deps, cache, topic, limit)).map((r) =>
              toDeadLetter(deps.dlqOf(topic), topic, r.partition, r.message, log),
            ),
          ),
        )
      ).flat();
      return all.sort(newestFirst).slice(0, limit);
    },
  };
}

/** The last `limit` records of each partition of a dead-letter topic. */
async function latest(
  deps: ListingDeps,
  cache: RecordCache,
  topic: BaseTopic,
  limit: number,
): Promise<Array<{ partition: number; message: KafkaMessage }>> {
  const name = deps.dlqOf(topic);
  const marks = await watermarksOf(deps.admin, name);
  const out: Array<{ partition: number; message: KafkaMessage }> = [];
  const toRead: OffsetRange[] = [];
  for (const m of marks) {
    const from = m.high - BigInt(limit) > m.low ? m.high - BigInt(limit) : m.low;
    const cached = cache.get(`${name}:${m.partition}`);
    if (cached && cached.high === m.high && cached.low === m.low && cached.from <= from) {
      out.push(
        ...cached.records
          .filter((r) => BigInt(r.offset) >= from)
          .map((message) => ({ partition: m.partition, message })),
      );
    } else toRead.push({ topic: name, partition: m.partition, from, to: m.high });
  }
  const reader = { kafka: deps.kafka, admin: deps.admin, groupPrefix: deps.prefix };
  for (const r of await readRecords(reader, toRead)) out.push({ partition: r.partition, message: r.message });
  for (const range of toRead) {
    const low = marks.find((m) => m.partition === range.partition)!.low;
    cache.set(`${name}:${range.partition}`, {
      low,
      high: range.to,
      from: range.from,
      records: out.filter((o) => o.partition === range.partition).map((o) => o.message),
    });
  }
  return out;
}

/** The latest dead-lettered first; within one instant, the higher offset first. */
function newestFirst(a: DeadLetter, b: DeadLetter): number {
  return a.deadLetteredAt < b.deadLetteredAt
    ? 1
    : a.deadLetteredAt > b.deadLetteredAt
      ? -1
      : Number(BigInt(b.offset) - BigInt(a.offset));
}

function toDeadLetter(
  dlq: string,
  topic: BaseTopic,
  partition: number,
  message: KafkaMessage,
  log: Map<string, string>,
): DeadLetter {
  const h = headersOf(message.headers);
  const sourcePartition = h['dlq-source-partition'] !== undefined ? Number(h['dlq-source-partition']) : NaN;
  return {
    topic,
    partition,
    offset: message.offset,
    reason: h['dlq-reason'] ?? 'unknown',
    sourcePartition: Number.isInteger(sourcePartition) ? sourcePartition : null,
    sourceOffset: h['dlq-source-offset'] ?? null,
    consumer: h['dlq-consumer'] ?? null,
    deadLetteredAt: h['dlq-at'] ?? new Date(Number(message.timestamp)).toISOString(),
    key: message.key?.toString() ?? null,
    eventType: h['event-type'] ?? null,
    eventId: h['event-id'] ?? null,
    bytes: message.value?.length ?? 0,
    failedAfterReplayAt: h['dlq-replayed-at'] ?? null,
    replayedAt: log.get(replayKeyOf(dlq, partition, message.offset)) ?? null,
  };
}

/** How many of a dead-letter topic's records (still within its watermarks) the replay log names. */
function countReplayed(
  name: string,
  marks: Array<{ partition: number; low: bigint; high: bigint }>,
  log: Map<string, string>,
) {
  let replayed = 0;
  for (const key of log.keys()) {
    const [t, p, o] = splitReplayKey(key);
    const m = marks.find((x) => x.partition === p);
    if (t === name && m && o >= m.low && o < m.high) replayed++;
  }
  return replayed;
}
