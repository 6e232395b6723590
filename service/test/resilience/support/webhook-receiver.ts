// A webhook receiver for tests: records every delivery (headers and raw body) and can go down
// (connection refused, or 503 answers) and come back on the same port.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface ReceivedDelivery {
  path: string;
  headers: IncomingHttpHeaders;
  rawBody: string;
  receivedAt: number;
}

export interface WebhookReceiver {
  url: string;
  /** Requests answered 2xx. */
  deliveries: ReceivedDelivery[];
  /** Requests refused with 503 while down in `error` mode. */
  rejected: ReceivedDelivery[];
  /** `refuse`: stop listening (connection refused); `error`: keep listening but answer 503. */
  down(mode?: 'refuse' | 'error'): Promise<void>;
  up(): Promise<void>;
  /** Resolves when `predicate` holds over the deliveries, polling every 20 ms. */
  waitFor(predicate: (deliveries: ReceivedDelivery[]) => boolean, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const deliveries: ReceivedDelivery[] = [];
  const rejected: ReceivedDelivery[] = [];
  let failing = false;
  let port = 0;
  const sockets = new Set<Socket>();

  const makeServer = (): Server => {
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const delivery = { path: req.url ?? '/', headers: req.headers, rawBody: Buffer.concat(chunks).toString('utf8'), receivedAt: Date.now() };
        if (failing) {
          rejected.push(delivery);
          res.writeHead(503, { 'content-type': 'text/plain' }).end('down for maintenance');
          return;
        }
        deliveries.push(delivery);
        res.writeHead(204).end();
      });
    });
    server.on('connection', (socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    });
    return server;
  };

  const listen = (server: Server) =>
    new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        port = (server.address() as AddressInfo).port;
        resolve();
      });
    });

  let server: Server | undefined = makeServer();
  await listen(server);

  const stopListening = async () => {
    if (!server) return;
    const closing = server;
    server = undefined;
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => closing.close(() => resolve()));
  };

  return {
    url: `http://127.0.0.1:${port}/hooks`,
    deliveries,
    rejected,
    async down(mode = 'refuse') {
      if (mode === 'error') failing = true;
      else await stopListening();
    },
    async up() {
      failing = false;
      if (server) return;
      server = makeServer();
      await listen(server);
    },
    async waitFor(predicate, timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      while (!predicate(deliveries)) {
        if (Date.now() > deadline) throw new Error(`webhook receiver: condition not met after ${timeoutMs} ms (${deliveries.length} deliveries)`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    close: stopListening,
  };
}
