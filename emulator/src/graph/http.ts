// The Graph HTTP conventions shared by every route: bearer-token check, the Graph error envelope,
// OData collection responses ($filter, $top, $select, @odata.nextLink paging with $skiptoken).
import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { badRequest, GraphError, graphErrorBody } from './errors.js';
import { parseODataFilter, type FilterOptions } from './odata-filter.js';

export const GRAPH_PREFIX = '/v1.0';

export function createGraphServer(): FastifyInstance {
  const app = Fastify({ logger: false, bodyLimit: 50 * 1024 * 1024, routerOptions: { ignoreTrailingSlash: true } });

  // Graph clients send `Content-Type: application/json` on bodiless POSTs (start, pause); accept them.
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => {
    const text = String(body);
    if (text.trim() === '') return done(null, undefined);
    try {
      done(null, JSON.parse(text));
    } catch {
      done(badRequest('The request body is not valid JSON.', 'BadRequest'), undefined);
    }
  });

  app.addHook('onRequest', async (req, reply) => {
    const requestId = randomUUID();
    reply.header('request-id', requestId);
    reply.header('client-request-id', String(req.headers['client-request-id'] ?? requestId));
    if (!req.url.startsWith(`${GRAPH_PREFIX}/`)) return;
    const auth = req.headers.authorization;
    const token = typeof auth === 'string' && /^bearer\s+/i.test(auth) ? auth.replace(/^bearer\s+/i, '').trim() : '';
    if (!token) {
      throw new GraphError(401, 'InvalidAuthenticationToken', 'Access token is empty. Send an Authorization: Bearer <token> header (the emulator accepts any non-empty token).');
    }
  });

  app.setErrorHandler((error: unknown, req, reply) => {
    const requestId = String(reply.getHeader('request-id') ?? randomUUID());
    const clientRequestId = String(req.headers['client-request-id'] ?? requestId);
    if (error instanceof GraphError) {
      void reply.code(error.statusCode).send(graphErrorBody(error.code, error.message, requestId, clientRequestId));
      return;
    }
    const e = error as { statusCode?: number; message?: string; code?: string };
    if (typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
      void reply.code(e.statusCode).send(graphErrorBody('BadRequest', e.message ?? 'Bad request.', requestId, clientRequestId));
      return;
    }
    // Never a stack trace to the client; the message names the failing operation.
    void reply.code(500).send(graphErrorBody('InternalServerError', `The emulator failed to handle ${req.method} ${req.url.split('?')[0]}.`, requestId, clientRequestId));
  });

  app.setNotFoundHandler((req, reply) => {
    const requestId = String(reply.getHeader('request-id') ?? randomUUID());
    const path = req.url.split('?')[0];
    const segment = path.split('/').filter(Boolean).pop() ?? '';
    void reply.code(400).send(graphErrorBody('BadRequest', `Resource not found for the segment '${segment}' (${req.method} ${path} is not a Graph endpoint the emulator serves).`, requestId, requestId));
  });

  return app;
}

export type Query = Record<string, string | undefined>;

export function baseUrl(req: FastifyRequest): string {
  return `http://${req.headers.host ?? 'localhost'}`;
}

export interface CollectionOptions extends FilterOptions {
  /** Largest page; Graph's default page for directory objects is 100. */
  pageSize?: number;
  orderBy?: (query: string) => ((a: Record<string, unknown>, b: Record<string, unknown>) => number) | null;
}

/** Builds an OData collection response from all records: filter, order, page, select. */
export function collection(req: FastifyRequest, records: Record<string, unknown>[], context: string, options: CollectionOptions = {}): Record<string, unknown> {
  const query = req.query as Query;
  let rows = records;
  if (query.$filter) {
    const filter = parseODataFilter(query.$filter, options);
    rows = rows.filter((r) => filter.matches(r));
  }
  if (query.$orderby) {
    const compare = options.orderBy?.(query.$orderby) ?? orderBy(query.$orderby);
    rows = [...rows].sort(compare);
  }
  const pageSize = options.pageSize ?? 100;
  let top = pageSize;
  if (query.$top !== undefined) {
    top = Number(query.$top);
    if (!Number.isInteger(top) || top < 1) throw badRequest(`Invalid value '${query.$top}' for $top: use a positive integer.`);
    top = Math.min(top, 999);
  }
  let skip = 0;
  if (query.$skiptoken !== undefined) {
    skip = Number(Buffer.from(query.$skiptoken, 'base64url').toString('utf8'));
    if (!Number.isInteger(skip) || skip < 0) throw badRequest('Invalid $skiptoken: follow @odata.nextLink as returned.');
  }
  const page = rows.slice(skip, skip + top).map((r) => select(r, query.$select));
  const body: Record<string, unknown> = { '@odata.context': `${baseUrl(req)}${GRAPH_PREFIX}/$metadata#${context}` };
  if (skip + top < rows.length) {
    const next = new URL(req.url, baseUrl(req));
    next.searchParams.set('$skiptoken', Buffer.from(String(skip + top)).toString('base64url'));
    next.searchParams.set('$top', String(top));
    body['@odata.nextLink'] = next.toString();
  }
  body.value = page;
  return body;
}

function orderBy(text: string): (a: Record<string, unknown>, b: Record<string, unknown>) => number {
  const [field, direction = 'asc'] = text.trim().split(/\s+/);
  const dir = direction.toLowerCase() === 'desc' ? -1 : 1;
  if (!/^[\w/]+$/.test(field) || !['asc', 'desc'].includes(direction.toLowerCase())) throw badRequest(`Invalid $orderby '${text}': use '<property> asc|desc'.`);
  const read = (r: Record<string, unknown>): unknown => field.split('/').reduce<unknown>((o, k) => (o && typeof o === 'object' ? (o as Record<string, unknown>)[k] : undefined), r);
  return (a, b) => {
    const x = read(a), y = read(b);
    if (x === y) return 0;
    if (x === undefined || x === null) return 1;
    if (y === undefined || y === null) return -1;
    return (x < y ? -1 : 1) * dir;
  };
}

export function select(record: Record<string, unknown>, $select: string | undefined): Record<string, unknown> {
  if (!$select) return record;
  const fields = $select.split(',').map((f) => f.trim()).filter(Boolean);
  const out: Record<string, unknown> = { id: record.id };
  for (const f of fields) if (f in record) out[f] = record[f];
  return out;
}

export function single(req: FastifyRequest, record: Record<string, unknown>, context: string): Record<string, unknown> {
  return { '@odata.context': `${baseUrl(req)}${GRAPH_PREFIX}/$metadata#${context}`, ...select(record, (req.query as Query).$select) };
}

export function noContent(reply: FastifyReply): FastifyReply {
  return reply.code(204).send();
}

export function jsonBody(req: FastifyRequest): Record<string, unknown> {
  const body = req.body;
  if (body === undefined || body === null) return {};
  if (typeof body !== 'object' || Array.isArray(body)) throw badRequest('The request body must be a JSON object.');
  return body as Record<string, unknown>;
}
