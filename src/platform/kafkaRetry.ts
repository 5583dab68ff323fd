/**
 * Retries a Kafka admin call that a broker may refuse for a moment after topics were created
 * ("not the leader for that topic-partition", "unknown topic or partition").
 */
export async function retryKafka<T>(fn: () => Promise<T>, options: { attempts?: number; delayMs?: number } = {}): Promise<T> {
  const attempts = options.attempts ?? 30;
  for (let i = 1; ; i++) {
    try {
      return await fn();
    } catch (error) {
      const retriable = (error as { retriable?: boolean }).retriable !== false && (error as Error).name.startsWith('KafkaJS');
      if (!retriable || i >= attempts) throw error;
      await new Promise((resolve) => setTimeout(resolve, options.delayMs ?? 200));
    }
  }
}
