// Observability (issue 2 §11): Prometheus metrics by route pattern and status, request ids, and logs that
// never carry credentials, and carry personal data only at debug level. Over real HTTP on 127.0.0.1:0.
import { Writable } from 'node:stream';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import {
  fastifyObservabilityOptions, loggerOptions, registerMetrics, registerRequestIdEcho, scrubPersonalData, type LogLevel,
} from '../../src/observability/index.js';

const apps: FastifyInstance[] = [];
afterEach(async () => {
  await Promise.all(apps.splice(0).map((a) => a.close()));
});

function logSink(): { stream: Writable; lines: () => Array<Record<string, unknown>>; text: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({ write(chunk, _enc, done) { chunks.push(String(chunk)); done(); } });
  return { stream, text: () => chunks.join(''), lines: () => chunks.join('').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>) };
}

async function start(level: LogLevel | false, sink?: Writable, metricsAuth?: string): Promise<{ app: FastifyInstance; url: string }> {
  const base = fastifyObservabilityOptions(level);
  const app = Fastify({ ...base, logger: level === false ? false : { ...loggerOptions(level), stream: sink } });
  apps.push(app);
  registerRequestIdEcho(app);
  registerMetrics(app, {
    defaultMetrics: false,
    ...(metricsAuth ? { authorize: (req, reply) => (req.headers.authorization === `Bearer ${metricsAuth}` ? true : (reply.code(401).send({ detail: 'no' }), false)) } : {}),
  });
  app.get('/scim/:tenant/Users/:id', async (req, reply) => {
    const { id } = req.params as { id: string };
    if (id === 'missing') return reply.code(404).send({ status: '404' });
    req.log.info({ user: { userName: 'alice@contoso.com', emails: [{ value: 'alice@contoso.com' }], id } }, 'user read');
    req.log.debug({ user: { userName: 'alice@contoso.com' } }, 'user detail');
    return { id };
  });
  app.post('/token', async (req) => {
    req.log.info({ token: 'scim_supersecretvalue', nested: { secret: 'hunter2' } }, 'issued');
    return { ok: true };
  });
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  return { app, url };
}

describe('metrics', () => {
  it('counts requests and latency by route pattern and status, never by raw URL', async () => {
    const { url } = await start(false);
    await fetch(`${url}/scim/acme/Users/u1`);
    await fetch(`${url}/scim/acme/Users/u2`);
    await fetch(`${url}/scim/other/Users/missing`);
    await fetch(`${url}/no/such/path/secret-tenant`);
    const res = await fetch(`${url}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/plain');
    const text = await res.text();
    expect(text).toContain('scim_http_requests_total{method="GET",route="/scim/:tenant/Users/:id",status="200"} 2');
    expect(text).toContain('scim_http_requests_total{method="GET",route="/scim/:tenant/Users/:id",status="404"} 1');
    expect(text).toContain('scim_http_requests_total{method="GET",route="unmatched",status="404"} 1');
    expect(text).toContain('scim_http_request_duration_seconds_count{method="GET",route="/scim/:tenant/Users/:id",status="200"} 2');
    expect(text).toMatch(/scim_http_request_duration_seconds_bucket\{le="0\.005",method="GET",route="\/scim\/:tenant\/Users\/:id",status="200"\} \d/);
    expect(text).not.toContain('acme');
    expect(text).not.toContain('secret-tenant');
  });

  it('can guard the endpoint', async () => {
    const { url } = await start(false, undefined, 'm3trics');
    expect((await fetch(`${url}/metrics`)).status).toBe(401);
    expect((await fetch(`${url}/metrics`, { headers: { authorization: 'Bearer m3trics' } })).status).toBe(200);
  });

  it('includes Node process metrics by default', async () => {
    const app = Fastify();
    apps.push(app);
    registerMetrics(app);
    const res = await app.inject({ url: '/metrics' });
    expect(res.body).toContain('process_cpu_user_seconds_total');
  });
});

describe('request id', () => {
  it('echoes a safe incoming x-request-id and generates a UUID otherwise', async () => {
    const { url } = await start(false);
    const given = await fetch(`${url}/scim/acme/Users/u1`, { headers: { 'x-request-id': 'trace-42.abc' } });
    expect(given.headers.get('x-request-id')).toBe('trace-42.abc');
    const generated = await fetch(`${url}/scim/acme/Users/u1`);
    expect(generated.headers.get('x-request-id')).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    const unsafe = await fetch(`${url}/scim/acme/Users/u1`, { headers: { 'x-request-id': 'a b\u00e9{"x":1}' } });
    expect(unsafe.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    const notFound = await fetch(`${url}/nowhere`, { headers: { 'x-request-id': 'r-404' } });
    expect(notFound.headers.get('x-request-id')).toBe('r-404');
  });
});

describe('logs', () => {
  it('at info: request id on every line, no Authorization, no query string, no tokens, no personal data', async () => {
    const sink = logSink();
    const { url } = await start('info', sink.stream);
    await fetch(`${url}/scim/acme/Users/u1?filter=userName%20eq%20%22alice%40contoso.com%22`, {
      headers: { authorization: 'Bearer scim_supersecretvalue', 'x-request-id': 'req-1' },
    });
    await fetch(`${url}/token`, { method: 'POST', headers: { authorization: 'Bearer admintok3n' } });
    await new Promise((r) => setTimeout(r, 50));
    const text = sink.text();
    const lines = sink.lines();
    const incoming = lines.find((l) => l.msg === 'incoming request' && l.requestId === 'req-1');
    expect(incoming?.req).toEqual({ method: 'GET', url: '/scim/acme/Users/u1' });
    const read = lines.find((l) => l.msg === 'user read');
    expect(read).toMatchObject({ requestId: 'req-1', user: { userName: '[personal data: logged at debug level only]', id: 'u1' } });
    expect(lines.find((l) => l.msg === 'user detail')).toBeUndefined();
    expect(lines.find((l) => l.msg === 'issued')).toMatchObject({ token: '[redacted]', nested: { secret: '[redacted]' } });
    for (const secret of ['supersecretvalue', 'admintok3n', 'hunter2', 'alice', 'contoso', 'filter']) expect(text).not.toContain(secret);
    expect(lines.every((l) => typeof l.requestId === 'string' || l.msg === 'Server listening at http://127.0.0.1:' + new URL(url).port)).toBe(true);
  });

  it('at debug: personal data appears on debug lines only (info lines stay scrubbed), credentials never', async () => {
    const sink = logSink();
    const { url } = await start('debug', sink.stream);
    await fetch(`${url}/scim/acme/Users/u1`, { headers: { authorization: 'Bearer scim_supersecretvalue' } });
    await new Promise((r) => setTimeout(r, 50));
    const lines = sink.lines();
    expect(lines.find((l) => l.msg === 'user read')).toMatchObject({ user: { userName: '[personal data: logged at debug level only]' } });
    expect(lines.find((l) => l.msg === 'user detail')).toMatchObject({ user: { userName: 'alice@contoso.com' } });
    expect(sink.text()).not.toContain('supersecretvalue');
  });

  it('scrubs personal data in nested objects and extension attributes without mutating the input', () => {
    const input = { user: { id: 'u1', DisplayName: 'A', 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User': { employeeNumber: '1' } }, list: [{ emails: ['x'] }], n: 3 };
    const out = scrubPersonalData(input) as typeof input;
    expect(out).toEqual({ user: { id: 'u1', DisplayName: '[personal data: logged at debug level only]', 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User': '[personal data: logged at debug level only]' }, list: [{ emails: '[personal data: logged at debug level only]' }], n: 3 });
    expect(input.user.DisplayName).toBe('A');
    const untouched = { a: 1 };
    expect(scrubPersonalData(untouched)).toBe(untouched);
  });
});
