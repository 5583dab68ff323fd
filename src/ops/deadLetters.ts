// The dead letters, for operators: what `npm run dlq` and the console's /v1/ops/dead-letters show and
// replay (one module for both).
//
// A dead letter is a record of `<topic>.dlq`: the original key, value and headers, plus dlq-reason,
// dlq-source-topic, dlq-source-partition, dlq-source-offset, dlq-consumer and dlq-at (written by
// src/consumers/pipeline/deadLetter.ts). Replaying one publishes its key, value and headers, without
// the dlq-* ones and with `dlq-replayed-at`, back to its source topic, where the consumer sees it again:
//   - an event already applied changes nothing (the inbox has its event id);
//   - an event that fails again is dead-lettered again, with its new reason (its dlq-replayed-at header
//     tells it came back from a replay). Nothing replays automatically, so it never loops.
// Kafka cannot delete one record of a topic, so what was replayed is recorded in a compacted topic of
// its own, `<prefix>dlq.replays` (key: dead-letter topic, partition, offset), which every instance and
// the CLI read: a dead letter is waiting until it is replayed. The replay is published before it is
// recorded; a crash in between can replay it twice, which the inbox makes harmless.
import type { Admin, IHeaders, Kafka, KafkaMessage, Producer } from 'kafkajs';
import { readHeaders } from '../events/envelope.js';
import { CONSUMED_TOPICS, dlqTopic, type BaseTopic, type Topics } from '../events/topics.js';
import { retryKafka } from '../platform/kafka.js';
import { readRecords, type OffsetRange } from './readRecords.js';

export interface DeadLetter {
  /** The source topic it came from, before TOPIC_PREFIX (e.g. ads.scraped); it sits in `<topic>.dlq`. */
  topic: BaseTopic;
  partition: number;
  /** Its offset in the dead-letter topic: what `replay --offset` takes. */
  offset: string;
  reason: string;
  sourcePartition: number | null;
  sourceOffset: string | null;
  consumer: string | null;
  deadLetteredAt: string;
  key: string | null;
  eventType: string | null;
  eventId: string | null;
  bytes: number;
  /** It is a replayed event that failed again: when that replay was published. */
  failedAfterReplayAt: string | null;
  /** When an operator replayed it, or null while it waits. */
  replayedAt: string | null;
}

export interface DeadLetterCount {
  topic: BaseTopic;
  /** Dead letters in the topic. */
  total: number;
  /** Those not replayed yet. */
  waiting: number;
}

export interface ReplayRequest {
  topic: BaseTopic;
  /** One dead letter by its offset, or every waiting one of the topic. */
  offset?: string;
  all?: boolean;
  dryRun?: boolean;
  partition?: number;
}

export interface Replayed {
  offset: string;
  to: { topic: string; partition: number | null; offset: string | null };
  eventId: string | null;
}

export interface ReplayResult {
  topic: BaseTopic;
  dryRun: boolean;
  replayed: Replayed[];
  /** Already replayed before (with --all they are left alone). */
  skipped: Array<{ offset: string; replayedAt: string }>;
}

/** A request an operator can fix: an unknown topic, an offset that is not there, a dead letter replayed already. */
export class DeadLetterRequestError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
    this.name = 'DeadLetterRequestError';
  }
}

export interface DeadLettersDeps {
  kafka: Kafka;
  admin: Pick<Admin, 'fetchTopicOffsets' | 'createTopics' | 'deleteGroups' | 'listTopics'>;
  /** Publishes the replays and the replay log (the service's idempotent producer). */
  producer: Pick<Producer, 'send'>;
  topics: Topics;
  now?: () => Date;
}

export interface DeadLetters {
  topicNames(): BaseTopic[];
  counts(): Promise<DeadLetterCount[]>;
  /** The latest dead letters, newest first (of one topic, or of all). */
  list(options?: { topic?: BaseTopic; limit?: number }): Promise<DeadLetter[]>;
  replay(request: ReplayRequest): Promise<ReplayResult>;
}

const REPLAY_LOG = 'dlq.replays';
const isDlqHeader = (name: string) => name.startsWith('dlq-');

export function parseDeadLetterTopic(name: string): BaseTopic | undefined {
  const base = name.endsWith('.dlq') ? name.slice(0, -4) : name;
  return (CONSUMED_TOPICS as string[]).includes(base) ? (base as BaseTopic) : undefined;
}

export function createDeadLetters(deps: DeadLettersDeps): DeadLetters {
  const now = deps.now ?? (() => new Date());
  const prefix = deps.topics.prefix;
  const replayLogTopic = `${prefix}${REPLAY_LOG}`;
  const dlqOf = (topic: BaseTopic) => dlqTopic(deps.topics.name(topic));
  const reader = { kafka: deps.kafka, admin: deps.admin, groupPrefix: prefix };

  // Reads cost a group join: what was read is kept until the topic's watermarks move.
  const cache = new Map<string, { low: bigint; high: bigint; from: bigint; records: KafkaMessage[] }>();
  let replayLog: { high: bigint; entries: Map<string, string> } | undefined;

  async function watermarks(topic: string): Promise<Array<{ partition: number; low: bigint; high: bigint }>> {
    try {
      const offsets = await retryKafka(() => deps.admin.fetchTopicOffsets(topic), { attempts: 3 });
      return offsets.map((o) => ({ partition: o.partition, low: BigInt(o.low), high: BigInt(o.high) }));
    } catch (error) {
      if (/does not host this topic-partition|unknown topic/i.test(String((error as Error).message))) return [];
      throw error;
    }
  }

  /** The replay log: `dlqTopic:partition:offset` -> when it was replayed. */
  async function replays(): Promise<Map<string, string>> {
    if (!(await deps.admin.listTopics()).includes(replayLogTopic)) return new Map();
    const marks = await watermarks(replayLogTopic);
    const high = marks.reduce((n, m) => n + m.high, 0n);
    if (replayLog && replayLog.high === high) return replayLog.entries;
    const records = await readRecords(reader, marks.map((m) => ({ topic: replayLogTopic, partition: m.partition, from: m.low, to: m.high })));
    const entries = new Map<string, string>();
    for (const { message } of records) {
      if (!message.key || !message.value) continue;
      entries.set(message.key.toString(), (JSON.parse(message.value.toString()) as { replayedAt: string }).replayedAt);
    }
    replayLog = { high, entries };
    return entries;
  }

  /** The last `limit` records of each partition of a dead-letter topic. */
  async function latest(topic: BaseTopic, limit: number): Promise<Array<{ partition: number; message: KafkaMessage }>> {
    const name = dlqOf(topic);
    const marks = await watermarks(name);
    const out: Array<{ partition: number; message: KafkaMessage }> = [];
    const toRead: OffsetRange[] = [];
    for (const m of marks) {
      const from = m.high - BigInt(limit) > m.low ? m.high - BigInt(limit) : m.low;
      const cached = cache.get(`${name}:${m.partition}`);
      if (cached && cached.high === m.high && cached.low === m.low && cached.from <= from) {
        out.push(...cached.records.filter((r) => BigInt(r.offset) >= from).map((message) => ({ partition: m.partition, message })));
      } else toRead.push({ topic: name, partition: m.partition, from, to: m.high });
    }
    for (const r of await readRecords(reader, toRead)) out.push({ partition: r.partition, message: r.message });
    for (const range of toRead) {
      const low = marks.find((m) => m.partition === range.partition)!.low;
      cache.set(`${name}:${range.partition}`, { low, high: range.to, from: range.from, records: out.filter((o) => o.partition === range.partition).map((o) => o.message) });
    }
    return out;
  }

  function toDeadLetter(topic: BaseTopic, partition: number, message: KafkaMessage, log: Map<string, string>): DeadLetter {
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
      replayedAt: log.get(`${dlqOf(topic)}:${partition}:${message.offset}`) ?? null,
    };
  }

  async function recordReplays(entries: Array<{ key: string; value: string }>) {
    if (entries.length === 0) return;
    const existing = await deps.admin.listTopics();
    if (!existing.includes(replayLogTopic)) {
      await deps.admin
        .createTopics({ waitForLeaders: true, topics: [{ topic: replayLogTopic, numPartitions: 1, configEntries: [{ name: 'cleanup.policy', value: 'compact' }] }] })
        .catch((error: unknown) => {
          if (!/already exists/i.test(String((error as Error).message))) throw error;
        });
    }
    await retryKafka(() => deps.producer.send({ topic: replayLogTopic, acks: -1, messages: entries }));
  }

  return {
    topicNames: () => [...CONSUMED_TOPICS],

    async counts() {
      const log = await replays();
      return Promise.all(
        CONSUMED_TOPICS.map(async (topic) => {
          const name = dlqOf(topic);
          const marks = await watermarks(name);
          const total = marks.reduce((n, m) => n + Number(m.high - m.low), 0);
          let replayed = 0;
          for (const key of log.keys()) {
            const [t, p, o] = splitKey(key);
            const m = marks.find((x) => x.partition === p);
            if (t === name && m && o >= m.low && o < m.high) replayed++;
          }
          return { topic, total, waiting: total - replayed };
        }),
      );
    },

    async list(options = {}) {
      const limit = Math.max(1, Math.min(options.limit ?? 20, 1000));
      const topics = options.topic ? [options.topic] : [...CONSUMED_TOPICS];
      const log = await replays();
      const all = (await Promise.all(topics.map(async (topic) => (await latest(topic, limit)).map((r) => toDeadLetter(topic, r.partition, r.message, log))))).flat();
      return all.sort((a, b) => (a.deadLetteredAt < b.deadLetteredAt ? 1 : a.deadLetteredAt > b.deadLetteredAt ? -1 : Number(BigInt(b.offset) - BigInt(a.offset)))).slice(0, limit);
    },

    async replay(request) {
      const { topic } = request;
      if (request.offset === undefined && !request.all) throw new DeadLetterRequestError('offset', 'name the dead letter to replay (an offset) or replay all of the topic');
      if (request.offset !== undefined && request.all) throw new DeadLetterRequestError('offset', 'an offset and all exclude each other');
      if (request.offset !== undefined && !/^\d+$/.test(request.offset)) throw new DeadLetterRequestError('offset', `must be an offset of ${dlqOf(topic)} (a number), got ${request.offset}`);
      const name = dlqOf(topic);
      const marks = await watermarks(name);
      const partition = request.partition ?? 0;
      let ranges: OffsetRange[];
      if (request.offset !== undefined) {
        const m = marks.find((x) => x.partition === partition);
        const offset = BigInt(request.offset);
        if (!m || offset < m.low || offset >= m.high) {
          throw new DeadLetterRequestError('offset', `${name} has no dead letter at offset ${request.offset}${m ? ` (it holds offsets ${m.low} to ${m.high - 1n})` : ''}`);
        }
        ranges = [{ topic: name, partition, from: offset, to: offset + 1n }];
      } else {
        ranges = marks.map((m) => ({ topic: name, partition: m.partition, from: m.low, to: m.high }));
      }
      const log = await replays();
      const records = await readRecords(reader, ranges);
      const result: ReplayResult = { topic, dryRun: request.dryRun === true, replayed: [], skipped: [] };
      const logEntries: Array<{ key: string; value: string }> = [];
      for (const { partition: p, message } of records) {
        const logKey = `${name}:${p}:${message.offset}`;
        const replayedAt = log.get(logKey);
        if (replayedAt) {
          if (request.offset !== undefined) throw new DeadLetterRequestError('offset', `${name} offset ${message.offset} was replayed at ${replayedAt}; if it failed again, it is a newer dead letter`);
          result.skipped.push({ offset: message.offset, replayedAt });
          continue;
        }
        const h = headersOf(message.headers);
        // Only back where it came from: a topic of this prefix that the service consumes.
        const target = h['dlq-source-topic'] ?? deps.topics.name(topic);
        if (target !== deps.topics.name(topic)) throw new DeadLetterRequestError('topic', `${name} offset ${message.offset} came from ${target}, not ${deps.topics.name(topic)}; not replayed`);
        const sourcePartition = Number(h['dlq-source-partition']);
        const at = now().toISOString();
        const headers: IHeaders = {};
        for (const [k, v] of Object.entries(message.headers ?? {})) if (!isDlqHeader(k) && v !== undefined) headers[k] = v;
        headers['dlq-replayed-at'] = at;
        if (request.dryRun) {
          result.replayed.push({ offset: message.offset, to: { topic: target, partition: Number.isInteger(sourcePartition) ? sourcePartition : null, offset: null }, eventId: h['event-id'] ?? null });
          continue;
        }
        // The partition it was read from keeps it in order with its key's other events.
        const [meta] = await retryKafka(() =>
          deps.producer.send({ topic: target, acks: -1, messages: [{ key: message.key, value: message.value, headers, ...(Number.isInteger(sourcePartition) ? { partition: sourcePartition } : {}) }] }),
        );
        result.replayed.push({ offset: message.offset, to: { topic: target, partition: meta?.partition ?? null, offset: meta?.baseOffset ?? null }, eventId: h['event-id'] ?? null });
        logEntries.push({ key: logKey, value: JSON.stringify({ replayedAt: at, topic: target, partition: meta?.partition, offset: meta?.baseOffset }) });
      }
      await recordReplays(logEntries);
      return result;
    },
  };
}

function splitKey(key: string): [string, number, bigint] {
  const parts = key.split(':');
  const offset = parts.pop() ?? '0';
  const partition = Number(parts.pop() ?? 0);
  return [parts.join(':'), partition, BigInt(/^\d+$/.test(offset) ? offset : '0')];
}

const headersOf = (headers: IHeaders | undefined) => readHeaders(headers) as Record<string, string>;
