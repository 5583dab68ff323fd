// A real local HTTP server that behaves like Lobstr's API, for the importer's tests and `npm run dev`
// (which serves SAMPLE_RUN with it, below), as docs.lobstr.io documents it, and no more lenient: every
// endpoint wants `Authorization: Token <key>` (401 otherwise).
// - GET /v1/results?run=&page=&limit= (or page_size=): a run's results in the envelope of
//   https://docs.lobstr.io/docs/get-results (50 a page unless asked, never more than 100), 2 requests
//   per second at most when `maxRequestsPerSecond` says so (Lobstr's limit on /v1/results).
// - GET /v1/runs?squid=&page=&limit= (https://docs.lobstr.io/docs/list-runs): a squid's runs newest
//   first, each with only the fields the list documents (id, status, is_done, total_results, duration,
//   credit_used, done_reason); 400 without squid, 404 for a squid it does not know.
// - GET /v1/runs/<hash> (https://docs.lobstr.io/docs/get-run): the run with created_at, started_at,
//   ended_at (ISO 8601 without a zone, UTC), export_done, squid...; 404 for a run it does not know.
// - /v1/runs allows 120 requests a minute (https://docs.lobstr.io/docs/rate-limiting); `quota` adds a
//   fixed window on every endpoint with the X-RateLimit-Limit/Remaining/Reset headers Lobstr documents.
// - Scripted trouble: a 429 with Retry-After, a page failing with 500, a page held until the test lets it go.
// Every request is recorded with its time, endpoint and User-Agent.
import { createServer, type ServerResponse } from 'node:http';
import { seededRandom } from './random.js';

export type LobstrEndpoint = 'results' | 'runs' | 'run';

export interface LobstrRequest {
  endpoint: LobstrEndpoint | 'other';
  /** /v1/results: the run asked for; /v1/runs/<hash>: that run; '' otherwise. */
  run: string;
  squid: string;
  page: number;
  /** Date.now() when the request arrived. */
  at: number;
  status: number;
  userAgent: string;
}

/** A run as Lobstr's run endpoints show it (what a test sets; the rest is derived). */
export interface LobstrRunMeta {
  squid: string;
  /** pending, running, uploading, paused, aborted, done, error (lowercase, as Lobstr's examples write it). */
  status: string;
  createdAt: Date;
  endedAt: Date | null;
  exportDone: boolean;
  doneReason: string | null;
}

export interface FakeLobstrOptions {
  apiKey: string;
  /** (run, page) answered 429 with Retry-After: 1 the first time it is asked for. */
  tooManyRequestsOn?: Array<{ run: string; page: number }>;
  /** (run, page) answered 500 for its first `times` requests. */
  failingPages?: Array<{ run: string; page: number; times: number }>;
  /** Answer 429 (Retry-After: 1), as Lobstr does, to a /v1/results request beyond this many in the last second. */
  maxRequestsPerSecond?: number;
  /** A fixed window over every endpoint: `limit` requests per `windowMs`, told in X-RateLimit-* headers, 429 beyond. */
  quota?: { limit: number; windowMs: number };
}

export interface FakeLobstr {
  url: string;
  requests: LobstrRequest[];
  /** A run and its results; with `meta.squid`, listed among that squid's runs (done by default). */
  addRun: (runId: string, results: unknown[], meta?: Partial<LobstrRunMeta> & { squid: string }) => void;
  /** Changes a run as Lobstr would (it finishes: status done, endedAt, exportDone). */
  updateRun: (runId: string, patch: Partial<LobstrRunMeta>) => void;
  /** The next request for (run, page) is answered only once `release` is called; `arrived` resolves when it comes. */
  holdPage: (runId: string, page: number) => { arrived: Promise<void>; release: () => void };
  /** Requests (of one endpoint, or all) per calendar second of their arrival. */
  perSecond: (endpoint?: LobstrEndpoint) => Map<number, number>;
  close: () => Promise<void>;
}

// Lobstr's documented defaults: 50 results (or runs) per page unless asked, never more than 100.
const DEFAULT_PAGE_SIZE = 50;
const MAX_PAGE_SIZE = 100;
const RUNS_PER_MINUTE = 120;

export async function startFakeLobstr(options: FakeLobstrOptions): Promise<FakeLobstr> {
  const runs = new Map<string, unknown[]>();
  const metas = new Map<string, LobstrRunMeta>();
  const requests: LobstrRequest[] = [];
  const holds = new Map<string, { arrive: () => void; released: Promise<void> }>();
  let windowStart = 0;
  let windowCount = 0;
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const runPath = /^\/v1\/runs\/([^/]+)$/.exec(url.pathname);
    const endpoint: LobstrRequest['endpoint'] =
      url.pathname === '/v1/results' ? 'results' : url.pathname === '/v1/runs' ? 'runs' : runPath ? 'run' : 'other';
    const run =
      endpoint === 'results' ? (url.searchParams.get('run') ?? '') : runPath ? decodeURIComponent(runPath[1]!) : '';
    const squid = url.searchParams.get('squid') ?? '';
    const page = positiveInt(url.searchParams.get('page')) ?? 1;
    const at = Date.now();
    const quotaHeaders = options.quota ? quotaWindow(at) : {};
    const reply = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      requests.push({ endpoint, run, squid, page, at, status, userAgent: req.headers['user-agent'] ?? '' });
      send(res, status, body, { ...quotaHeaders, ...headers });
    };
    const tooMany = () =>
      reply(429, lobstrError('Rate limit exceeded. Please try again later.', 'RateLimitExceeded', 429), {
        'retry-after': '1',
      });

    if (req.method !== 'GET' || endpoint === 'other') return reply(404, lobstrError('Not found', 'NotFound', 404));
    if (req.headers.authorization !== `Token ${options.apiKey}`)
      return reply(401, lobstrError('Invalid token.', 'AuthenticationFailed', 401));
    if (options.quota && windowCount > options.quota.limit) {
      const retry = Math.max(1, Math.ceil((windowStart + options.quota.windowMs - at) / 1000));
      return reply(429, lobstrError('Rate limit exceeded. Please try again later.', 'RateLimitExceeded', 429), {
        'retry-after': String(retry),
      });
    }
    if (
      endpoint === 'results' &&
      options.maxRequestsPerSecond !== undefined &&
      requests.filter((r) => r.endpoint === 'results' && r.at > at - 1000).length >= options.maxRequestsPerSecond
    ) {
      return tooMany();
    }
    if (
      endpoint !== 'results' &&
      requests.filter((r) => r.endpoint !== 'results' && r.endpoint !== 'other' && r.at > at - 60_000).length >=
        RUNS_PER_MINUTE
    )
      return tooMany();
    const limit = Math.min(
      MAX_PAGE_SIZE,
      positiveInt(url.searchParams.get('limit')) ?? positiveInt(url.searchParams.get('page_size')) ?? DEFAULT_PAGE_SIZE,
    );
    const pageUrl = (n: number) => {
      const u = new URL(url.toString());
      u.host = req.headers.host ?? u.host;
      u.searchParams.set('page', String(n));
      return u.toString();
    };
    const envelope = (all: unknown[]) => {
      const totalPages = Math.max(1, Math.ceil(all.length / limit));
      const data = all.slice((page - 1) * limit, page * limit);
      return {
        total_results: all.length,
        limit,
        page,
        total_pages: totalPages,
        result_from: data.length > 0 ? (page - 1) * limit + 1 : 0,
        result_to: data.length > 0 ? (page - 1) * limit + data.length : 0,
        next: page < totalPages ? pageUrl(page + 1) : null,
        previous: page > 1 ? pageUrl(page - 1) : null,
        data,
      };
    };

    if (endpoint === 'runs') {
      if (!squid) return reply(400, lobstrError('squid is required.', 'ValidationError', 400));
      const mine = [...metas.entries()]
        .filter(([, m]) => m.squid === squid)
        .sort(([, a], [, b]) => b.createdAt.getTime() - a.createdAt.getTime());
      if (mine.length === 0) return reply(404, lobstrError('Squid not found.', 'NotFound', 404));
      return reply(200, envelope(mine.map(([id, m]) => listedRun(id, m, runs.get(id)?.length ?? 0))));
    }
    if (endpoint === 'run') {
      const meta = metas.get(run);
      if (!meta) return reply(404, lobstrError('Run not found.', 'NotFound', 404));
      return reply(200, fullRun(run, meta, runs.get(run)?.length ?? 0));
    }

    if (!run) return reply(400, lobstrError('Either squid or run is required.', 'ValidationError', 400));
    const earlier = requests.filter((r) => r.endpoint === 'results' && r.run === run && r.page === page).length;
    if (earlier === 0 && options.tooManyRequestsOn?.some((t) => t.run === run && t.page === page)) return tooMany();
    const failing = options.failingPages?.find((f) => f.run === run && f.page === page);
    if (failing && earlier < failing.times)
      return reply(500, lobstrError('Internal server error.', 'ServerError', 500));

    const results = runs.get(run);
    if (!results) return reply(404, lobstrError('Run not found.', 'NotFound', 404));
    const hold = holds.get(`${run}/${page}`);
    if (hold) {
      holds.delete(`${run}/${page}`);
      hold.arrive();
      return void hold.released.then(() => reply(200, envelope(results)));
    }
    reply(200, envelope(results));
  });

  /** The fixed window this request falls in, counted, as X-RateLimit-* headers. */
  function quotaWindow(at: number): Record<string, string> {
    const q = options.quota!;
    if (at >= windowStart + q.windowMs) {
      windowStart = at;
      windowCount = 0;
    }
    windowCount++;
    return {
      'x-ratelimit-limit': String(q.limit),
      'x-ratelimit-remaining': String(Math.max(0, q.limit - windowCount)),
      'x-ratelimit-reset': String(Math.ceil((windowStart + q.windowMs) / 1000)),
    };
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('fake Lobstr did not get a TCP port');
  return {
    url: `http://127.0.0.1:${address.port}`,
    requests,
    addRun: (runId, results, meta) => {
      runs.set(runId, results);
      if (meta) {
        const createdAt = meta.createdAt ?? new Date();
        const done = (meta.status ?? 'done') === 'done';
        metas.set(runId, {
          status: 'done',
          endedAt: done ? createdAt : null,
          exportDone: done,
          doneReason: done ? 'tasks_done' : null,
          ...meta,
          createdAt,
        });
      }
    },
    updateRun: (runId, patch) => {
      const meta = metas.get(runId);
      if (!meta) throw new Error(`fake Lobstr has no run ${runId} to update`);
      metas.set(runId, { ...meta, ...patch });
    },
    holdPage: (runId, page) => {
      let arrive!: () => void;
      let release!: () => void;
      const arrived = new Promise<void>((resolve) => (arrive = resolve));
      const released = new Promise<void>((resolve) => (release = resolve));
      holds.set(`${runId}/${page}`, { arrive, released });
      return { arrived, release };
    },
    perSecond: (endpoint) => {
      const counts = new Map<number, number>();
      for (const r of requests)
        if (!endpoint || r.endpoint === endpoint)
          counts.set(Math.floor(r.at / 1000), (counts.get(Math.floor(r.at / 1000)) ?? 0) + 1);
      return counts;
    },
    // fetch keeps connections alive; close them, or server.close() waits for them to time out.
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

const FINISHED = new Set(['done', 'aborted', 'error']);

/** "2025-02-04T10:26:52.222000": Lobstr's run times, UTC without a zone. */
const lobstrTime = (d: Date | null) => (d === null ? null : `${d.toISOString().slice(0, -1)}000`);

/** A run as GET /v1/runs lists it: only the documented fields. */
function listedRun(id: string, m: LobstrRunMeta, results: number) {
  const duration = m.endedAt ? (m.endedAt.getTime() - m.createdAt.getTime()) / 1000 : null;
  return {
    id,
    status: m.status,
    is_done: FINISHED.has(m.status),
    total_results: results,
    duration,
    credit_used: duration,
    done_reason: m.doneReason,
  };
}

/** A run as GET /v1/runs/<hash> answers it. */
function fullRun(id: string, m: LobstrRunMeta, results: number) {
  return {
    ...listedRun(id, m, results),
    object: 'run',
    created_at: lobstrTime(m.createdAt),
    started_at: lobstrTime(m.createdAt),
    ended_at: lobstrTime(m.endedAt),
    origin: 'schedule',
    total_unique_results: results,
    export_done: m.exportDone,
    export_time: m.exportDone ? lobstrTime(m.endedAt) : null,
    done_reason_desc: null,
    squid: m.squid,
    crawler_id: '4734d096159ef05210e0e1677e8be823',
    next_launch_at: null,
    shared: false,
  };
}

/** The most requests seen in any window of `windowMs` (Lobstr allows 2 per second on /v1/results). */
export function busiestWindow(requests: ReadonlyArray<{ at: number }>, windowMs = 1000): number {
  const times = requests.map((r) => r.at).sort((a, b) => a - b);
  let best = 0;
  for (let i = 0, j = 0; i < times.length; i++) {
    while (times[i]! - times[j]! >= windowMs) j++;
    best = Math.max(best, i - j + 1);
  }
  return best;
}

const lobstrError = (error: string, type: string, code: number) => ({ error, type, code });

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string>) {
  res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
}

function positiveInt(s: string | null): number | null {
  return s !== null && /^[1-9]\d*$/.test(s) ? Number(s) : null;
}

// Real places, with coordinates as Lobstr gives them (strings).
export const LOBSTR_CITIES = [
  {
    city: 'Lyon',
    postal_code: '69003',
    lat: '45.7597',
    lng: '4.8422',
    region: 'Auvergne-Rhône-Alpes',
    department: 'Rhône',
  },
  {
    city: 'Villeurbanne',
    postal_code: '69100',
    lat: '45.7719',
    lng: '4.8902',
    region: 'Auvergne-Rhône-Alpes',
    department: 'Rhône',
  },
  { city: 'Paris', postal_code: '75011', lat: '48.8590', lng: '2.3800', region: 'Ile-de-France', department: 'Paris' },
  {
    city: 'Marseille',
    postal_code: '13001',
    lat: '43.2965',
    lng: '5.3698',
    region: "Provence-Alpes-Côte d'Azur",
    department: 'Bouches-du-Rhône',
  },
  {
    city: 'Bordeaux',
    postal_code: '33000',
    lat: '44.8378',
    lng: '-0.5792',
    region: 'Nouvelle-Aquitaine',
    department: 'Gironde',
  },
  {
    city: 'Toulouse',
    postal_code: '31000',
    lat: '43.6047',
    lng: '1.4442',
    region: 'Occitanie',
    department: 'Haute-Garonne',
  },
  {
    city: 'Nantes',
    postal_code: '44000',
    lat: '47.2184',
    lng: '-1.5536',
    region: 'Pays de la Loire',
    department: 'Loire-Atlantique',
  },
  { city: 'Lille', postal_code: '59000', lat: '50.6292', lng: '3.0573', region: 'Hauts-de-France', department: 'Nord' },
  {
    city: 'Strasbourg',
    postal_code: '67000',
    lat: '48.5734',
    lng: '7.7521',
    region: 'Grand Est',
    department: 'Bas-Rhin',
  },
  {
    city: 'Nice',
    postal_code: '06000',
    lat: '43.7102',
    lng: '7.2620',
    region: "Provence-Alpes-Côte d'Azur",
    department: 'Alpes-Maritimes',
  },
  { city: 'Ajaccio', postal_code: '20000', lat: '41.9192', lng: '8.7386', region: 'Corse', department: 'Corse-du-Sud' },
  { city: 'Bastia', postal_code: '20200', lat: '42.6973', lng: '9.4509', region: 'Corse', department: 'Haute-Corse' },
  {
    city: 'Saint-Denis',
    postal_code: '97400',
    lat: '-20.8821',
    lng: '55.4507',
    region: 'Réunion',
    department: 'La Réunion',
  },
] as const;

const CARS = [
  { brand: 'Peugeot', models: ['208', '308', '3008'] },
  { brand: 'Renault', models: ['Clio', 'Megane', 'Captur'] },
  { brand: 'Citroën', models: ['C3', 'C4', 'Berlingo'] },
  { brand: 'Volkswagen', models: ['Golf', 'Polo', 'Tiguan'] },
  { brand: 'Toyota', models: ['Yaris', 'C-HR'] },
  { brand: 'Dacia', models: ['Sandero', 'Duster'] },
] as const;
const FIRST_NAMES = ['Julie', 'Thomas', 'Nathalie', 'Karim', 'Sophie', 'Jean-Marc', 'Camille', 'Mehdi'];
const GARAGES = ['Garage du Centre', 'Auto Prestige 69', 'SAS Occasions Bordelaises', 'Garage Martin & Fils'];
const VEHICLE_TYPES = ['Berline', 'Citadine', 'SUV 4x4 & Crossover', 'Break', 'Monospace'];

/** One LeBonCoin car result as Lobstr's results API returns it (field names of docs.lobstr.io). */
export function lobstrResult(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: 'c7a1f0e2b3d44b5e9f6a7b8c9d0e1f2a',
    object: 'result',
    run: '3f2b9a7c6d5e4f30a1b2c3d4e5f60718',
    scraping_time: '2026-11-28T06:02:11.402381',
    annonce_id: '2712345678',
    title: 'Peugeot 308 GT Line 1.5 BlueHDi 130',
    description: 'Première main, carnet d’entretien à jour, distribution faite à 60 000 km. Pneus neufs.',
    price: 14500,
    currency: '€',
    url: 'https://www.leboncoin.fr/ad/voitures/2712345678',
    ...LOBSTR_CITIES[0],
    owner_name: 'Julie',
    owner_type: 'private',
    phone: '06 12 34 56 78',
    has_phone: true,
    no_salesmen: false,
    urgent: false,
    is_boosted: true,
    first_publication_date: '2026-11-20 09:00:00',
    last_publication_date: '2026-11-27 10:30:00',
    picture: 'https://img.leboncoin.fr/api/v1/lbcpb1/images/3a/9c/1.jpg?rule=ad-image',
    pictures:
      'https://img.leboncoin.fr/api/v1/lbcpb1/images/3a/9c/1.jpg?rule=ad-large,https://img.leboncoin.fr/api/v1/lbcpb1/images/3a/9c/2.jpg?rule=ad-large',
    category_name: 'Voitures',
    ad_type: 'offer',
    details: {
      Marque: 'Peugeot',
      Modèle: '308',
      'Année modèle': '2019',
      'Date de première mise en circulation': '03/2019',
      Kilométrage: '68 000 km',
      Carburant: 'Diesel',
      'Boîte de vitesse': 'Manuelle',
      'Type de véhicule': 'Berline',
      'Nombre de portes': '5',
      'Nombre de place(s)': '5',
      Couleur: 'Gris',
      'Puissance fiscale': '6 Cv',
      'Puissance DIN': '130 Ch',
      Permis: 'Avec permis',
    },
    more_details: {
      brand: 'Peugeot',
      model: '308',
      regdate: '2019',
      mileage: '68000',
      fuel: '2',
      gearbox: '1',
      vehicle_type: 'berline',
      old_price: '15200',
      car_price_min: '13000',
      car_price_max: '19000',
    },
    ...overrides,
  };
}

/**
 * `count` distinct, plausible car results; the same seed gives the same results. Published over 55 days
 * from 2026-10-01 unless `recent` says otherwise: scraped at `recent.until`, published in the days before.
 */
export function lobstrResults(
  count: number,
  seed = 1,
  recent?: { until: Date; days: number },
): Array<Record<string, unknown>> {
  const r = seededRandom(seed);
  const spanMinutes = (recent?.days ?? 55) * 24 * 60;
  const start = recent ? recent.until.getTime() - spanMinutes * 60_000 : Date.UTC(2026, 9, 1, 7, 0, 0);
  const end = recent?.until.getTime() ?? Number.POSITIVE_INFINITY;
  return Array.from({ length: count }, (_, i) => {
    const annonceId = String(2_800_000_000 + (seed % 10_000) * 100_000 + i);
    const car = r.pick(CARS);
    const model = r.pick(car.models);
    const year = r.int(2008, 2024);
    const mileage = r.int(5, 250) * 1000;
    const price = r.int(30, 300) * 100;
    const pro = r.chance(0.3);
    const first = start + r.int(0, spanMinutes) * 60_000;
    const last = Math.min(end, r.chance(0.3) ? first + r.int(1, 10) * 86_400_000 : first);
    const bandMin = Math.round((price * r.uniform(0.75, 1.1)) / 100) * 100;
    return lobstrResult({
      id: `${(seed >>> 0).toString(16).padStart(8, '0')}${i.toString(16).padStart(24, '0')}`,
      annonce_id: annonceId,
      title: `${car.brand} ${model} ${year}${r.chance(0.5) ? ' - TBE' : ''}`,
      description: `${car.brand} ${model} de ${year}, ${mileage.toLocaleString('fr-FR')} km. ${r.pick(['Contrôle technique OK.', 'Entretien suivi.', 'Aucun frais à prévoir.'])}`,
      price,
      url: `https://www.leboncoin.fr/ad/voitures/${annonceId}`,
      ...r.pick(LOBSTR_CITIES),
      owner_type: pro ? 'pro' : 'private',
      owner_name: pro ? r.pick(GARAGES) : r.pick(FIRST_NAMES),
      phone: r.chance(0.8) ? frenchMobile(r) : null,
      no_salesmen: r.chance(0.2),
      urgent: r.chance(0.1),
      is_boosted: r.chance(0.15),
      first_publication_date: parisWallClock(first),
      last_publication_date: parisWallClock(last),
      ...(recent ? { scraping_time: lobstrTime(recent.until) } : {}),
      details: {
        Marque: car.brand,
        Modèle: model,
        'Année modèle': String(year),
        Kilométrage: `${mileage.toLocaleString('fr-FR').replace(/\s/g, ' ')} km`,
        Carburant: r.pick(['Diesel', 'Essence', 'Hybride', 'Électrique']),
        'Boîte de vitesse': r.pick(['Manuelle', 'Automatique']),
        'Type de véhicule': r.pick(VEHICLE_TYPES),
      },
      more_details: {
        brand: car.brand,
        model,
        regdate: String(year),
        mileage: String(mileage),
        ...(r.chance(0.2) ? { old_price: String(price + r.int(1, 20) * 100) } : {}),
        ...(r.chance(0.7)
          ? { car_price_min: String(bandMin), car_price_max: String(bandMin + r.int(10, 60) * 100) }
          : {}),
      },
    });
  });
}

function frenchMobile(r: ReturnType<typeof seededRandom>): string {
  const digits = `0${r.pick(['6', '7'])}${String(r.int(0, 99_999_999)).padStart(8, '0')}`;
  return digits.replace(/(\d\d)(?=\d)/g, '$1 ');
}

/** "2026-11-20 10:00:00", the wall-clock time in Paris that Lobstr gives for publication dates. */
export function parisWallClock(ms: number): string {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-CA', {
      timeZone: 'Europe/Paris',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
    })
      .formatToParts(new Date(ms))
      .map((p) => [p.type, p.value]),
  );
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}:${parts.second}`;
}

/**
 * The run `npm run dev`'s Lobstr stand-in serves (the README's Lobstr example announces it with the
 * webhook): realistic LeBonCoin car results of the last week, scraped now, most with a mobile phone.
 * Ids are hashes, as Lobstr's are.
 */
export const SAMPLE_RUN = {
  id: '5e1f0c3ad2b94c6f8e7a91b2c3d4e5f6',
  squid: 'a7b3c9d1e5f24a6b8c0d2e4f6a8b0c1d',
  results: 60,
};

/** Adds the sample run, done now, to a stand-in; `now` is when it was scraped. */
export function addSampleRun(fake: FakeLobstr, now: Date): void {
  fake.addRun(SAMPLE_RUN.id, lobstrResults(SAMPLE_RUN.results, 2026, { until: now, days: 7 }), {
    squid: SAMPLE_RUN.squid,
    createdAt: new Date(now.getTime() - 20 * 60_000),
    endedAt: now,
  });
}

/** Lobstr's notification that a run of squid-a is done, as POST /v1/lobstr/webhook/:secret receives it. */
export const runDoneNotification = (runId: string) => ({
  id: runId,
  object: 'run',
  event: 'run.done',
  squid: { id: 'squid-a', name: 'voitures' },
  timestamp: '2026/12/02 08:00:00',
});
