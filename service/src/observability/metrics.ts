// Prometheus metrics: request counts and latency by method, route pattern (never the raw URL, so tenant
// names, ids and filters do not become label values) and status, plus Node's default process metrics.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';

export interface MetricsOptions {
  /** A registry of this app's own (tests start several apps in one process). */
  registry?: Registry;
  path?: string;
  /** Node process metrics (CPU, memory, event loop lag). Default true. */
  defaultMetrics?: boolean;
  /**
   * Optional guard for the endpoint (e.g. a bearer token on a public ingress). Answers the request itself
   * and returns false when the caller may not read metrics.
   */
  authorize?(request: FastifyRequest, reply: FastifyReply): Promise<boolean> | boolean;
}

export interface MetricsHandle {
  registry: Registry;
  requests: Counter<'method' | 'route' | 'status'>;
  duration: Histogram<'method' | 'route' | 'status'>;
}

/** Label for requests that matched no route (keeps label cardinality bounded). */
export const unmatchedRoute = 'unmatched';

export function registerMetrics(app: FastifyInstance, options: MetricsOptions = {}): MetricsHandle {
  const registry = options.registry ?? new Registry();
  if (options.defaultMetrics !== false) collectDefaultMetrics({ register: registry });
  const labelNames = ['method', 'route', 'status'] as const;
  const requests = new Counter({
    name: 'scim_http_requests_total',
    help: 'HTTP requests answered, by method, route pattern and status code.',
    labelNames,
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'scim_http_request_duration_seconds',
    help: 'Time to answer HTTP requests in seconds, by method, route pattern and status code.',
    labelNames,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });

  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? unmatchedRoute;
    const labels = { method: request.method, route: request.is404 ? unmatchedRoute : route, status: String(reply.statusCode) };
    requests.inc(labels);
    duration.observe(labels, reply.elapsedTime / 1000);
  });

  app.get(options.path ?? '/metrics', async (request, reply) => {
    if (options.authorize && !(await options.authorize(request, reply))) return reply;
    const body = await registry.metrics();
    return reply.type(registry.contentType).send(body);
  });
  return { registry, requests, duration };
}
