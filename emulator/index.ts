// The offline Entra emulator: Microsoft Graph (directory + synchronization API) and Entra's
// provisioning engine on one local HTTP server. Graph is served at `${url}/v1.0/…`.
import { defaultEngineOptions, type EngineOptions } from './src/engine/cycle.js';
import { EngineRunner } from './src/engine/runner.js';
import { applySeed, readSeedFile, type SeedDirectory } from './src/directory/seed.js';
import { registerDirectoryRoutes } from './src/graph/directory-routes.js';
import { createGraphServer } from './src/graph/http.js';
import { registerEmulatorRoutes } from './src/graph/emulator-routes.js';
import { registerSynchronizationRoutes } from './src/graph/sync-routes.js';
import { newGuid } from './src/ids.js';
import { expressionSupport } from './src/sync/expression-support.js';
import { defaultSynchronizationOptions, Synchronization } from './src/sync/synchronization.js';
import { Tenant } from './src/tenant.js';

export { SeedError, type SeedDirectory } from './src/directory/seed.js';
export { NON_GALLERY_TEMPLATE_ID } from './src/tenant.js';

export interface EmulatorOptions {
  port?: number;
  host?: string;
  /** A sample-directory JSON file or the parsed document: users, groups, memberships, managers. */
  seed?: string | SeedDirectory;
  /** Tenant id the emulated tenant reports (appOwnerOrganizationId, job ids); default: the seed's, else random. */
  tenantId?: string;
  /** Provisioning engine tuning (concurrency, member batch size, Retry-After cap, quarantine thresholds). */
  engine?: Partial<EngineOptions>;
  /** Run a cycle every N ms while a job is Active (soak runs); default 0 = only on start/restart. */
  cycleIntervalMs?: number;
}

export interface RunningEmulator {
  /** Graph base URL: requests go to `${url}/v1.0/…`. */
  url: string;
  tenantId: string;
  /** The in-memory tenant, for tests that inspect state directly. */
  tenant: Tenant;
  /** Jobs, secrets, schemas and provisioning logs. */
  synchronization: Synchronization;
  close(): Promise<void>;
}

export async function startEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const seed = options.seed === undefined ? undefined : typeof options.seed === 'string' ? await readSeedFile(options.seed) : options.seed;
  const tenant = new Tenant(options.tenantId ?? (typeof seed?.tenantId === 'string' ? seed.tenantId : newGuid()));
  if (seed) tenant.seedAssignments = applySeed(tenant.directory, seed).assignments;
  const synchronization = new Synchronization(tenant, { ...defaultSynchronizationOptions, cycleIntervalMs: options.cycleIntervalMs ?? 0 });
  synchronization.expressions = expressionSupport;
  synchronization.runner = new EngineRunner(synchronization, { ...defaultEngineOptions, ...options.engine });
  const app = createGraphServer();
  registerDirectoryRoutes(app, tenant);
  registerSynchronizationRoutes(app, synchronization);
  registerEmulatorRoutes(app, synchronization);
  const address = await app.listen({ port: options.port ?? 0, host: options.host ?? '127.0.0.1' });
  const url = address.replace('://[::1]', '://localhost');
  return {
    url,
    tenantId: tenant.tenantId,
    tenant,
    synchronization,
    close: async () => {
      for (const job of synchronization.jobs.values()) {
        if (job.timer) clearInterval(job.timer);
        job.timer = null;
        await job.running?.catch(() => undefined);
      }
      await app.close();
    },
  };
}
