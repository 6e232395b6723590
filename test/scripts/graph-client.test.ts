// The Graph client over real HTTP against a small scripted server: retries honour Retry-After,
// paging follows @odata.nextLink, errors become actionable CliErrors, credentials are chosen by the rules
// in docs/architecture.md ("Scripts → Graph").
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CliError, ExitCode } from '../../scripts/lib/cli/errors.js';
import { credentialKind, isLoopbackUrl, LOCAL_GRAPH_TOKEN } from '../../scripts/lib/graph/auth.js';
import { createGraphApi } from '../../scripts/lib/graph/client.js';
import { retryAfterMs } from '../../scripts/lib/graph/middleware.js';
import { SlidingWindowLimiter } from '../../scripts/lib/graph/rate-limit.js';
import { listJobs } from '../../scripts/lib/graph/synchronization.js';
import { ensureScimJob, whileReplicating } from '../../scripts/lib/configure-provisioning.js';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;
let server: Server;
let base: string;
const handlers = new Map<string, Handler>();
const seen: { method: string; url: string; auth: string | undefined }[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    seen.push({ method: req.method!, url: req.url!, auth: req.headers.authorization });
    const path = new URL(req.url!, 'http://x').pathname;
    const handler = handlers.get(path);
    if (!handler) {
      res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { code: 'Request_ResourceNotFound', message: `no ${path}` } }));
      return;
    }
    handler(req, res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void => {
  res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(body === undefined ? undefined : JSON.stringify(body));
};

const env = {} as NodeJS.ProcessEnv;

describe('Graph client', () => {
  it('sends the fixed local token to a loopback Graph and GRAPH_ACCESS_TOKEN when set', async () => {
    handlers.set('/v1.0/me', (_req, res) => json(res, 200, { ok: true }));
    await createGraphApi({ graphUrl: base, env }).get('/me', { what: 'x' });
    expect(seen.at(-1)?.auth).toBe(`Bearer ${LOCAL_GRAPH_TOKEN}`);
    await createGraphApi({ graphUrl: base, env: { GRAPH_ACCESS_TOKEN: 'static-token-value' } }).get('/me', { what: 'x' });
    expect(seen.at(-1)?.auth).toBe('Bearer static-token-value');
    expect(credentialKind('https://graph.microsoft.com', {})).toBe('azure');
    expect(credentialKind('http://localhost:9999', {})).toBe('loopback');
    expect(isLoopbackUrl('http://127.0.0.5:80')).toBe(true);
    expect(isLoopbackUrl('https://graph.microsoft.com')).toBe(false);
  });

  it('retries 429 and 503 honouring Retry-After, then succeeds', async () => {
    let n = 0;
    handlers.set('/v1.0/flaky', (_req, res) => {
      n++;
      if (n === 1) return json(res, 429, { error: { code: 'TooManyRequests', message: 'slow down' } }, { 'retry-after': '0' });
      if (n === 2) return json(res, 503, { error: { code: 'ServiceUnavailable', message: 'busy' } });
      return json(res, 200, { value: 42 });
    });
    const retries: number[] = [];
    const api = createGraphApi({ graphUrl: base, env, baseDelayMs: 1, onRetry: (e) => retries.push(e.status ?? 0) });
    await expect(api.get('/flaky', { what: 'x' })).resolves.toEqual({ value: 42 });
    expect(retries).toEqual([429, 503]);
    expect(api.calls.retries).toBe(2);
  });

  it('gives up after maxRetries with a throttling message', async () => {
    handlers.set('/v1.0/always429', (_req, res) => json(res, 429, { error: { code: 'TooManyRequests', message: 'no' } }, { 'retry-after': '0' }));
    const api = createGraphApi({ graphUrl: base, env, maxRetries: 2, baseDelayMs: 1 });
    const error = await api.get('/always429', { what: 'read things' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CliError);
    expect((error as CliError).code).toBe('GraphThrottled');
    expect((error as CliError).exitCode).toBe(ExitCode.remote);
    expect(seen.filter((s) => s.url === '/v1.0/always429')).toHaveLength(3);
  });

  it('follows @odata.nextLink across pages', async () => {
    handlers.set('/v1.0/things', (req, res) => {
      const token = new URL(req.url!, 'http://x').searchParams.get('$skiptoken');
      if (!token) return json(res, 200, { value: [1, 2], '@odata.nextLink': `${base}/v1.0/things?$skiptoken=p2` });
      if (token === 'p2') return json(res, 200, { value: [3], '@odata.nextLink': `${base}/v1.0/things?$skiptoken=p3` });
      return json(res, 200, { value: [4] });
    });
    await expect(createGraphApi({ graphUrl: base, env }).list<number>('/things', { what: 'x' })).resolves.toEqual([1, 2, 3, 4]);
    const before = seen.length;
    await expect(createGraphApi({ graphUrl: base, env }).list<number>('/things', { what: 'x' }, undefined, 2)).resolves.toEqual([1, 2]);
    expect(seen.length - before).toBe(1);
  });

  it('encodes query values so filters with & # + and quotes arrive intact', async () => {
    let filter: string | null = null;
    handlers.set('/v1.0/groups', (req, res) => {
      filter = new URL(req.url!, 'http://x').searchParams.get('$filter');
      json(res, 200, { value: [] });
    });
    await createGraphApi({ graphUrl: base, env }).list('/groups', { what: 'x' }, { $filter: "displayName eq 'R&D #1 + O''Brien'" });
    expect(filter).toBe("displayName eq 'R&D #1 + O''Brien'");
  });

  it('names the missing permission on 403 and the input to check on 404', async () => {
    handlers.set('/v1.0/denied', (_req, res) => json(res, 403, { error: { code: 'Authorization_RequestDenied', message: 'Insufficient privileges to complete the operation.' } }));
    const api = createGraphApi({ graphUrl: base, env });
    const denied = (await api.post('/denied', {}, { what: 'save the credentials', permission: 'Synchronization.ReadWrite.All' }).catch((e: unknown) => e)) as CliError;
    expect(denied.exitCode).toBe(ExitCode.auth);
    expect(denied.message).toContain('Could not save the credentials');
    expect(denied.fix).toContain('Synchronization.ReadWrite.All');
    const missing = (await api.get('/nothing-here', { what: 'read the job', notFoundFix: 'Check --job-id.' }).catch((e: unknown) => e)) as CliError;
    expect(missing.exitCode).toBe(ExitCode.notFound);
    expect(missing.fix).toBe('Check --job-id.');
  });

  it('reports an unreachable Graph with the URL to check', async () => {
    const api = createGraphApi({ graphUrl: 'http://127.0.0.1:1', env, maxRetries: 0 });
    const error = (await api.get('/x', { what: 'read x' }).catch((e: unknown) => e)) as CliError;
    expect(error.code).toBe('GraphUnreachable');
    expect(error.fix).toContain('--graph-url');
  });
});

describe('replication right after the app was created', () => {
  it('ensureScimJob retries 403/404 from the synchronization endpoints, then creates the job once', async () => {
    let lists = 0;
    let creates = 0;
    handlers.set('/v1.0/servicePrincipals/sp-new/synchronization/jobs', (req, res) => {
      if (req.method === 'POST') {
        creates++;
        return json(res, 201, { id: 'scim.abc.sp-new', templateId: 'scim' });
      }
      lists++;
      if (lists === 1) return json(res, 403, { error: { code: 'Authorization_RequestDenied', message: 'Insufficient privileges to complete the operation.' } });
      if (lists === 2) return json(res, 404, { error: { code: 'Request_ResourceNotFound', message: 'not yet' } });
      return json(res, 200, { value: [] });
    });
    handlers.set('/v1.0/servicePrincipals/sp-new/synchronization/jobs/scim.abc.sp-new', (_req, res) => json(res, 200, { id: 'scim.abc.sp-new', templateId: 'scim' }));
    const waits: string[] = [];
    const { job, created } = await ensureScimJob(createGraphApi({ graphUrl: base, env }), 'sp-new', (e) => waits.push(e.code));
    expect({ id: job.id, created, lists, creates }).toEqual({ id: 'scim.abc.sp-new', created: true, lists: 3, creates: 1 });
    expect(waits).toEqual(['GraphPermissionMissing', 'NotFound']);
  });

  it('gives up with the original error (naming the permission) once the wait is over', async () => {
    handlers.set('/v1.0/servicePrincipals/sp-denied/synchronization/jobs', (_req, res) => json(res, 403, { error: { code: 'Authorization_RequestDenied', message: 'Insufficient privileges.' } }));
    const api = createGraphApi({ graphUrl: base, env });
    const error = (await whileReplicating(() => listJobs(api, 'sp-denied'), undefined, 1500).catch((e: unknown) => e)) as CliError;
    expect(error.exitCode).toBe(ExitCode.auth);
    expect(error.fix).toContain('Synchronization.Read.All');
  });

  it('does not wait on errors that are not replication (400)', async () => {
    let calls = 0;
    handlers.set('/v1.0/bad', (_req, res) => {
      calls++;
      json(res, 400, { error: { code: 'BadRequest', message: 'no' } });
    });
    const api = createGraphApi({ graphUrl: base, env });
    await expect(whileReplicating(() => api.get('/bad', { what: 'x' }))).rejects.toBeInstanceOf(CliError);
    expect(calls).toBe(1);
  });
});

describe('Retry-After and the provision-on-demand limiter', () => {
  it('parses seconds and HTTP dates', () => {
    expect(retryAfterMs('3')).toBe(3000);
    expect(retryAfterMs(new Date(10_000).toUTCString(), 4_000)).toBe(6_000);
    expect(retryAfterMs(null)).toBeUndefined();
    expect(retryAfterMs('soon')).toBeUndefined();
  });

  it('lets 5 calls through per 10 s window and makes the 6th wait for the window to slide', async () => {
    let now = 0;
    const slept: number[] = [];
    const limiter = new SlidingWindowLimiter(5, 10_000, () => now, async (ms) => {
      slept.push(ms);
      now += ms;
    });
    for (let i = 0; i < 5; i++) {
      await limiter.take();
      now += 100;
    }
    expect(slept).toEqual([]);
    await limiter.take();
    expect(limiter.waits).toBe(1);
    expect(now).toBeGreaterThanOrEqual(10_000);
    expect(slept[0]).toBe(10_000 - 500 + 5);
  });
});
