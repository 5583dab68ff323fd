import { Kafka, logLevel } from 'kafkajs';

/** Resolves once a broker answers a metadata request naming a controller: ready for topics and groups. */
export async function waitForKafka(brokers: string[], options: { timeoutMs: number; alive?: () => boolean }) {
  const kafka = new Kafka({
    brokers,
    clientId: 'stack-readiness',
    logLevel: logLevel.NOTHING,
    retry: { retries: 0 },
    connectionTimeout: 1000,
  });
  const deadline = Date.now() + options.timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    if (options.alive && !options.alive()) throw new Error('the broker process exited during start-up');
    const admin = kafka.admin();
    try {
      await admin.connect();
      const cluster = await admin.describeCluster();
      if (cluster.controller !== null && cluster.brokers.length > 0) return;
    } catch (error) {
      lastError = error;
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`Kafka at ${brokers.join(',')} not ready after ${options.timeoutMs} ms (${String(lastError)})`);
}
