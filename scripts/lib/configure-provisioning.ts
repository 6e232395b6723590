// configure-provisioning: the portal's "Provisioning → Admin Credentials → Test Connection → Save"
// as code. Idempotent: reruns find the existing job instead of creating another.
import type { CommandSpec } from './cli/command.js';
import { CliError, ExitCode, usageError } from './cli/errors.js';
import { isLoopbackUrl } from './graph/auth.js';
import type { GraphApi } from './graph/client.js';
import {
  createJob,
  findServicePrincipal,
  getJob,
  getSecretKeys,
  getServicePrincipal,
  listJobs,
  putSecrets,
  SCIM_TEMPLATE_ID,
  startJob,
  validateCredentials,
} from './graph/synchronization.js';
import type { SynchronizationJob } from './graph/types.js';
import { fromInputs, graphFor, graphOptions, optionalInput } from './inputs.js';
import { readScimToken } from './scim-token.js';
import type { CommandContext } from './cli/command.js';

export interface ConfigureResult {
  ok: boolean;
  servicePrincipalId: string;
  jobId: string;
  jobCreated: boolean;
  credentials: 'saved' | 'unchanged';
  tokenSource: string | null;
  testConnection: { ok: boolean; code: string | null; message: string | null };
  started: boolean;
  jobStatus: string | null;
}

/** The service principal: --service-principal-id / env / Pulumi, or looked up by --app-id. */
export async function resolveServicePrincipalId(ctx: CommandContext, api: GraphApi): Promise<string> {
  const direct = await optionalInput(ctx, 'service-principal-id', 'servicePrincipalObjectId');
  if (direct) return direct;
  const appId = ctx.given('app-id') || process.env.ENTRA_APPLICATION_CLIENT_ID ? ctx.string('app-id') : await optionalInput(ctx, 'app-id', 'applicationClientId');
  if (!appId) return fromInputs(ctx, 'service-principal-id', 'servicePrincipalObjectId', 'the enterprise application to configure');
  const found = await findServicePrincipal(api, { appId });
  if (found.length === 0) throw new CliError(`No service principal has appId ${appId}.`, { exitCode: ExitCode.notFound, code: 'ServicePrincipalNotFound', fix: 'Check --app-id (the application (client) id); the enterprise application must exist in this tenant (pulumi up creates it).' });
  return found[0].id;
}

/** Ensures exactly one job from template scim; returns it and whether it was created now. */
/**
 * Right after `pulumi up` creates the app, the synchronization endpoints may answer 403/404/409 for a while
 * (replication; Terraform's provider retries the same way). Retry those for a bounded time, then give up with
 * the original error (which names the permission or the id to check).
 */
export async function whileReplicating<T>(run: () => Promise<T>, onWait?: (error: CliError, delayMs: number) => void, totalMs = Number(process.env.GRAPH_REPLICATION_WAIT_MS ?? 30_000)): Promise<T> {
  const deadline = Date.now() + totalMs;
  for (let attempt = 1; ; attempt++) {
    try {
      return await run();
    } catch (error) {
      const transient = error instanceof CliError && (error.exitCode === ExitCode.auth || error.exitCode === ExitCode.notFound || (error.details as { status?: number } | undefined)?.status === 409);
      const graphAnswered = error instanceof CliError && error.code !== 'GraphCredentialUnavailable' && error.code !== 'GraphUnauthorized';
      const delay = Math.min(10_000, 1000 * 2 ** (attempt - 1));
      if (!transient || !graphAnswered || Date.now() + delay > deadline) throw error;
      onWait?.(error as CliError, delay);
      await new Promise((r) => setTimeout(r, delay));
    }
  }
}

export async function ensureScimJob(api: GraphApi, spId: string, onWait?: (error: CliError, delayMs: number) => void): Promise<{ job: SynchronizationJob; created: boolean }> {
  const jobs = await whileReplicating(() => listJobs(api, spId), onWait);
  const scim = jobs.filter((j) => j.templateId === SCIM_TEMPLATE_ID);
  if (scim.length > 1) {
    throw new CliError(`Service principal ${spId} has ${scim.length} jobs from template scim (${scim.map((j) => j.id).join(', ')}); exactly one is expected.`, {
      exitCode: ExitCode.checkFailed,
      code: 'DuplicateJobs',
      fix: 'Delete the extra job(s) in the portal or with DELETE /servicePrincipals/{id}/synchronization/jobs/{jobId}, then rerun.',
    });
  }
  if (scim.length === 1) return { job: scim[0], created: false };
  const legacy = jobs.find((j) => j.templateId === 'customappsso');
  if (legacy) {
    throw new CliError(`Service principal ${spId} has a legacy customappsso job (${legacy.id}).`, {
      exitCode: ExitCode.checkFailed,
      code: 'LegacyJob',
      fix: 'Microsoft recommends the scim template: delete the customappsso job and rerun (this re-creates it from template scim).',
    });
  }
  const created = await whileReplicating(() => createJob(api, spId, SCIM_TEMPLATE_ID), onWait);
  // New jobs can take a moment to become readable (replication); wait until GET sees it.
  for (let attempt = 0; attempt < 10; attempt++) {
    try {
      return { job: await getJob(api, spId, created.id), created: true };
    } catch (error) {
      if (!(error instanceof CliError) || error.exitCode !== ExitCode.notFound) throw error;
      onWait?.(error, 1000 * (attempt + 1));
      await new Promise((r) => setTimeout(r, 1000 * (attempt + 1)));
    }
  }
  return { job: created, created: true };
}

export function checkTenantUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw usageError(`The tenant URL '${url}' is not a URL.`, 'Pass --tenant-url https://<host>/scim/<tenant> (Pulumi output tenantUrl).');
  }
  if (parsed.protocol !== 'https:' && !(parsed.protocol === 'http:' && isLoopbackUrl(url))) {
    throw usageError(`The tenant URL '${url}' is not https.`, 'Entra only provisions to https endpoints; use the https URL of the SCIM service (Pulumi output tenantUrl).');
  }
  return url.replace(/\/+$/, '');
}

export const configureProvisioning: CommandSpec = {
  name: 'configure-provisioning',
  summary: 'Set up provisioning for the enterprise application: ensure exactly one job from template scim, save the tenant URL and secret token, run Test Connection, optionally start the job.',
  description: 'Safe to rerun: an existing job is reused. Without --tenant-url/--token-* the saved credentials are kept and tested again.\nThe token is read from --token-file, SCIM_TOKEN, or Key Vault (--token-secret-uri / Pulumi output scimTokenSecretUri); it is never printed.',
  options: {
    ...graphOptions,
    'app-id': { type: 'string', valueName: 'guid', env: 'ENTRA_APPLICATION_CLIENT_ID', description: 'Application (client) id, to find the service principal when its object id is not given (Pulumi output applicationClientId).' },
    'tenant-url': { type: 'string', valueName: 'url', env: 'SCIM_TENANT_URL', description: 'SCIM base URL Entra calls ("Tenant URL", Pulumi output tenantUrl).' },
    'token-file': { type: 'string', valueName: 'path', env: 'SCIM_TOKEN_FILE', description: 'File holding the SCIM bearer token ("Secret Token").' },
    'token-secret-uri': { type: 'string', valueName: 'uri', env: 'SCIM_TOKEN_SECRET_URI', description: 'Key Vault secret holding the token (Pulumi output scimTokenSecretUri).' },
    start: { type: 'boolean', description: 'Start the provisioning job after a successful Test Connection.' },
  },
  examples: [
    'npm run configure-provisioning -- --service-principal-id 1c3e… --tenant-url https://scim.example.com/scim/acme --token-file ./scim-token.txt',
    'SCIM_TOKEN=… npm run configure-provisioning -- --start --json   # inputs from the Pulumi stack outputs',
  ],
  async run(ctx) {
    const api = graphFor(ctx);
    const spId = await resolveServicePrincipalId(ctx, api);
    const sp = await getServicePrincipal(api, spId);
    ctx.out.line(`Enterprise application: ${sp.displayName ?? '(no name)'} (service principal ${sp.id}, appId ${sp.appId})`);

    const jobStep = ctx.out.progress('Provisioning job (template scim)');
    const { job, created } = await ensureScimJob(api, spId, (error, delayMs) => {
      // Usually replication right after the app was created; a real permission problem fails once the wait is over.
      ctx.out.note(`  ${error.message} Retrying in ${delayMs / 1000}s in case the app was just created (replication).`);
      jobStep.update(0, undefined, 'waiting for replication');
    });
    jobStep.done(created ? `created ${job.id}` : `found ${job.id}`);
    ctx.out.line(`Provisioning job: ${job.id} (${created ? 'created' : 'already existed'})`);

    // Credentials are (re)saved whenever a tenant URL is known (flag, env or Pulumi output); the token
    // must then come with it. Without a tenant URL the saved credentials are kept and tested again.
    const tenantUrl = await optionalInput(ctx, 'tenant-url', 'tenantUrl');
    let credentials: ConfigureResult['credentials'];
    let tokenSource: string | null = null;
    if (tenantUrl) {
      const url = checkTenantUrl(tenantUrl);
      const token = await readScimToken({
        file: ctx.string('token-file'),
        env: process.env.SCIM_TOKEN,
        secretUri: await optionalInput(ctx, 'token-secret-uri', 'scimTokenSecretUri'),
      });
      if (!token) throw usageError('A tenant URL was given but no token.', 'Pass --token-file <path>, set SCIM_TOKEN, or --token-secret-uri <Key Vault secret URI>: URL and token are saved together.');
      await putSecrets(api, spId, [
        { key: 'BaseAddress', value: url },
        { key: 'SecretToken', value: token.token },
      ]);
      credentials = 'saved';
      tokenSource = token.source;
      ctx.out.line(`Credentials: saved tenant URL ${url} and the secret token (from ${token.source})`);
    } else if (ctx.given('token-file') || ctx.given('token-secret-uri')) {
      throw usageError('A token was given but no tenant URL.', 'Pass --tenant-url <url> too: URL and token are saved together.');
    } else {
      const saved = new Set((await getSecretKeys(api, spId)).map((s) => s.key));
      if (!saved.has('BaseAddress') || !saved.has('SecretToken')) {
        throw usageError('No credentials are saved for this job yet and none were given.', 'Pass --tenant-url <url> and --token-file <path> (or set SCIM_TOKEN, or --token-secret-uri).');
      }
      credentials = 'unchanged';
      ctx.out.line('Credentials: keeping the saved tenant URL and token (pass --tenant-url and a token to replace them)');
    }

    const test = ctx.out.progress('Test Connection');
    let testConnection: ConfigureResult['testConnection'] = { ok: true, code: null, message: null };
    try {
      await validateCredentials(api, spId, job.id);
      test.done('the SCIM service accepted the credentials');
    } catch (error) {
      if (!(error instanceof CliError) || error.exitCode !== ExitCode.checkFailed) throw error;
      test.fail(error.message);
      testConnection = { ok: false, code: error.code, message: error.message };
      ctx.out.line(`Test Connection: FAILED: ${error.message}`);
      ctx.out.line(`  fix: ${error.fix ?? ''}`);
    }
    if (testConnection.ok) ctx.out.line('Test Connection: succeeded');

    let started = false;
    if (ctx.flag('start') && testConnection.ok) {
      await startJob(api, spId, job.id);
      started = true;
      ctx.out.line('Provisioning job: started (the first cycle runs now, then about every 40 minutes)');
    } else if (ctx.flag('start')) {
      ctx.out.line('Provisioning job: not started because Test Connection failed');
    }
    const status = (await getJob(api, spId, job.id)).status?.code ?? null;
    const result: ConfigureResult = {
      ok: testConnection.ok,
      servicePrincipalId: spId,
      jobId: job.id,
      jobCreated: created,
      credentials,
      tokenSource,
      testConnection,
      started,
      jobStatus: status,
    };
    ctx.out.result(result);
    return testConnection.ok ? ExitCode.ok : ExitCode.checkFailed;
  },
};
