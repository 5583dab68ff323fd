import { Kafka, logLevel, type Admin } from 'kafkajs';
import { afterAll, describe, expect, it } from 'vitest';
import { FULL, useChaosEnv } from '../../testkit/chaos/chaosEnv.js';
import { ChaosRun, LOAD, longestLeadPause, report, seededService, watchOutbox } from '../../testkit/chaos/chaosRun.js';
import {
  busiestLeader,
  inSyncAfter,
  leadersBackAfter,
  replicationOf,
  withoutLiveLeader,
  partitionStates,
} from '../../testkit/chaos/clusterState.js';

// broker.session.timeout.ms of the cluster: a node killed with SIGKILL is fenced after this, and its
// partitions get new leaders then (Kafka's default is 9 s; docs/RELIABILITY.md).
const SESSION_TIMEOUT_MS = 4000;
const env = useChaosEnv({ nodes: 3, sessionTimeoutMs: SESSION_TIMEOUT_MS });
let admin: Admin | undefined;
afterAll(() => admin?.disconnect());

describe('a three-node Kafka cluster (replication 3, min.insync.replicas 2, acks=all) losing the leader of its busiest partitions to kill -9, then restarted node by node, under load', () => {
  it('loses no ad, makes nothing twice, never refuses an ad, and every partition gets a live leader again', async () => {
    const cluster = env.cluster!;
    const { run, service, url } = await seededService(env);
    admin = new Kafka({
      brokers: cluster.brokers,
      clientId: 'chaos-cluster-observer',
      logLevel: logLevel.NOTHING,
    }).admin();
    await admin.connect();
    // The service created its topics itself (TOPIC_REPLICATION_FACTOR=3, min.insync.replicas derived).
    const topics = env.topics.all();
    const replication = await replicationOf(admin, topics);
    for (const r of replication)
      expect(r, r.topic).toEqual({
        topic: r.topic,
        replicas: [3],
        minInsyncReplicas: '2',
        uncleanLeaderElection: 'false',
      });
    // What must stay in sync before the next node may go: the service's topics and the group offsets.
    const watched = [...topics, '__consumer_offsets'];

    const live = new Set(cluster.nodes.map((n) => n.id));
    const notes: Record<string, number | string> = {};
    const downMs = FULL ? 10_000 : 3000;
    const faults = async () => {
      // kill -9 of the node that leads the busiest partitions.
      const busiest = await busiestLeader(admin!, topics);
      const victim = cluster.nodes.find((n) => n.id === busiest.nodeId)!;
      const killedAt = Date.now();
      live.delete(victim.id);
      await victim.crash();
      const leaderless = withoutLiveLeader(await partitionStates(admin!, topics), live).length;
      notes['killed with SIGKILL'] =
        `node ${victim.id}, leader of ${busiest.partitions} busy partitions carrying ${Math.round(busiest.share * 100)}% of the messages`;
      notes['partitions without a live leader just after the kill'] = leaderless;
      notes['time without a leader after the kill, ms'] = await leadersBackAfter(admin!, topics, live, killedAt);
      await new Promise((r) => setTimeout(r, Math.max(0, killedAt + downMs - Date.now())));
      const restartedAt = Date.now();
      await victim.start();
      live.add(victim.id);
      notes['killed node: restart, ms'] = Date.now() - restartedAt;
      notes['killed node: every replica in sync again after its restart, ms'] = await inSyncAfter(
        admin!,
        watched,
        restartedAt,
      );

      // A rolling restart of the three: each one stopped cleanly (SIGTERM, a controlled shutdown that
      // hands its leaderships over first), started again, and caught up before the next one goes.
      const rolling: string[] = [];
      for (const node of cluster.nodes) {
        const stoppedAt = Date.now();
        live.delete(node.id);
        await node.stop();
        const stopMs = Date.now() - stoppedAt;
        const withoutLeader = withoutLiveLeader(await partitionStates(admin!, topics), live).length;
        const leaderMs = await leadersBackAfter(admin!, topics, live, Date.now());
        const startedAt = Date.now();
        await node.start();
        live.add(node.id);
        const syncMs = await inSyncAfter(admin!, watched, startedAt);
        rolling.push(
          `node ${node.id}: stopped in ${stopMs} ms, ${withoutLeader} partitions without a live leader once stopped (all led again ${leaderMs} ms later), in sync ${syncMs} ms after its start`,
        );
      }
      notes['rolling restart'] = rolling.join('; ');
    };

    const outbox = watchOutbox(env);
    await run.load({
      rate: LOAD.rate,
      seconds: LOAD.seconds,
      urls: () => [url],
      during: [{ atMs: FULL ? 10_000 : 6000, run: faults }],
      untilFaultsEnd: true,
      tailSeconds: 5,
    });
    const figures = await run.settle('three-node cluster: leader killed, rolling restart', { timeoutMs: 180_000 });
    notes['outbox peak, rows'] = await outbox.stop();
    notes['longest pause between two leads, ms'] = await longestLeadPause(env, run);
    notes['broker.session.timeout.ms'] = SESSION_TIMEOUT_MS;
    figures.notes = notes;
    report(figures);
    if (figures.lost > 0 || figures.outboxLeft > 0)
      process.stderr.write(`[chaos-diagnosis] ${JSON.stringify(await run.diagnose())}\n`);
    ChaosRun.expectIntact(figures);
    // Ingestion needs only the database (the outbox keeps what the cluster cannot take yet).
    expect(figures.refusedRequests, 'no ad refused while brokers died and restarted').toBe(0);
    expect(cluster.nodes.every((n) => n.running())).toBe(true);
    await service.kill('SIGTERM');
  });
});
