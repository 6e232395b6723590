// Real parts for script tests: the SCIM service (SQLite in memory) and the Entra emulator seeded with the
// sample directory, on loopback ports; scripts run as child processes exactly as users run them.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { startEmulator } from '../../../emulator/index.js';
import { defaultSampleDirectoryPath } from '../../../provisioning/index.js';
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
