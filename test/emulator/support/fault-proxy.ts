// A loopback HTTP proxy in front of the real SCIM service that can misbehave on demand: refuse
// connections (endpoint down), or answer the next N requests with a status (429 + Retry-After, 500).
// It stands in for the network and an overloaded server, never for our own code.
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Fault {
  status: number;
  retryAfter?: string;
  /** How many requests get the fault; then the proxy passes through again. */
  times: number;
  /** Only requests whose `METHOD path` matches. */
  match?: RegExp;
}

export interface FaultProxy {
  url: string;
  down: boolean;
  faults: Fault[];
  close(): Promise<void>;
}

export async function startFaultProxy(target: string): Promise<FaultProxy> {
  const upstream = new URL(target);
  const state = { down: false, faults: [] as Fault[] };
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    if (state.down) {
      req.socket.destroy();
      return;
    }
    const fault = state.faults.find((f) => f.times > 0 && (!f.match || f.match.test(`${req.method} ${req.url}`)));
    if (fault) {
      fault.times--;
      req.resume();
      const headers: Record<string, string> = { 'content-type': 'application/scim+json' };
      if (fault.retryAfter) headers['retry-after'] = fault.retryAfter;
      res.writeHead(fault.status, headers);
      res.end(JSON.stringify({ schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: String(fault.status), detail: 'injected by the test proxy' }));
      return;
    }
    const forward = request({ host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    forward.on('error', () => res.destroy());
    req.pipe(forward);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    get down() { return state.down; },
    set down(v: boolean) { state.down = v; },
    get faults() { return state.faults; },
    set faults(v: Fault[]) { state.faults = v; },
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
