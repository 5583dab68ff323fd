// The gateway of the fault test stops answering for a while, in one of two ways:
//   - 'slow': every call that arrives during the hang is answered (202, the message sent) only
//     `hangMs` after it arrived, so a sender whose timeout is longer waits that long for each;
//   - 'silent': every call that arrives during the hang is accepted (the connection, the request) and
//     never answered: when the hang ends its connection is closed without an answer, and the message
//     was not sent. The sender's own timeout (MESSAGE_GATEWAY_TIMEOUT_MS) is what ends its wait.
// Calls outside the hang are answered at once. Each call records its status and answer time
// (testkit/fakeGateway.ts), so a held call is one with no status yet.
import type { GatewayRequest, startFakeGateway } from '../fakeGateway.js';

export type HangMode = 'slow' | 'silent';

const until = (at: number) => new Promise<void>((resolve) => setTimeout(resolve, Math.max(0, at - Date.now())));

export function hangingGateway(gateway: Awaited<ReturnType<typeof startFakeGateway>>, mode: HangMode, hangMs: number) {
  let window: { start: number; end: number } | null = null;
  const inHang = (r: GatewayRequest) => window !== null && r.at >= window.start && r.at < window.end;
  gateway.script((request) => {
    if (!inHang(request)) return { status: 202 };
    const end = window!.end;
    return mode === 'slow'
      ? { status: 202, before: () => until(request.at + hangMs) }
      : { status: 202, hangUp: true, before: () => until(end) };
  });
  return {
    /** Starts the hang now; resolves when it ends (no new call is held after that). */
    async hang() {
      const start = Date.now();
      window = { start, end: start + hangMs };
      await until(window.end);
    },
    /** The calls that arrived during the hang. */
    held: () => gateway.requests.filter(inHang),
    /** Back to answering every call at once (held calls keep their fate). */
    reset: () => gateway.script(() => ({ status: 202 })),
  };
}
