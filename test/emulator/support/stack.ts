// A provisioning stack for engine tests: the real SCIM service (SQLite in memory) and the emulator,
// with a non-gallery app instantiated, app roles set, a `scim` job, and secrets saved, all over
// Graph HTTP as the scripts would do it.
import { startService, type RunningService } from '../../../service/src/index.js';
import { NON_GALLERY_TEMPLATE_ID, startEmulator, type EmulatorOptions, type RunningEmulator } from '../../../emulator/index.js';
import type { SyncJob } from '../../../emulator/src/sync/job.js';
import type { CycleReport } from '../../../emulator/src/engine/report.js';
import type { RecordedRequest } from '../../../emulator/src/engine/scim-client.js';
import { startFaultProxy, type FaultProxy } from './fault-proxy.js';
import { graphClient } from './graph.js';

export const APP_ROLES = [
  { id: '2f4c8b7e-1d3a-4c5e-9f60-1a2b3c4d5e01', value: 'GlobalAdministrator', displayName: 'Global Administrator', description: 'Admin', allowedMemberTypes: ['User'], isEnabled: true },
  { id: '2f4c8b7e-1d3a-4c5e-9f60-1a2b3c4d5e05', value: 'GlobalReader', displayName: 'Global Reader', description: 'Reader', allowedMemberTypes: ['User'], isEnabled: true },
  { id: '2f4c8b7e-1d3a-4c5e-9f60-1a2b3c4d5e06', value: 'RegularUser', displayName: 'Regular User', description: 'User', allowedMemberTypes: ['User'], isEnabled: true },
];

export interface Stack {
  emulator: RunningEmulator;
  service: RunningService;
  graph: ReturnType<typeof graphClient>;
  spId: string;
  appObjectId: string;
  jobId: string;
  job: SyncJob;
  tenantUrl: string;
  token: string;
  /** Present with `proxy: true`: the engine reaches the service through it. */
  proxy: FaultProxy | null;
  /** PUT …/synchronization/secrets (merged with the saved ones). */
  secrets(values: Record<string, string>): Promise<void>;
  /** Runs one cycle synchronously (what `start` does in the background). */
  cycle(): Promise<CycleReport>;
  /** SCIM requests the engine sent since the last call, as `METHOD path?query`. */
  takeRequests(): RecordedRequest[];
  /** GET on the SCIM service with the tenant token. */
  scim(path: string): Promise<Record<string, unknown>>;
  close(): Promise<void>;
}

export interface StackOptions extends EmulatorOptions {
  /** Appended to the tenant URL, e.g. `?aadOptscim062020`. */
  tenantUrlSuffix?: string;
  scimTenant?: string;
  serviceConfig?: Record<string, unknown>;
  /** Route the engine's SCIM traffic through a fault-injecting proxy. */
  proxy?: boolean;
}

export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const token = 'emulator-engine-test-token-0123456789abcdef';
  const scimTenant = options.scimTenant ?? 'engine';
  const service = await startService({ port: 0, host: '127.0.0.1', databaseUrl: 'sqlite::memory:', tenant: scimTenant, token, logLevel: 'silent', rateLimitPerMinute: 0, bodyLimitBytes: 10 * 1024 * 1024, ...options.serviceConfig });
  const emulator = await startEmulator(options);
  const graph = graphClient(emulator.url);
  const created = await graph('POST', `/applicationTemplates/${NON_GALLERY_TEMPLATE_ID}/instantiate`, { displayName: 'SignPath' });
  const { application, servicePrincipal } = created.body as { application: { id: string; appRoles: unknown[] }; servicePrincipal: { id: string } };
  await graph('PATCH', `/applications/${application.id}`, { appRoles: [...application.appRoles, ...APP_ROLES] });
  const job = await graph('POST', `/servicePrincipals/${servicePrincipal.id}/synchronization/jobs`, { templateId: 'scim' });
  const jobId = String(job.body.id);
  const proxy = options.proxy ? await startFaultProxy(service.url) : null;
  const tenantUrl = `${proxy?.url ?? service.url}/scim/${scimTenant}${options.tenantUrlSuffix ?? ''}`;
  const put = await graph('PUT', `/servicePrincipals/${servicePrincipal.id}/synchronization/secrets`, { value: [{ key: 'BaseAddress', value: tenantUrl }, { key: 'SecretToken', value: token }] });
  if (put.status !== 204) throw new Error(`secrets: ${JSON.stringify(put.body)}`);
  const syncJob = emulator.synchronization.jobs.get(jobId)!;
  let seen = 0;
  return {
    emulator, service, graph, spId: servicePrincipal.id, appObjectId: application.id, jobId, job: syncJob, tenantUrl, token, proxy,
    secrets: async (values) => {
      const res = await graph('PUT', `/servicePrincipals/${servicePrincipal.id}/synchronization/secrets`, { value: Object.entries(values).map(([key, value]) => ({ key, value })) });
      if (res.status !== 204) throw new Error(`secrets: ${JSON.stringify(res.body)}`);
    },
    cycle: () => emulator.synchronization.runCycle(syncJob),
    takeRequests: () => {
      const all = syncJob.engine.requests;
      const out = all.slice(seen);
      seen = all.length;
      return out;
    },
    scim: async (path) => {
      const res = await fetch(`${service.url}/scim/${scimTenant}${path}`, { headers: { authorization: `Bearer ${token}` } });
      return (await res.json()) as Record<string, unknown>;
    },
    close: async () => {
      await emulator.close();
      await proxy?.close();
      await service.close();
    },
  };
}

/** `GET /Users?filter=userName eq "x"` style one-line rendering of a recorded request. */
export function line(r: RecordedRequest): string {
  const q = Object.entries(r.query).map(([k, v]) => `${k}=${v}`).join('&');
  return `${r.method} ${r.path}${q ? `?${q}` : ''}`;
}
