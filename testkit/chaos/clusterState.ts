// What the fault test of a three-node cluster reads from the cluster itself, through the Kafka admin
// API (never from the service): each partition's leader, replicas and in-sync replicas, the topics'
// replication settings, and which node leads the busiest partitions.
import type { Admin } from 'kafkajs';
import { ConfigResourceTypes } from 'kafkajs';
import { waitFor } from '../waitFor.js';

export interface PartitionState {
  topic: string;
  partition: number;
  leader: number;
  replicas: number[];
  isr: number[];
}

export async function partitionStates(admin: Admin, topics: string[]): Promise<PartitionState[]> {
  const { topics: meta } = await admin.fetchTopicMetadata({ topics });
  return meta.flatMap((t) =>
    t.partitions.map((p) => ({
      topic: t.name,
      partition: p.partitionId,
      leader: p.leader,
      replicas: p.replicas,
      isr: p.isr,
    })),
  );
}

/** Partitions whose leader is not one of the live nodes (none elected yet, or a dead node not yet fenced). */
export const withoutLiveLeader = (states: PartitionState[], live: ReadonlySet<number>) =>
  states.filter((p) => !live.has(p.leader));

/** Milliseconds from `since` until every partition has a live leader (polled every 100 ms). */
export async function leadersBackAfter(
  admin: Admin,
  topics: string[],
  live: ReadonlySet<number>,
  since: number,
): Promise<number> {
  await waitFor(async () => withoutLiveLeader(await partitionStates(admin, topics), live).length === 0, {
    timeoutMs: 60_000,
    intervalMs: 100,
    message: 'every partition led by a live node',
  });
  return Date.now() - since;
}

/** Milliseconds from `since` until every partition has all its replicas in sync again (the node caught up). */
export async function inSyncAfter(admin: Admin, topics: string[], since: number): Promise<number> {
  await waitFor(async () => (await partitionStates(admin, topics)).every((p) => p.isr.length === p.replicas.length), {
    timeoutMs: 120_000,
    intervalMs: 200,
    message: 'every replica back in sync',
  });
  return Date.now() - since;
}

/** The node that leads the partitions carrying the most messages so far, and its share of them. */
export async function busiestLeader(
  admin: Admin,
  topics: string[],
): Promise<{ nodeId: number; partitions: number; share: number }> {
  const states = await partitionStates(admin, topics);
  const perNode = new Map<number, { messages: number; partitions: number }>();
  let total = 0;
  for (const topic of topics) {
    for (const o of await admin.fetchTopicOffsets(topic)) {
      const leader = states.find((s) => s.topic === topic && s.partition === o.partition)?.leader ?? -1;
      const n = Number(o.high) - Number(o.low);
      total += n;
      const entry = perNode.get(leader) ?? { messages: 0, partitions: 0 };
      entry.messages += n;
      entry.partitions += n > 0 ? 1 : 0;
      perNode.set(leader, entry);
    }
  }
  const [nodeId, best] = [...perNode].filter(([id]) => id >= 0).sort((a, b) => b[1].messages - a[1].messages)[0]!;
  return { nodeId, partitions: best.partitions, share: total === 0 ? 0 : best.messages / total };
}

/** The topics' replication as created: replicas per partition, min.insync.replicas, unclean leader election. */
export async function replicationOf(admin: Admin, topics: string[]) {
  const states = await partitionStates(admin, topics);
  const { resources } = await admin.describeConfigs({
    includeSynonyms: false,
    resources: topics.map((name) => ({
      type: ConfigResourceTypes.TOPIC,
      name,
      configNames: ['min.insync.replicas', 'unclean.leader.election.enable'],
    })),
  });
  return topics.map((topic) => {
    const entries = resources.find((r) => r.resourceName === topic)?.configEntries ?? [];
    const value = (name: string) => entries.find((e) => e.configName === name)?.configValue;
    return {
      topic,
      replicas: [...new Set(states.filter((s) => s.topic === topic).map((s) => s.replicas.length))],
      minInsyncReplicas: value('min.insync.replicas'),
      uncleanLeaderElection: value('unclean.leader.election.enable'),
    };
  });
}
