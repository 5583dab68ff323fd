// Where the test stand-ins (fake gateway, Twilio, Brevo) listen: a free port on the loopback interface.
import type { Server, ServerResponse } from 'node:http';

/** Listens on a free loopback port; the server's base URL, `http://127.0.0.1:<port>`. */
export async function listenOnLoopback(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('the server did not get a TCP port');
  return `http://127.0.0.1:${address.port}`;
}

/** Answers with a JSON body. */
export const sendJson = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) =>
  res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
