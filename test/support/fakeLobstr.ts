// A real local HTTP server that behaves like Lobstr's results API for the importer's tests:
// GET /v1/results?run=&page=&page_size= with `Authorization: Token <key>`, pages in Lobstr's envelope,
// and scripted trouble (a 429 with Retry-After, a page failing with 500). Every request is recorded.
import { createServer } from 'node:http';
import { seededRandom } from './random.js';

export interface LobstrRequest {
  run: string;
  page: number;
  at: number;
  status: number;
}

export interface FakeLobstrOptions {
  apiKey: string;
  /** (run, page) answered 429 with Retry-After: 1 the first time it is asked for. */
  tooManyRequestsOn?: Array<{ run: string; page: number }>;
  /** (run, page) answered 500 for its first `times` requests. */
  failingPages?: Array<{ run: string; page: number; times: number }>;
}

export async function startFakeLobstr(options: FakeLobstrOptions) {
  const runs = new Map<string, unknown[]>();
  const requests: LobstrRequest[] = [];
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const answer = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
    };
    const run = url.searchParams.get('run') ?? '';
    const page = Number(url.searchParams.get('page') ?? '1');
    const pageSize = Number(url.searchParams.get('page_size') ?? '100');
    const record = (status: number) => requests.push({ run, page, at: Date.now(), status });
    if (url.pathname !== '/v1/results') return answer(404, { errors: { message: 'not found' } });
    if (req.headers.authorization !== `Token ${options.apiKey}`) {
      record(401);
      return answer(401, { errors: { message: 'Invalid token', type: 'AuthenticationFailed', code: 401 } });
    }
    const seen = requests.filter((r) => r.run === run && r.page === page).length;
    if (options.tooManyRequestsOn?.some((t) => t.run === run && t.page === page) && seen === 0) {
      record(429);
      return answer(429, { errors: { message: 'Too many requests' } }, { 'retry-after': '1' });
    }
    const failing = options.failingPages?.find((f) => f.run === run && f.page === page);
    if (failing && seen < failing.times) {
      record(500);
      return answer(500, { errors: { message: 'Internal error' } });
    }
    const results = runs.get(run);
    if (!results) {
      record(400);
      return answer(400, { errors: { message: 'Run does not exist', type: 'RunDoesNotExistException', code: 400 } });
    }
    record(200);
    const totalPages = Math.max(1, Math.ceil(results.length / pageSize));
    answer(200, { count: results.length, page, limit: pageSize, total_pages: totalPages, data: results.slice((page - 1) * pageSize, page * pageSize) });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    addRun: (runId: string, results: unknown[]) => void runs.set(runId, results),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const CITIES = [
  { city: 'Lyon', postal_code: '69003', lat: '45.7597', lng: '4.8422' },
  { city: 'Villeurbanne', postal_code: '69100', lat: '45.7719', lng: '4.8902' },
  { city: 'Marseille', postal_code: '13001', lat: '43.2965', lng: '5.3698' },
  { city: 'Bordeaux', postal_code: '33000', lat: '44.8378', lng: '-0.5792' },
  { city: 'Ajaccio', postal_code: '20000', lat: '41.9192', lng: '8.7386' },
];

/** A LeBonCoin result as Lobstr returns it. */
export function lobstrResult(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    annonce_id: 2712345678,
    title: 'Peugeot 308 GT Line 1.5 BlueHDi 130',
    description: 'Première main, carnet d’entretien à jour.',
    price: 14500,
    old_price: 15200,
    url: 'https://www.leboncoin.fr/ad/voitures/2712345678',
    ...CITIES[0],
    owner_name: 'Julie',
    owner_type: 'private',
    phone: '06 12 34 56 78',
    no_salesmen: false,
    urgent: false,
    is_boosted: true,
    first_publication_date: '2026-11-20 09:00:00',
    last_publication_date: '2026-11-27 10:30:00',
    car_price_min: 13000,
    car_price_max: 19000,
    pictures: 'https://img.leboncoin.fr/1.jpg,https://img.leboncoin.fr/2.jpg',
    category_name: 'Voitures',
    details: { Marque: 'Peugeot', Modèle: '308', 'Année modèle': '2019', Kilométrage: '68 000 km', Carburant: 'Diesel', 'Boîte de vitesse': 'Manuelle' },
    more_details: { 'Type de véhicule': 'Berline', Couleur: 'Gris' },
    ...overrides,
  };
}

/** `count` distinct, plausible results (same seed, same results). */
export function lobstrResults(count: number, seed = 1): Array<Record<string, unknown>> {
  const r = seededRandom(seed);
  const brands = ['Peugeot', 'Renault', 'Citroën', 'Volkswagen', 'Toyota'];
  return Array.from({ length: count }, (_, i) => {
    const brand = r.pick(brands);
    const year = r.int(2008, 2024);
    return lobstrResult({
      annonce_id: 2_800_000_000 + seed * 100_000 + i,
      title: `${brand} ${r.pick(['208', 'Clio', 'C3', 'Golf', 'Yaris'])} ${year}`,
      price: r.int(3000, 30000),
      ...r.pick(CITIES),
      phone: r.chance(0.8) ? `06 ${String(r.int(10_000_000, 99_999_999)).replace(/(\d\d)(?=\d)/g, '$1 ')}` : null,
      details: { Marque: brand, 'Année modèle': String(year), Kilométrage: `${r.int(5, 250) * 1000} km`, Carburant: r.pick(['Diesel', 'Essence']) },
    });
  });
}
