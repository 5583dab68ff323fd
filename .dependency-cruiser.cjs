// The architecture, written as rules that `npm run check` enforces (dependency-cruiser).
//
//   entry points      src/main.ts, src/dev.ts, src/cli/            start things
//        |
//   composition root  src/service.ts, src/config.ts               wires every role with its deps
//        |
//   edges (I/O)       src/http/        the HTTP API (routes call producers and sql)
//                     src/producers/   what turns the outside world into state + events
//                     src/consumers/   what reacts to events (pipeline, matcher, sender)
//                     src/importer/    Lobstr: consumes lobstr.runs, produces ads (both sides)
//                     src/outbox/      outbox writer and relay
//                     src/ops/         operators' tools: the dead letters (read, replay), for the CLI and the console
//        |
//   data              src/sql/<area>/  one file per SQL operation, given the transaction to run in, grouped by
//                                    what it touches (ads, hunts, leads, messages, sellers, outbox, lobstr...)
//                     src/providers/   the message providers' HTTP APIs and callbacks (sender and routes)
//                     src/webhooks/    the webhooks' outbound side: address policy (no SSRF), signatures, the POST
//                     src/db/          connections, databases, migrations
//                     src/events/      the event contract: Avro codec, topics, headers
//        |
//   pure              src/domain/      matching rules (criteria.ts, matchHunt.ts), index, matchAds, contact decisions, templates, calendar
//   bottom floor      src/platform/    clock, role handle, retry, logger, metrics, Kafka client
//
// Arrows point down only. The rules below say it precisely; a new import that breaks one fails
// `npm run check` with the rule's name and comment.
const layer = (name) => `^src/${name}/`;

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-cycles',
      comment: 'Modules form a tree of layers: a cycle means two modules are one concern, or a layer is upside down.',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'domain-is-pure',
      comment:
        'src/domain is pure logic: it imports only itself and pure data-and-function libraries (libphonenumber-js, date-holidays, sms-segments-calculator, fastest-levenshtein); no knex, pg, kafkajs, fastify, node I/O, events, sql.',
      severity: 'error',
      from: { path: layer('domain') },
      to: {
        pathNot: `${layer('domain')}|^node_modules/(libphonenumber-js|date-holidays|sms-segments-calculator|fastest-levenshtein)/`,
      },
    },
    {
      name: 'criteria-are-checked-in-one-place',
      comment:
        "The criteria of docs/ARCHITECTURE.md section 2 are one named check each in src/domain/criteria.ts, called only by the matcher's test of a hunt (matchHunt.ts, which the hunt index and the preview use) and by the explanation of a match (explainMatch.ts): no second reading of a rule can drift from the first.",
      severity: 'error',
      from: { pathNot: '^src/domain/(criteria|matchHunt|explainMatch)\\.ts$' },
      to: { path: '^src/domain/criteria\\.ts$' },
    },
    {
      name: 'matching-rules-live-in-the-domain',
      comment:
        'Nothing outside src/domain compiles a hunt or tests a criterion: the matching paths call matchAds (src/domain/matchAds.ts) over a hunt index, the hunt tools call the preview and the explanation, SQL only narrows (src/domain/adNarrowing.ts).',
      severity: 'error',
      from: { path: '^src/', pathNot: layer('domain') },
      to: { path: '^src/domain/(criteria|compiledHunt|matchHunt)\\.ts$' },
    },
    {
      name: 'platform-is-the-bottom-floor',
      comment:
        'src/platform (clock, role handle, retry, logger, metrics, Kafka client) knows nothing of the service above it.',
      severity: 'error',
      from: { path: layer('platform') },
      to: { path: '^src/', pathNot: layer('platform') },
    },
    {
      name: 'nothing-imports-the-composition-root',
      comment:
        'Only the entry points import src/service.ts and src/config.ts; everything else receives its dependencies by closure.',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/(main|dev|service|config)\\.ts$|^src/cli/|^src/config/' },
      to: { path: '^src/(service|config)\\.ts$|^src/config/' },
    },
    {
      name: 'producers-do-not-import-consumers',
      comment:
        'Producers write state and events; consumers react to events. They meet only through topics (src/importer is both, on purpose).',
      severity: 'error',
      from: { path: layer('producers') },
      to: { path: `${layer('consumers')}|${layer('importer')}` },
    },
    {
      name: 'consumers-do-not-import-producers',
      comment:
        'Producers write state and events; consumers react to events. They meet only through topics (src/importer is both, on purpose).',
      severity: 'error',
      from: { path: layer('consumers') },
      to: { path: `${layer('producers')}|${layer('importer')}|${layer('http')}` },
    },
    {
      name: 'http-is-an-edge',
      comment: 'Only the composition root mounts the HTTP routes; nothing below the edge depends on fastify routes.',
      severity: 'error',
      from: { path: '^src/', pathNot: `^src/(service|main|dev)\\.ts$|${layer('http')}` },
      to: { path: layer('http') },
    },
    {
      name: 'a-route-module-does-not-import-another',
      comment:
        'Each module of src/http/routes registers its own routes; what two of them share (a schema, a parameter reader) lives in src/http/, beside them.',
      severity: 'error',
      from: { path: '^src/http/routes/' },
      to: { path: '^src/http/routes/' },
    },
    {
      name: 'sql-is-data-access-only',
      comment:
        'A SQL operation takes the transaction it runs in and returns rows or domain values: it imports only src/db, src/domain and other sql modules.',
      severity: 'error',
      from: { path: layer('sql') },
      to: { path: '^src/', pathNot: `${layer('sql')}|${layer('db')}|${layer('domain')}` },
    },
    {
      name: 'sql-lives-in-areas',
      comment:
        'An SQL operation lives in the folder of what it touches (src/sql/ads, src/sql/hunts, src/sql/outbox...), never loose in src/sql/: you find a query by its area and its name.',
      severity: 'error',
      from: { path: '^' },
      to: { path: '^src/sql/[^/]+\\.ts$' },
    },
    {
      name: 'providers-are-peers-only',
      comment:
        'src/providers speaks to the providers we do not own (HTTP out, callbacks read): it knows the domain and the bottom floor, never the database, the events or the roles.',
      severity: 'error',
      from: { path: layer('providers') },
      to: { path: '^src/', pathNot: `${layer('providers')}|${layer('domain')}|${layer('platform')}` },
    },
    {
      name: 'webhooks-are-peers-only',
      comment:
        "src/webhooks speaks to the accounts' endpoints (the address policy, the Standard Webhooks signature, the signed POST): like the providers, it knows the domain and the bottom floor, never the database, the events or the roles.",
      severity: 'error',
      from: { path: layer('webhooks') },
      to: { path: '^src/', pathNot: `${layer('webhooks')}|${layer('domain')}|${layer('platform')}` },
    },
    {
      name: 'only-the-deliverer-and-the-routes-reach-endpoints',
      comment:
        "Only the webhook deliverer (src/consumers/webhooks) and the HTTP routes (checking a subscription's URL) use src/webhooks.",
      severity: 'error',
      from: { path: '^src/', pathNot: `${layer('webhooks')}|^src/consumers/webhooks/|${layer('http')}` },
      to: { path: layer('webhooks') },
    },
    {
      name: 'events-are-the-contract',
      comment:
        'src/events (codec, topics, headers) maps the contract to and from the domain; it does not reach into data access or the roles.',
      severity: 'error',
      from: { path: layer('events') },
      to: { path: '^src/', pathNot: `${layer('events')}|${layer('domain')}|${layer('platform')}` },
    },
    {
      name: 'only-the-edges-talk-to-kafka-and-fastify',
      comment:
        'kafkajs and fastify belong to the edges (consumers, outbox relay, importer, http) and the bottom floor that builds clients; never to sql, domain or producers.',
      severity: 'error',
      from: { path: `${layer('sql')}|${layer('domain')}|${layer('producers')}|${layer('db')}` },
      to: { path: 'node_modules/(kafkajs|fastify)/' },
    },
    {
      name: 'ops-reads-kafka-not-the-roles',
      comment:
        'src/ops (dead letters, for `npm run dlq` and the console) works on topics through the Kafka client and the event contract; it knows no role, route or SQL.',
      severity: 'error',
      from: { path: layer('ops') },
      to: { path: '^src/', pathNot: `${layer('ops')}|${layer('events')}|${layer('platform')}|${layer('domain')}` },
    },
    {
      name: 'stack-is-for-dev-and-tests',
      comment:
        'src/stack starts a local Kafka and finds PostgreSQL for `npm run dev` and the tests; the service itself never does.',
      severity: 'error',
      from: { path: '^src/', pathNot: `^src/dev\\.ts$|${layer('stack')}` },
      to: { path: layer('stack') },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default'],
      extensions: ['.ts', '.js'],
    },
    moduleSystems: ['es6', 'cjs'],
  },
};
