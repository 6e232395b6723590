// Request ids: an incoming `x-request-id` is honoured when it is a plain token (so a caller's or a proxy's
// id ties log lines together), otherwise a UUID is generated; the id is echoed on every response.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { FastifyInstance } from 'fastify';

export const requestIdHeader = 'x-request-id';
// Letters, digits and a few separators only: the id is written into logs and a response header.
const safeId = /^[A-Za-z0-9._:@/+=-]{1,128}$/;

/** `genReqId` for the Fastify constructor. */
export function generateRequestId(req: IncomingMessage): string {
  const incoming = req.headers[requestIdHeader];
  const value = Array.isArray(incoming) ? incoming[0] : incoming;
  return value !== undefined && safeId.test(value) ? value : randomUUID();
}

/** Echoes the request id on every response (also errors and 404s). */
export function registerRequestIdEcho(app: FastifyInstance): void {
  app.addHook('onRequest', async (request, reply) => {
    reply.header(requestIdHeader, request.id);
  });
}
