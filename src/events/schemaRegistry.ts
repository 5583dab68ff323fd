// The schema registry of the Confluent wire format (EVENT_WIRE_FORMAT=confluent): any registry that
// speaks Confluent's REST API (Confluent Schema Registry, Apicurio's /apis/ccompat/v7, Redpanda's,
// Karapace), through the kafkajs ecosystem's client, @kafkajs/confluent-schema-registry.
//
// Subjects follow Confluent's TopicNameStrategy, `<topic>-value`, the subject every Kafka tool looks a
// topic's values up under; each is set to BACKWARD compatibility when the relay first registers it, so
// the registry refuses a schema a reader of the previous one could not be upgraded to.
//
// A registry that does not answer (down, unreachable, too slow, refusing) is an outage, never a bad
// event: SchemaRegistryUnavailable is retriable, and whoever meets it tries again. Only "no such schema
// id" (404) is an answer about the event.
import { COMPATIBILITY, SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';

/** The registry could not be reached or would not answer: retried, never taken for a bad event. */
export class SchemaRegistryUnavailable extends Error {
  override readonly name = 'SchemaRegistryUnavailable';
  readonly retriable = true;
}

export interface SchemaRegistryClient {
  /** The registry's Confluent API, e.g. http://127.0.0.1:8081 or .../apis/ccompat/v7. */
  readonly url: string;
  /**
   * Registers a schema (the .avsc text) under `subject`, which gets BACKWARD compatibility when it is
   * new; returns its id. Registering the same schema again returns the same id.
   */
  register(subject: string, schema: string): Promise<number>;
  /** The schema of an id in Parsing Canonical Form (JSON), or undefined when the registry has no such id. */
  schemaOf(id: number): Promise<string | undefined>;
}

/** TopicNameStrategy: the subject of a topic's values. */
export const valueSubject = (topic: string) => `${topic}-value`;

export function createSchemaRegistryClient(options: { url: string; timeoutMs: number }): SchemaRegistryClient {
  // Retries are the callers' (the relay's loop, the consumers' backoff): one try per call here.
  const registry = new SchemaRegistry({ host: options.url, clientId: 'hunt-matcher', retry: { retries: 0 } });

  async function call<T>(what: string, work: () => Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(new SchemaRegistryUnavailable(`${what}: no answer from ${options.url} in ${options.timeoutMs} ms`)),
        options.timeoutMs,
      );
    });
    try {
      return await Promise.race([work(), timeout]);
    } catch (error) {
      if (error instanceof SchemaRegistryUnavailable) throw error;
      if (statusOf(error) === 404) throw error;
      throw new SchemaRegistryUnavailable(`${what} at ${options.url}: ${(error as Error).message}`, { cause: error });
    } finally {
      clearTimeout(timer);
    }
  }

  return {
    url: options.url,
    async register(subject, schema) {
      const { id } = await call(`registering ${subject}`, () =>
        registry.register({ type: SchemaType.AVRO, schema }, { subject, compatibility: COMPATIBILITY.BACKWARD }),
      );
      return id;
    },
    async schemaOf(id) {
      try {
        const type = await call(`reading schema ${id}`, () => registry.getSchema(id));
        // avsc's schema() without options is the Parsing Canonical Form.
        return JSON.stringify((type as unknown as { schema(): unknown }).schema());
      } catch (error) {
        if (statusOf(error) === 404) return undefined;
        throw error;
      }
    },
  };
}

const statusOf = (error: unknown) => (error as { status?: unknown } | undefined)?.status;
