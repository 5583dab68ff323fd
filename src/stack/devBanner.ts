// What `npm run dev` prints once everything runs, after the start logs: where everything is, the tokens
// to use, and how to stop. It comes last so that it is what a person sees when the log settles.

export interface DevBannerFacts {
  url: string;
  roles: string[];
  tokens: Record<string, string | undefined>;
  topicPrefix: string;
  /** "Kafka: ...; PostgreSQL: ..." (src/stack/provideStack.ts). */
  stackSummary: string;
  database: string;
  gateway: { url: string; standIn: boolean };
  lobstr: { url: string; standIn: boolean; sampleRun?: { id: string; squid: string } };
}

export function devBanner(f: DevBannerFacts): string {
  const t = f.tokens;
  const row = (label: string, text: string) => `  ${label.padEnd(12)} ${text}`;
  const lines = [
    '',
    '─'.repeat(100),
    `  hunt-matcher is running (npm run dev; roles: ${f.roles.join(', ')})`,
    row('API', `${f.url}   (the README's "Try it" walks through it)`),
    row('console', `${f.url}/ops   (token OPS_TOKEN=${t.OPS_TOKEN})`),
    row('Swagger UI', `${f.url}/docs   (Authorize with the tokens below; OpenAPI: ${f.url}/openapi.json)`),
    row(
      'gateway',
      f.gateway.standIn
        ? `${f.gateway.url}   (dev stand-in: every message sent is printed here, "[dev gateway] ...")`
        : `${f.gateway.url}   (MESSAGE_GATEWAY_URL)`,
    ),
    row(
      'Lobstr',
      f.lobstr.standIn
        ? `${f.lobstr.url}   (dev stand-in serving sample run ${f.lobstr.sampleRun?.id} of squid ${f.lobstr.sampleRun?.squid}; set LOBSTR_API_KEY for the real API)`
        : `${f.lobstr.url}   (LOBSTR_API_KEY given: the real API)`,
    ),
    row('tokens', `INGEST_TOKEN=${t.INGEST_TOKEN}  API_TOKEN=${t.API_TOKEN}  CRON_SECRET=${t.CRON_SECRET}`),
    row('', `OPS_TOKEN=${t.OPS_TOKEN}  LOBSTR_WEBHOOK_SECRET=${t.LOBSTR_WEBHOOK_SECRET}`),
    row('', `MESSAGE_GATEWAY_WEBHOOK_SECRET=${t.MESSAGE_GATEWAY_WEBHOOK_SECRET}`),
    row('webhooks', `${f.url}/v1/lobstr/webhook/${t.LOBSTR_WEBHOOK_SECRET}`),
    row('', `${f.url}/v1/gateway/webhook/${t.MESSAGE_GATEWAY_WEBHOOK_SECRET}`),
    row('topics', f.topicPrefix ? `prefix "${f.topicPrefix}" (TOPIC_PREFIX)` : 'no prefix (TOPIC_PREFIX is empty)'),
    row('stack', `${f.stackSummary}; database ${f.database}`),
    row('logs', 'requests at debug unless they fail or are slow (LOG_LEVEL=debug shows every request)'),
    row('stop', 'Ctrl-C: drains every role, stops the broker and removes its data (a second Ctrl-C: at once)'),
    '─'.repeat(100),
    '',
  ];
  return lines.join('\n');
}
