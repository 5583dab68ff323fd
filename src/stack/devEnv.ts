// The environment `npm run dev` runs the service with: development secrets and a loopback address
// as defaults (the tokens are printed at start, so the service must not be reachable from elsewhere
// unless HOST says so), then whatever the caller's environment sets, then the local stack, and the
// Lobstr stand-in when the caller gives no LOBSTR_API_KEY of their own.
export const DEV_SECRETS = {
  INGEST_TOKEN: 'dev-ingest-token',
  API_TOKEN: 'dev-api-token',
  CRON_SECRET: 'dev-cron-secret',
  OPS_TOKEN: 'dev-ops-token',
  LOBSTR_WEBHOOK_SECRET: 'dev-lobstr-secret',
  MESSAGE_GATEWAY_WEBHOOK_SECRET: 'dev-gateway-webhook-secret',
  LOBSTR_API_KEY: 'dev-lobstr-key',
  MESSAGE_GATEWAY_TOKEN: 'dev-gateway-token',
};

export function devEnv(
  processEnv: Record<string, string | undefined>,
  stack: {
    databaseUrl: string;
    kafkaBrokers: string[];
    gatewayUrl: string;
    lobstrUrl?: string;
    schemaRegistryUrl?: string;
  },
): Record<string, string | undefined> {
  return {
    ...DEV_SECRETS,
    HOST: '127.0.0.1',
    LOG_PRETTY: 'auto',
    // Webhooks to a receiver on this machine (a local CRM, `npx tsx examples/webhook-receiver.ts`).
    WEBHOOKS_ALLOW_HTTP: 'true',
    WEBHOOKS_ALLOWED_HOSTS: '127.0.0.1,localhost,::1',
    ...processEnv,
    DATABASE_URL: stack.databaseUrl,
    KAFKA_BROKERS: stack.kafkaBrokers.join(','),
    MESSAGE_GATEWAY_URL: stack.gatewayUrl,
    ...(stack.lobstrUrl ? { LOBSTR_API_URL: stack.lobstrUrl, LOBSTR_API_KEY: DEV_SECRETS.LOBSTR_API_KEY } : {}),

    ...(stack.schemaRegistryUrl ? { SCHEMA_REGISTRY_URL: stack.schemaRegistryUrl } : {}),
  };
}
