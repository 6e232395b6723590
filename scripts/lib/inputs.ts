// Where the scripts' inputs come from, in order: flags, environment variables, then the Pulumi
// stack's outputs (`pulumi stack output --json`, only when the CLI is installed and a value is missing).
import type { CommandContext, OptionSpec } from './cli/command.js';
import { CliError, ExitCode, usageError } from './cli/errors.js';
import { DEFAULT_GRAPH_URL } from './graph/auth.js';
import { createGraphApi, type GraphApi } from './graph/client.js';

/** The Pulumi stack outputs the scripts read (docs/architecture.md). */
export interface StackOutputs {
  tenantUrl?: string;
  servicePrincipalObjectId?: string;
  applicationClientId?: string;
  provisioningJobId?: string;
  scimTokenSecretUri?: string;
  containerAppFqdn?: string;
}

export const graphOptions: Record<string, OptionSpec> = {
  'graph-url': { type: 'string', valueName: 'url', env: 'GRAPH_BASE_URL', default: DEFAULT_GRAPH_URL, description: 'Microsoft Graph base URL (the emulator\'s URL for local runs).' },
  'service-principal-id': { type: 'string', valueName: 'id', env: 'ENTRA_SERVICE_PRINCIPAL_ID', description: 'Object id of the enterprise application\'s service principal (Pulumi output servicePrincipalObjectId).' },
  stack: { type: 'string', valueName: 'name', env: 'PULUMI_STACK', description: 'Pulumi stack whose outputs supply missing inputs (when the pulumi CLI is installed).' },
};

export const jobOption: Record<string, OptionSpec> = {
  'job-id': { type: 'string', valueName: 'id', env: 'ENTRA_PROVISIONING_JOB_ID', description: 'Provisioning job id (Pulumi output provisioningJobId); default: the service principal\'s only job.' },
};

let cached: Promise<StackOutputs> | undefined;

/** Reads `pulumi stack output --json`; {} when the CLI is absent or there is no stack. */
export function stackOutputs(stack: string | undefined): Promise<StackOutputs> {
  cached ??= (async () => {
    if (process.env.ENTRA_SCIM_NO_PULUMI) return {};
    // zx is loaded only here: most runs never consult Pulumi, and it costs ~0.3 s of start-up.
    const { $, which } = await import('zx');
    const pulumi = await which('pulumi', { nothrow: true });
    if (!pulumi) return {};
    const result = await $({ quiet: true, nothrow: true })`${pulumi} stack output --json ${stack ? ['--stack', stack] : []}`;
    if (result.exitCode !== 0) return {};
    try {
      return JSON.parse(result.stdout) as StackOutputs;
    } catch {
      return {};
    }
  })();
  return cached;
}

/** A value from a flag/env, else from the Pulumi output; a usage error naming all three when absent. */
export async function fromInputs(ctx: CommandContext, option: string, output: keyof StackOutputs, why: string): Promise<string> {
  const direct = ctx.string(option);
  if (direct) return direct;
  const value = (await stackOutputs(ctx.string('stack')))[output];
  if (typeof value === 'string' && value && value !== '[secret]') return value;
  throw usageError(`Missing --${option} (${why}).`, `Pass --${option}, set its environment variable, or run inside the Pulumi project so that \`pulumi stack output ${output}\` supplies it.`);
}

export async function optionalInput(ctx: CommandContext, option: string, output: keyof StackOutputs): Promise<string | undefined> {
  const direct = ctx.string(option);
  if (direct) return direct;
  const value = (await stackOutputs(ctx.string('stack')))[output];
  return typeof value === 'string' && value && value !== '[secret]' ? value : undefined;
}

export function graphFor(ctx: CommandContext): GraphApi {
  return createGraphApi({
    graphUrl: ctx.string('graph-url') ?? DEFAULT_GRAPH_URL,
    onRetry: (event) => {
      ctx.out.note(`  Graph answered ${event.reason} to ${event.method} ${new URL(event.url).pathname}; retry ${event.attempt} in ${Math.round(event.delayMs / 100) / 10}s`);
    },
  });
}

export async function readTokenFile(path: string): Promise<string> {
  const { readFile } = await import('node:fs/promises');
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new CliError(`Cannot read the token file ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}.`, { exitCode: ExitCode.usage, code: 'TokenFileUnreadable', fix: 'Check the path passed to --token-file.' });
  }
  const token = text.trim();
  if (!token) throw usageError(`The token file ${path} is empty.`, 'Write the SCIM bearer token into it (one line).');
  return token;
}
