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
export async function configuredApp(h: Harness, options: { token?: string; schema?: unknown } = {}): Promise<{ spId: string; jobId: string; common: string[] }> {
  const spId = await newApp(h);
  const { job } = await ensureScimJob(h.api, spId);
  await putSecrets(h.api, spId, [
    { key: 'BaseAddress', value: h.tenantUrl },
    { key: 'SecretToken', value: options.token ?? h.token },
  ]);
  await putSchema(h.api, spId, job.id, (options.schema ?? buildSynchronizationSchema('local')) as SynchronizationSchema);
  return { spId, jobId: job.id, common: ['--graph-url', h.graphUrl, '--service-principal-id', spId] };
}

/** The local schema plus a mapping into an extension schema the SCIM service does not know: exports fail. */
export function schemaWithRejectedAttribute(built: { directories: { name: string; objects: { name: string; attributes: unknown[] }[] }[]; synchronizationRules: { objectMappings: { sourceObjectName: string; attributeMappings: unknown[] }[] }[] }): unknown {
  const schema = structuredClone(built);
  const target = 'urn:ietf:params:scim:schemas:extension:Bogus:2.0:User:tier';
  const customappsso = schema.directories.find((d) => d.name === 'customappsso')!;
  customappsso.objects.find((o) => o.name.endsWith(':User'))!.attributes.push({ name: target, type: 'String', anchor: false, caseExact: false, flowNullValues: false, multivalued: false, mutability: 'ReadWrite', required: false, referencedObjects: [], apiExpressions: [], metadata: [] });
  schema.synchronizationRules[0].objectMappings.find((m) => m.sourceObjectName === 'User')!.attributeMappings.push({
    targetAttributeName: target,
    source: { type: 'Attribute', name: 'department', expression: '[department]', parameters: [] },
    defaultValue: null,
    matchingPriority: 0,
    flowType: 'Always',
    flowBehavior: 'FlowWhenChanged',
    exportMissingReferences: false,
  });
  return schema;
}
