// Real parts for script tests: the SCIM service (SQLite in memory) and the Entra emulator seeded with the
// sample directory, on loopback ports; scripts run as child processes exactly as users run them.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { startEmulator } from '../../../emulator/index.js';
import { buildSynchronizationSchema, defaultSampleDirectoryPath } from '../../../provisioning/index.js';
import { ensureScimJob } from '../../../scripts/lib/configure-provisioning.js';
import { putSchema, putSecrets } from '../../../scripts/lib/graph/synchronization.js';
import type { SynchronizationSchema } from '../../../scripts/lib/graph/types.js';
import { startService } from '../../../service/src/index.js';
import { createGraphApi, type GraphApi } from '../../../scripts/lib/graph/client.js';
import { createEnterpriseApp } from '../../../scripts/lib/local/local.js';
import { createScimTenant, customSchemasOf } from '../../../scripts/lib/local/scim-tenant.js';

export interface Harness {
  serviceUrl: string;
  adminToken: string;
  graphUrl: string;
  tenantUrl: string;
  token: string;
  api: GraphApi;
  close(): Promise<void>;
}

export async function startHarness(): Promise<Harness> {
  const adminToken = randomBytes(24).toString('base64url');
  const service = await startService({ port: 0, host: '127.0.0.1', databaseUrl: 'sqlite::memory:', adminToken, logLevel: 'silent' });
  const token = await createScimTenant(service.url, adminToken, 'acme', customSchemasOf('local'));
  const emulator = await startEmulator({ port: 0, host: '127.0.0.1', seed: defaultSampleDirectoryPath });
  return {
    serviceUrl: service.url,
    adminToken,
    graphUrl: emulator.url,
    tenantUrl: `${service.url}/scim/acme`,
    token,
    api: createGraphApi({ graphUrl: emulator.url, env: {} }),
    close: async () => {
      await Promise.allSettled([emulator.close(), service.close()]);
    },
  };
}

/** A new enterprise application (instantiate + app roles) in the emulator; returns its service principal id. */
export async function newApp(h: Harness, name = `app-${randomBytes(3).toString('hex')}`): Promise<string> {
  return (await createEnterpriseApp(h.api, name)).spId;
}

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
  /** stdout parsed as JSON (when --json was passed). */
  // eslint-style rule aside: test assertions read arbitrary JSON paths.
  json: any;
}

const root = fileURLToPath(new URL('../../../', import.meta.url));
const tsx = import.meta.resolve('tsx');

/** Runs scripts/<name>.ts with args; env adds to a clean environment (no Azure, no Pulumi). */
export function runScript(name: string, args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', tsx, `${root}scripts/${name}.ts`, ...args], {
      cwd: root,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ENTRA_SCIM_NO_PULUMI: '1', GRAPH_RETRY_BASE_MS: '10', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    child.on('error', reject);
    child.on('close', (code) => {
      let json: unknown = null;
      if (args.includes('--json')) {
        try {
          json = JSON.parse(stdout);
        } catch {
          json = null;
        }
      }
      resolve({ code: code ?? -1, stdout, stderr, json });
    });
  });
}

/**
 * A new app with its job, credentials and schema in place, set up in-process through the same Graph
 * calls configure-provisioning and upload-schema make (those scripts have their own child-process tests).
 */
export interface ConfiguredApp {
  spId: string;
  jobId: string;
  common: string[];
  /** The SCIM tenant the job provisions into and its token. */
  tenantUrl: string;
  token: string;
}

/** By default in a SCIM tenant of its own, so that objects other tests provisioned cannot match. */
export async function configuredApp(h: Harness, options: { token?: string; schema?: unknown; freshTenant?: boolean } = {}): Promise<ConfiguredApp> {
  let tenantUrl = h.tenantUrl;
  let token = h.token;
  if (options.freshTenant !== false) {
    // Its own SCIM tenant: nothing provisioned by other tests can match its objects.
    const name = `t${randomBytes(4).toString('hex')}`;
    token = await createScimTenant(h.serviceUrl, h.adminToken, name, customSchemasOf('local'));
    tenantUrl = `${h.serviceUrl}/scim/${name}`;
  }
  const spId = await newApp(h);
  const { job } = await ensureScimJob(h.api, spId);
  await putSecrets(h.api, spId, [
    { key: 'BaseAddress', value: tenantUrl },
    { key: 'SecretToken', value: options.token ?? token },
  ]);
  await putSchema(h.api, spId, job.id, (options.schema ?? buildSynchronizationSchema('local')) as SynchronizationSchema);
  return { spId, jobId: job.id, common: ['--graph-url', h.graphUrl, '--service-principal-id', spId], tenantUrl, token };
}

/**
 * The local schema with userName mapped from an attribute no sample user has (facsimileTelephoneNumber):
 * every user export lacks the required userName, so the SCIM service refuses it and provisioning fails.
 */
export function schemaWithRejectedAttribute(built: { synchronizationRules: { objectMappings: { sourceObjectName: string; attributeMappings: { targetAttributeName: string; source?: unknown }[] }[] }[] }): unknown {
  const schema = structuredClone(built);
  const userName = schema.synchronizationRules[0].objectMappings.find((m) => m.sourceObjectName === 'User')!.attributeMappings.find((a) => a.targetAttributeName === 'userName')!;
  userName.source = { type: 'Attribute', name: 'facsimileTelephoneNumber', expression: '[facsimileTelephoneNumber]', parameters: [] };
  return schema;
}
