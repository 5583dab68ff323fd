import { KafkaJSNumberOfRetriesExceeded, KafkaJSProtocolError } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { describeKafkaError } from '../../src/platform/kafka.js';

describe('describeKafkaError', () => {
  it('says in one line, without a stack, that the group coordinator is still loading', () => {
    const loading = new KafkaJSProtocolError({
      type: 'COORDINATOR_LOAD_IN_PROGRESS',
      code: 14,
      retriable: true,
      message: "The coordinator is loading and hence can't process requests",
    } as unknown as Error);
    const line = describeKafkaError(new KafkaJSNumberOfRetriesExceeded(loading, { retryCount: 5, retryTime: 3000 }));
    expect(line).toBe(
      "KafkaJSNumberOfRetriesExceeded: The coordinator is loading and hence can't process requests (COORDINATOR_LOAD_IN_PROGRESS, after 5 retries)",
    );
    expect(line).not.toContain('\n');
  });

  it('names a plain error by its name and message', () => {
    expect(describeKafkaError(new Error('boom'))).toBe('Error: boom');
    expect(describeKafkaError('text')).toBe('text');
  });
});
