import { afterAll, describe, expect, it } from 'vitest';
import { FULL, useChaosEnv } from '../../testkit/chaos/chaosEnv.js';
import { ChaosRun, evenlySpaced, LOAD, report, seededService } from '../../testkit/chaos/chaosRun.js';
import { startTcpProxy, type TcpProxy } from '../../testkit/tcpProxy.js';

const env = useChaosEnv();
let proxy: TcpProxy | undefined;
afterAll(() => proxy?.close());

describe('the database cut off under load, as in a server restart (every connection dropped, new ones refused for seconds)', () => {
  it('dead-letters no valid event, loses no ad and makes nothing twice', async () => {
    const { seconds } = LOAD;
    const target = new URL(env.databaseUrl);
    proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
    const viaProxy = new URL(env.databaseUrl);
    viaProxy.port = String(proxy.port);
    const { run, service, url } = await seededService(env, { DATABASE_URL: viaProxy.toString() });
    const cuts = FULL ? 4 : 3;
    const downMs = FULL ? 5000 : 2500;
    await run.load({
      rate: LOAD.rate,
      seconds,
      urls: () => [url],
      during: evenlySpaced(cuts, seconds, () => proxy!.cut(downMs)),
    });
    const figures = await run.settle('database cut off (restart)');
    figures.notes = { cuts, 'each down for, ms': downMs };
    report(figures);
    process.stderr.write(
      `[peek] ${[...new Set([...service.output().matchAll(/"message":"([^"]{0,120})/g)].map((m) => m[1]))].join('\n[peek] ')}\n`,
    );
    ChaosRun.expectIntact(figures);
    expect(figures.refusedRequests, 'ingestion refused requests while the database was down').toBeGreaterThan(0);
    // The service met the outage, whichever of its roles was talking to the database at the cut: as a
    // retried failure, or as the dropped connection itself (at 20 ads/s a cut may find the matcher idle).
    expect(service.output(), 'the service met the outage').toMatch(
      /retriable failure|does not answer|retrying|ECONNRESET|Connection terminated/,
    );
    await service.kill('SIGTERM');
  });
});
