// The OpenAPI document at /openapi.json: valid for a maintained validator, every route registered on a
// service with every role in it, with its tokens and errors; and Swagger UI at /docs. That every
// response matches its documented schema is checked by the whole suite (HTTP_VALIDATE_RESPONSES in
// testkit/testEnv.ts); the last test shows that check is on and would fail a drifting route.
import { Validator } from '@seriousme/openapi-schema-validator';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { beforeAll, describe, expect, it } from 'vitest';
import { createHttpApp, registeredRoutes } from '../../src/http/app.js';
import { errors, object } from '../../src/http/schemas.js';
import { createLogger } from '../../src/platform/logger.js';
import type { Service } from '../../src/service.js';
import { TOKENS, useTestEnv } from '../../testkit/testEnv.js';

const t = useTestEnv();
let service: Service;
beforeAll(async () => {
  // Every HTTP route is on a process with the api role (health and metrics are on every process).
  service = await t.startService({ ROLES: 'api' });
  t.url = service.url;
});

interface Operation {
  summary?: string;
  tags?: string[];
  security?: Array<Record<string, string[]>>;
  parameters?: Array<{ in: string; name: string }>;
  requestBody?: {
    content: Record<string, { schema: object; example?: unknown; examples?: Record<string, { value: unknown }> }>;
  };
  responses: Record<string, { description?: string; content?: Record<string, { schema?: unknown }> }>;
}
interface OpenApiDocument {
  openapi: string;
  servers?: Array<{ url: string; description?: string }>;
  info: { title: string; version: string };
  paths: Record<string, Record<string, Operation>>;
  components: { securitySchemes: Record<string, { description: string }>; schemas: Record<string, unknown> };
}

const openApiPath = (url: string) => url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
/** Routes a caller of the API never calls by name: fastify's automatic HEAD twins of GET routes. */
const isAutomatic = (method: string) => method === 'HEAD';

async function fetchDocument(): Promise<OpenApiDocument> {
  const res = await fetch(`${t.url}/openapi.json`);
  expect(res.status).toBe(200);
  return (await res.json()) as OpenApiDocument;
}

describe('the OpenAPI document', () => {
  it('is a valid OpenAPI 3.1 document for a maintained validator', async () => {
    const doc = await fetchDocument();
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.info).toMatchObject({
      title: 'hunt-matcher',
      version: expect.stringMatching(/^\d+\.\d+\.\d+/) as unknown as string,
    });
    const validator = new Validator();
    const result = await validator.validate(doc as never);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(Object.keys(doc.components.securitySchemes).sort()).toEqual([
      'apiToken',
      'cronSecret',
      'ingestToken',
      'opsToken',
    ]);
    expect(doc.components.schemas.Error).toMatchObject({ required: ['error'] });
  });

  it('describes every route the service registers, with a summary, a success response and its errors', async () => {
    const doc = await fetchDocument();
    const routes = registeredRoutes(service.app).filter((r) => !r.hidden && !isAutomatic(r.method));
    // The API's, the webhooks', the console's and health's routes are all there.
    const urls = new Set(routes.map((r) => r.url));
    for (const url of [
      '/v1/ads',
      '/v1/hunts',
      '/v1/hunts/:id',
      '/v1/accounts/:accountId/leads',
      '/v1/ticks',
      '/v1/lobstr/webhook/:secret',
      '/v1/ops/pipeline',
      '/readyz',
      '/metrics',
      '/openapi.json',
    ]) {
      expect(urls, url).toContain(url);
    }
    const missing = routes
      .filter((r) => !doc.paths[openApiPath(r.url)]?.[r.method.toLowerCase()])
      .map((r) => `${r.method} ${r.url}`);
    expect(missing).toEqual([]);
    for (const r of routes) {
      const op = doc.paths[openApiPath(r.url)]![r.method.toLowerCase()]!;
      const name = `${r.method} ${r.url}`;
      expect(op.summary, name).toMatch(/\w/);
      expect(op.tags?.length, name).toBe(1);
      expect(
        Object.keys(op.responses).some((code) => /^2\d\d$/.test(code)),
        `${name} has a success response`,
      ).toBe(true);
      if (r.url.startsWith('/v1/') && !r.url.includes('/webhook/')) {
        // A token-protected route says which token, and that a wrong one gets 401 with the error body.
        expect(op.security, name).toHaveLength(1);
        expect(op.responses['401'], `${name} documents 401`).toBeDefined();
        expect(JSON.stringify(op.responses['401']), name).toContain('#/components/schemas/Error');
      }
      if (op.requestBody || (op.parameters ?? []).length > 0)
        expect(op.responses['400'], `${name} documents 400`).toBeDefined();
    }
    // Path parameters appear as parameters, e.g. the hunt id.
    expect(doc.paths['/v1/hunts/{id}']!.get!.parameters).toEqual(
      expect.arrayContaining([expect.objectContaining({ in: 'path', name: 'id' })]),
    );
    // Request bodies are described from the same schemas fastify validates with.
    expect(JSON.stringify(doc.paths['/v1/hunts']!.post!.requestBody)).toContain('radiusKm');
  });

  it('gives every request body a realistic example its route takes, and names its server and the tokens to authorize with', async () => {
    const doc = await fetchDocument();
    expect(doc.servers).toEqual([{ url: '/', description: expect.any(String) as unknown }]);
    for (const [scheme, token] of Object.entries({
      apiToken: 'dev-api-token',
      ingestToken: 'dev-ingest-token',
      cronSecret: 'dev-cron-secret',
      opsToken: 'dev-ops-token',
    }))
      expect(doc.components.securitySchemes[scheme]!.description, scheme).toContain(token);

    const ajv = new Ajv2020({ strict: false, allErrors: true });
    (addFormats as unknown as (a: Ajv2020) => void)(ajv);
    let bodies = 0;
    for (const [path, operations] of Object.entries(doc.paths))
      for (const [method, op] of Object.entries(operations)) {
        if (!op.requestBody) continue;
        for (const [type, media] of Object.entries(op.requestBody.content)) {
          const name = `${method.toUpperCase()} ${path} (${type})`;
          const examples =
            media.example !== undefined ? [media.example] : Object.values(media.examples ?? {}).map((e) => e.value);
          expect(examples.length, `${name} has an example`).toBeGreaterThan(0);
          const validate = ajv.compile(media.schema);
          for (const example of examples)
            expect(validate(example), `${name}: ${ajv.errorsText(validate.errors)}`).toBe(true);
          bodies++;
        }
      }
    expect(bodies).toBeGreaterThan(10);

    // What "Try it out" sends for a hunt is a hunt a dealer would save, and the service takes it.
    const example = doc.paths['/v1/hunts']!.post!.requestBody!.content['application/json']!.example as Record<
      string,
      unknown
    >;
    expect(example).toMatchObject({ location: { label: 'Lyon' }, radiusKm: 30, priceMax: 20_000, brands: ['Peugeot'] });
    expect(JSON.stringify(example)).toContain('{{marque}}');
    const created = await fetch(`${t.url}/v1/hunts`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKENS.API_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify(example),
    });
    expect(created.status).toBe(201);
  });

  it('is browsable with Swagger UI at /docs', async () => {
    const res = await fetch(`${t.url}/docs/`, { redirect: 'follow' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/html');
    expect(await res.text()).toContain('swagger-ui');
  });

  it('cannot drift from what a route answers: under HTTP_VALIDATE_RESPONSES an undocumented field or status fails the response', async () => {
    expect(t.config().validateResponses).toBe(true);
    const app = await createHttpApp(createLogger({ level: 'silent', pretty: 'false', name: 'openapi-test' }), {
      validateResponses: true,
      version: '0.0.0',
    });
    let answer: Record<string, unknown> = { id: 'a' };
    let status = 200;
    app.get(
      '/drift',
      { schema: { summary: 'drift', response: { 200: object({ id: { type: 'string' } }), ...errors(404) } } },
      async (_request, reply) => reply.status(status as 200).send(answer),
    );
    await app.ready();
    try {
      expect((await app.inject('/drift')).statusCode).toBe(200);
      answer = { id: 'a', extra: 1 };
      expect((await app.inject('/drift')).statusCode).toBe(500);
      answer = { id: 'a' };
      status = 201;
      expect((await app.inject('/drift')).statusCode).toBe(500);
    } finally {
      await app.close();
    }
  });
});
